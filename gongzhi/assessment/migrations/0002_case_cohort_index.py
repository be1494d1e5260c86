"""A covering index on the case table for the assessment: every figure starts from the cases
reported in a period (`submitted_at`), and this index holds every column the grouped counts read,
so a month's cases are counted from the index alone (an index-only scan in PostgreSQL) instead of
fetching tens of thousands of wide rows. The case model is gongzhi.cases'; the index is the
assessment's, created here so that app's model and migrations stay as they are."""

from django.db import migrations

NAME = "assessment_case_cohort"
COLUMNS = ["state", "street_id", "community_id", "grid_id", "handling_department_id", "response_due",
           "accepted_at", "handling_due", "resolved_at", "dispatched_at", "closed_at", "reopen_count"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case (submitted_at) INCLUDE ({', '.join(COLUMNS)}, id)"
    else:
        sql = f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case (submitted_at, {', '.join(COLUMNS)})"
    schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
