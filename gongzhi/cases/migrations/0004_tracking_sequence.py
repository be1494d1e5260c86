"""Tracking numbers from a PostgreSQL sequence: reports no longer queue on the day's counter row."""

from django.db import migrations, models


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS cases_tracking_seq")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP SEQUENCE IF EXISTS cases_tracking_seq")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_suspension_following_ratings"),
    ]

    operations = [
        migrations.AddField(
            model_name="trackingcounter",
            name="seq_base",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
