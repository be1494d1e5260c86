"""The catalogue of help that may be ordered: the city's seeded list (a district adds its own rows)."""

from decimal import Decimal

from django.db import transaction

from gongzhi.core import audit

from ..models import ServiceKind

SEED = [
    ("policy", "政策解读", "Policy explained", "1", 3),
    ("opinion", "意见转达", "Opinion passed on", "0.5", 3),
    ("elderly", "助老助残", "Help for the elderly or disabled", "2", 2),
    ("mediation", "矛盾调解", "Dispute mediated", "2", 5),
    ("errand", "跑腿代办", "Errands", "1", 2),
    ("civility", "文明劝导", "Civility work", "2", 5),
]


@transaction.atomic
def seed_kinds(*, actor=None) -> int:
    """Add the city-wide kinds that are missing; rows already there (and edited) are left alone."""
    made = 0
    for order, (code, zh, en, hours, days) in enumerate(SEED):
        kind, created = ServiceKind.objects.get_or_create(
            code=code, district=None, defaults={"name_zh": zh, "name_en": en, "default_hours": Decimal(hours),
                                                "working_days": days, "order": order * 10})
        if created:
            made += 1
            audit.record(actor=actor, action="service.kind_seed", obj=kind, actor_label="" if actor else "seed",
                         after=audit.snapshot(kind, ["code", "name_zh", "name_en", "default_hours", "working_days"]))
    return made
