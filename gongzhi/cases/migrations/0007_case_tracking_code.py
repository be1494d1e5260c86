"""Every case gets a random tracking code, the only thing its public pages answer to.

The column is added empty, existing cases are given codes in batches (a city holds a million
cases: one UPDATE per batch, not per row), and the unique constraint comes last."""

from django.db import migrations, models

import gongzhi.cases.codes

BATCH = 5000


def give_codes(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    new = gongzhi.cases.codes.new_tracking_code
    last = 0
    while True:
        batch = list(Case.objects.filter(pk__gt=last, tracking_code="").order_by("pk").only("pk")[:BATCH])
        if not batch:
            break
        for case in batch:
            case.tracking_code = new()
        Case.objects.bulk_update(batch, ["tracking_code"], batch_size=BATCH)
        last = batch[-1].pk
    # Two random codes alike among a million is unlikely, not impossible: draw again for those
    # before the constraint is added.
    while True:
        clashes = list(Case.objects.values("tracking_code").annotate(n=models.Count("pk"))
                       .filter(n__gt=1).values_list("tracking_code", flat=True)[:BATCH])
        if not clashes:
            break
        batch = list(Case.objects.filter(tracking_code__in=clashes).only("pk"))
        for case in batch:
            case.tracking_code = new()
        Case.objects.bulk_update(batch, ["tracking_code"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_case_description_public"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="tracking_code",
            field=models.CharField(default="", editable=False, max_length=16, verbose_name="tracking code"),
            preserve_default=False,
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="case",
            name="tracking_code",
            field=models.CharField(default=gongzhi.cases.codes.new_tracking_code, editable=False, max_length=16,
                                   verbose_name="tracking code"),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(fields=("tracking_code",), name="case_tracking_code_unique"),
        ),
    ]
