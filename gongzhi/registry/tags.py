"""The tags every deployment starts with. Communities may add their own; these codes are what the
demo data and the statistics (floating population) rely on."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedTag:
    code: str
    name: str
    name_en: str
    visit_interval_days: int | None = None
    needs_permit: bool = False


ELDERLY_ALONE = "elderly_alone"
DISABLED = "disabled"
SUBSISTENCE = "subsistence"
VETERAN = "veteran"
PARTY_MEMBER = "party_member"
FLOATING = "floating"
KEY_CARE = "key_care"
LEFT_BEHIND_CHILD = "left_behind_child"

SEED_TAGS = [
    SeedTag(ELDERLY_ALONE, "独居老人", "Elderly living alone", 30),
    SeedTag(DISABLED, "残疾人", "Disabled", 90),
    SeedTag(SUBSISTENCE, "低保", "Subsistence allowance", 90),
    SeedTag(VETERAN, "退役军人", "Veteran"),
    SeedTag(PARTY_MEMBER, "党员", "Party member"),
    SeedTag(FLOATING, "流动人口", "Floating population", needs_permit=True),
    SeedTag(KEY_CARE, "重点人群", "Key care group", 30),
    SeedTag(LEFT_BEHIND_CHILD, "留守儿童", "Child left behind", 60),
]


def seed_tags(Tag) -> None:
    for order, seed in enumerate(SEED_TAGS):
        Tag.objects.get_or_create(code=seed.code, defaults={
            "name": seed.name, "name_en": seed.name_en, "visit_interval_days": seed.visit_interval_days,
            "needs_permit": seed.needs_permit, "sort_order": (order + 1) * 10,
        })
