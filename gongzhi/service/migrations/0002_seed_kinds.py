from decimal import Decimal

from django.db import migrations

# The city-wide catalogue every deployment starts with (gongzhi.service.services.kinds.SEED).
SEED = [
    ("policy", "政策解读", "Policy explained", "1", 3),
    ("opinion", "意见转达", "Opinion passed on", "0.5", 3),
    ("elderly", "助老助残", "Help for the elderly or disabled", "2", 2),
    ("mediation", "矛盾调解", "Dispute mediated", "2", 5),
    ("errand", "跑腿代办", "Errands", "1", 2),
    ("civility", "文明劝导", "Civility work", "2", 5),
]


def seed(apps, schema_editor):
    ServiceKind = apps.get_model("service", "ServiceKind")
    for order, (code, zh, en, hours, days) in enumerate(SEED):
        ServiceKind.objects.get_or_create(code=code, district=None, defaults={
            "name_zh": zh, "name_en": en, "default_hours": Decimal(hours), "working_days": days, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
