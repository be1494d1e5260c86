"""Linked leaders: linking to a street or community in one's scope, visits, problems taken on (with
a case by tracking number in the actor's case scope) and solved; ending the link."""

import datetime as dt

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.core.scope import NotInScope
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import LeaderLink, LeaderProblem
from gongzhi.party.selectors import leaders as sel
from gongzhi.party.services import leaders as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return build_fixture_city()


def test_a_district_officer_links_a_leader_records_visits_and_problems(city):
    officer = city.users["district_officer"]
    link = services.link_leader(actor=officer, division_id=city.community_a.pk, name="王区长", title="副区长")
    assert (link.community_id, link.street_id, link.district_id) == (city.community_a.pk, city.street_a.pk,
                                                                     city.district.pk)
    with pytest.raises(DomainError) as twice:
        services.link_leader(actor=officer, division_id=city.community_a.pk, name="王区长", title="副区长")
    assert twice.value.code == "duplicate"
    visit = services.record_visit(actor=officer, link_id=link.pk, visited_on=dt.date.today(), summary="走访社区")
    problem = services.take_problem(actor=officer, link_id=link.pk, title="路灯不亮", visit_id=visit.pk)
    with pytest.raises(DomainError) as no_case:
        services.take_problem(actor=officer, link_id=link.pk, title="x", case_number="X0000000000")
    assert no_case.value.code == "not_found"
    moved = services.update_problem(actor=officer, problem_id=problem.pk, status="under_way", expected_version=1)
    with pytest.raises(DomainError) as stale:
        services.update_problem(actor=officer, problem_id=problem.pk, status="solved", resolution="修好",
                                expected_version=1)
    assert stale.value.code == "stale"
    with pytest.raises(DomainError):  # solved needs how
        services.update_problem(actor=officer, problem_id=problem.pk, status="solved", expected_version=2)
    solved = services.update_problem(actor=officer, problem_id=problem.pk, status="solved", resolution="已修复",
                                     expected_version=moved.version)
    assert solved.solved_on == dt.date.today()
    listed = sel.links_for(city.users["community_secretary"]).get()
    assert (listed.visit_count, listed.open_problems, listed.solved_problems) == (1, 0, 1)
    services.end_link(actor=officer, link_id=link.pk, reason="调任")
    with pytest.raises(DomainError):
        services.record_visit(actor=officer, link_id=link.pk, visited_on=dt.date.today(), summary="x")
    assert not sel.links_for(officer).exists() and sel.links_for(officer, current_only=False).count() == 1


def test_links_outside_ones_scope_or_without_the_right_are_refused(city):
    with pytest.raises(NotInScope):
        services.link_leader(actor=city.users["street_officer_b"], division_id=city.community_a.pk, name="甲",
                             title="街道办主任")
    with pytest.raises(NotInScope):  # a community secretary does not link leaders
        services.link_leader(actor=city.users["community_secretary"], division_id=city.community_a.pk,
                             name="甲", title="x")
    link = services.link_leader(actor=city.users["street_officer_a"], division_id=city.street_a.pk, name="乙",
                                title="街道党工委书记")
    with pytest.raises(NotInScope):
        services.record_visit(actor=city.users["street_officer_b"], link_id=link.pk, visited_on=dt.date.today(),
                              summary="x")
    with pytest.raises(NotInScope):
        services.end_link(actor=city.users["community_secretary"], link_id=link.pk, reason="x")
    assert LeaderLink.objects.get().ended_on is None and not LeaderProblem.objects.exists()
    assert not sel.links_for(city.users["street_officer_b"]).exists()


def test_a_leader_with_an_account_must_hold_a_role_in_the_actors_scope(city):
    officer = city.users["street_officer_a"]
    # The street B officer holds no role in street A: naming them is refused like a missing user.
    with pytest.raises(NotInScope):
        services.link_leader(actor=officer, division_id=city.community_a.pk, title="副主任",
                             user_id=city.users["street_officer_b"].pk)
    assert not LeaderLink.objects.exists()
    link = services.link_leader(actor=officer, division_id=city.community_a.pk, title="街道副主任",
                                user_id=city.users["street_officer_a"].pk)
    assert link.user == officer
