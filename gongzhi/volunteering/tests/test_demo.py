"""The demo: a year of volunteering in the fixture city, and a second run adds nothing."""

import pytest

from gongzhi.volunteering.demo import build_demo_volunteering
from gongzhi.volunteering.models import Activity, HonourList, ServiceHours, SignUp, Volunteer

pytestmark = pytest.mark.django_db


def test_demo_builds_a_year_and_is_idempotent(city):
    first = build_demo_volunteering("small")
    assert first["activities"] >= 3 * 12 * 3 and first["hours"] > 100 and first["corrections"] >= 2
    assert Volunteer.objects.filter(user=city.users["resident"], status="active").exists()
    assert ServiceHours.objects.filter(person=city.users["resident"]).exists()
    assert HonourList.objects.exists()
    counts = (Activity.objects.count(), SignUp.objects.count(), ServiceHours.objects.count())
    again = build_demo_volunteering("small")
    assert again["activities"] == 0
    assert (Activity.objects.count(), SignUp.objects.count(), ServiceHours.objects.count()) == counts
