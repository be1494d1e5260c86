"""The demo's squads on the fixture city: a squad per street and community with a roster, a year's
readiness checks, one drill each and one real alert from a case; a second run adds nothing."""

import pytest

from gongzhi.cases.models import Category
from gongzhi.cases.services.catalogue import seed_catalogue
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.demo.fixture_city import X0, Y0

from ..choices import AlertKind, AlertStatus
from ..demo import build_demo_squads
from ..models import Alert, AlertLogEntry, ReadinessCheck, Squad, SquadMember
from ..selectors import squad_figures, squads_for

pytestmark = pytest.mark.django_db


def test_a_year_of_squads(city):
    seed_catalogue()
    case = submit_case(actor=city.users["resident"], report=Report(
        description="积水", lng=X0 + 0.005, lat=Y0 + 0.005, category=Category.objects.get(code="litter"))).case
    counts = build_demo_squads("small")
    assert counts["squads"] == Squad.objects.count() == 5  # two streets, three communities
    assert counts["drills"] == 5 and counts["alerts"] == 1
    for squad in Squad.objects.all():
        assert 8 <= SquadMember.objects.filter(squad=squad).count() <= 15
        assert ReadinessCheck.objects.filter(squad=squad).count() == 4
        drills = Alert.objects.filter(squad=squad, kind=AlertKind.DRILL)
        assert drills.count() == 1 and drills.get().status == AlertStatus.STOOD_DOWN and drills.get().report
        figures = squad_figures(squad)
        assert figures.drills == 1 and figures.median_first_ack_seconds is not None
        assert figures.readiness_rate is not None
    real = Alert.objects.get(kind=AlertKind.EMERGENCY)
    assert real.case_id == case.pk
    assert AlertLogEntry.objects.filter(alert=real, code="raised_from_case").exists()
    assert SquadMember.objects.filter(user=city.users["resident"], squad__division=city.community_a).exists()
    # the street-A officer sees street A's squads only
    assert {s.division_id for s in squads_for(city.users["street_officer_a"])} == {
        city.street_a.pk, city.community_a.pk, city.community_a2.pk}
    again = build_demo_squads("small")
    assert again["squads"] == again["alerts"] == 0
    assert Squad.objects.count() == 5 and Alert.objects.count() == 6
