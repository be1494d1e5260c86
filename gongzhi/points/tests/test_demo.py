"""The demo's points on the fixture city: rules, a year of awards, reversals, a published
half-year with appeals, a shop with redemptions — and a second run that adds nothing."""

import datetime as dt

import pytest
import time_machine

from gongzhi.core import ledger
from gongzhi.party.tests.factories import build_party
from gongzhi.points.choices import AwardStatus
from gongzhi.points.demo import build_demo_points
from gongzhi.points.models import Appeal, Award, Item, Merchant, Period, Redemption, Rule, Standing

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
TABLES = (Rule, Award, Period, Standing, Appeal, Merchant, Item, Redemption)


def test_a_year_of_points_and_a_second_run_adds_nothing(city):
    from gongzhi.workdays.services import load_official_calendar

    load_official_calendar(years=[2026])
    build_party(city)
    with time_machine.travel(NOW, tick=False):
        first = build_demo_points("small")
        after = {m.__name__: m.objects.count() for m in TABLES}
        again = build_demo_points("small")
    assert first["awards"] > 50 and first["reversals"] == 2 and first["periods"] == 1
    assert first["appeals"] == 2 and first["redemptions"] > 0 and first["merchants"] == 9
    assert Award.objects.filter(status=AwardStatus.REVERSED).count() == 2
    assert Period.objects.get().standings.count() == 6  # every member of the fixture's party tree
    assert {m.__name__: m.objects.count() for m in TABLES} == after
    assert not any(again[k] for k in again)
    assert ledger.verify_all()
