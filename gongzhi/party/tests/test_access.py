"""Who reaches which party rows: division grants, posts on committees, and a member's own."""

import pytest

from gongzhi.core import scope
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.models import Member, Organisation
from gongzhi.party.permissions import PartyAction as A
from gongzhi.party.permissions import PartyRole

from .factories import build_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    city = build_fixture_city()
    return city, build_party(city)


def names(qs):
    return sorted(x.name for x in qs)


def test_a_branch_secretary_sees_the_branch_and_its_members_only(world):
    _city, p = world
    user = p.branch_secretary
    assert PartyRole.SECRETARY in scope.roles(user)
    assert names(scope.restrict(Organisation.objects.all(), user, A.VIEW)) == ["书院社区第一网格党支部"]
    assert names(scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS)) == ["孙丽", "张伟", "陈红"]
    assert scope.may(user, A.REVEAL) and not scope.may(user, A.MANAGE)


def test_the_community_secretary_sees_branches_and_members_living_there(world):
    city, _p = world
    user = city.users["community_secretary"]
    orgs = names(scope.restrict(Organisation.objects.all(), user, A.VIEW))
    assert orgs == ["书院社区党委", "书院社区第一网格党支部", "孝南区城管局机关党支部"]
    # The unit's member lives in community A and reports in there; community B's member does not.
    members = names(scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS))
    assert members == ["周平", "孙丽", "张伟", "陈红"]


def test_a_street_officer_sees_the_street_and_not_the_other(world):
    city, _p = world
    orgs = names(scope.restrict(Organisation.objects.all(), city.users["street_officer_b"], A.VIEW))
    assert orgs == ["府前社区党委", "府前社区第一网格党支部", "新华街道党工委"]


def test_a_unit_secretary_sees_the_unit_and_nothing_territorial(world):
    _city, p = world
    user = p.unit_secretary
    assert scope.roles(user) == {PartyRole.UNIT_SECRETARY}
    assert names(scope.restrict(Organisation.objects.all(), user, A.VIEW)) == ["孝南区城管局机关党支部"]
    assert names(scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS)) == ["周平"]


def test_a_member_reaches_their_own_record_and_branch_and_may_not_edit(world):
    _city, p = world
    user = p.member_user
    assert scope.roles(user) == {PartyRole.MEMBER}
    assert names(scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS)) == ["孙丽"]
    assert names(scope.restrict(Member.objects.all(), user, A.EDIT_MEMBERS)) == []
    assert names(scope.restrict(Organisation.objects.all(), user, A.VIEW)) == ["书院社区第一网格党支部"]
    assert names(scope.restrict(Organisation.objects.all(), user, A.MANAGE)) == []


def test_an_ended_seat_gives_no_role(world):
    import datetime as dt

    _city, p = world
    p.branch_secretary.party_seats.update(ended_on=dt.date(2026, 1, 1))
    scope.forget_assignments(p.branch_secretary)
    assert scope.roles(p.branch_secretary) == set()
    assert not scope.restrict(Member.objects.all(), p.branch_secretary, A.VIEW_MEMBERS).exists()


def test_grid_workers_and_auditors_read_the_tree_but_no_member(world):
    city, _p = world
    for name in ("grid_worker", "auditor", "department_staff", "resident"):
        assert not scope.restrict(Member.objects.all(), city.users[name], A.VIEW_MEMBERS).exists(), name
    assert names(scope.restrict(Organisation.objects.all(), city.users["grid_worker"], A.VIEW)) == [
        "书院社区第一网格党支部", "孝南区城管局机关党支部"]
