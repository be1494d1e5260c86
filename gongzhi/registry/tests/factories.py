"""Test data for the registry: valid (fictitious) ID numbers and a small registry on the fixture city."""

import datetime as dt
from types import SimpleNamespace

from gongzhi.registry.choices import Relation
from gongzhi.registry.models import Tag
from gongzhi.registry.services import people, places
from gongzhi.registry.validation import id_check_character


def id_number(birth: dt.date, sequence: int, *, area: str = "429999", male: bool = True) -> str:
    """A checksum-valid ID number; the sequence's last digit is odd for men, even for women."""
    seq = sequence * 2 + (1 if male else 0)
    first17 = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_character(first17)


def tag(code: str) -> Tag:
    return Tag.objects.get(code=code)


def build_registry(city) -> SimpleNamespace:
    """Grid A: one building, two households, three residents; grid A-2 and grid B: one resident each."""
    r = SimpleNamespace()
    r.building_a = places.create_building(actor=None, grid=city.grid_a, address="槐荫路1号1栋", floors=6, units=2,
                                          lng=113.905, lat=30.905)
    r.household_a = places.create_household(actor=None, building=r.building_a, room="1单元101")
    r.household_a2 = places.create_household(actor=None, building=r.building_a, room="1单元102", kind="rented")
    r.zhang = people.create_resident(
        actor=None, household=r.household_a, name="张伟", id_number=id_number(dt.date(1950, 3, 1), 1),
        phone="13912345678", relation=Relation.HEAD, tags=[tag("elderly_alone"), tag("party_member")])
    r.li = people.create_resident(
        actor=None, household=r.household_a2, name="李娜", id_number=id_number(dt.date(1990, 7, 9), 2, male=False),
        phone="13800001111", relation=Relation.HEAD, residence="living_only", tags=[tag("floating")])
    r.child = people.create_resident(actor=None, household=r.household_a2, name="李小明",
                                     birth_date=dt.date(2018, 5, 1), gender="male", relation=Relation.CHILD)
    r.building_a_2 = places.create_building(actor=None, grid=city.grid_a_2, address="槐荫路2号")
    r.household_a_2 = places.create_household(actor=None, building=r.building_a_2, room="")
    r.wang = people.create_resident(actor=None, household=r.household_a_2, name="王芳",
                                    id_number=id_number(dt.date(1985, 1, 1), 3, male=False), relation=Relation.HEAD)
    r.building_b = places.create_building(actor=None, grid=city.grid_b, address="府前路8号")
    r.household_b = places.create_household(actor=None, building=r.building_b, room="302")
    r.zhao = people.create_resident(actor=None, household=r.household_b, name="赵强",
                                    id_number=id_number(dt.date(1970, 12, 31), 4), phone="13700002222",
                                    relation=Relation.HEAD, tags=[tag("veteran")])
    return r
