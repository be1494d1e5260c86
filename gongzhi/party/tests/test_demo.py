"""The demo's party stage on the fixture city with a small registry population: the tree the
documents describe, gaps for the coverage page, about 95 members a community, a year of report-ins,
the personas' posts, and a second run that adds nothing."""

import datetime as dt

import pytest
from django.db.models import Count

from gongzhi.core import scope
from gongzhi.party.choices import (
    ChangeKind,
    Form,
    Line,
    MemberCategory,
    MemberStatus,
    OrganisationStatus,
    Position,
    RegistrationStatus,
)
from gongzhi.party.demo import Periods, build_demo_party
from gongzhi.party.models import (
    Facility,
    FeedbackCard,
    LeaderLink,
    LeaderProblem,
    Meeting,
    MeetingAttendance,
    Member,
    MemberRegistration,
    Organisation,
    OrganisationChange,
    Project,
    Seat,
    ServiceEntry,
    Term,
    Transfer,
    UnitRegistration,
)
from gongzhi.party.permissions import PartyAction as A
from gongzhi.party.permissions import PartyRole
from gongzhi.registry.demo import build_demo_population

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)
TABLES = (Organisation, Term, Seat, Member, MemberRegistration, ServiceEntry, FeedbackCard, UnitRegistration,
          Project, Transfer, Meeting, MeetingAttendance, LeaderLink, LeaderProblem, Facility, OrganisationChange)


@pytest.fixture
def demo(city):
    from gongzhi.demo.departments import ensure_demo_departments

    ensure_demo_departments(city.district)
    build_demo_population(size="small", per_grid=60, today=TODAY)
    return build_demo_party(size="small", today=TODAY)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in TABLES}


def test_the_periods_are_half_years_and_the_last_complete_quarter():
    periods = Periods.around(TODAY)
    assert periods.previous == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert periods.current == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert periods.quarter == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert Periods.around(dt.date(2027, 2, 1)).quarter == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_every_street_and_community_gets_its_big_committee(city, demo):
    assert (demo.streets, demo.communities) == (2, 3)
    streets = Organisation.objects.filter(form=Form.WORKING_COMMITTEE, line=Line.STREET)
    assert sorted(streets.values_list("name", flat=True)) == ["书院街道党工委", "新华街道党工委"]
    communities = Organisation.objects.filter(line=Line.COMMUNITY, status=OrganisationStatus.ACTIVE)
    assert set(communities.values_list("community_id", flat=True)) == {
        city.community_a.pk, city.community_a2.pk, city.community_b.pk}
    for org in communities:
        assert org.parent.line == Line.STREET and org.path == f"{org.parent.path}{org.pk}/"
        term = org.terms.get(ended_on=None)
        assert term.is_big
        positions = list(term.seats.values_list("position", flat=True))
        assert positions.count(Position.SECRETARY) == 1 and Position.DEPUTY in positions
        assert positions.count(Position.PART_TIME) >= 1
        assert 10 <= term.meetings.count() <= 12
        assert MeetingAttendance.objects.filter(meeting__term=term, status="present").exists()
    street_term = Term.objects.get(organisation__name="书院街道党工委", ended_on=None)
    seats = street_term.seats.all()
    # Part-time members from the district's departments, some holding a seat for their department.
    part_time = seats.filter(position=Position.PART_TIME)
    assert part_time.count() == 5 and not part_time.filter(from_department=None).exists()
    assert part_time.filter(seat_based=True).exists()
    assert {"organisation", "publicity", "discipline"} <= set(seats.values_list("duty", flat=True))
    # Street A's committee was re-elected: the earlier term ended the day the new one was elected.
    old = Term.objects.get(organisation__name="书院街道党工委", ended_on__isnull=False)
    assert old.ended_on == street_term.elected_on and old.number == street_term.number - 1
    assert OrganisationChange.objects.filter(kind=ChangeKind.REELECTED).count() == 1


def test_branches_cover_grids_with_gaps_and_building_groups(city, demo):
    branches = Organisation.objects.filter(line=Line.GRID)
    covered = set(branches.values_list("covers", flat=True))
    # 书院社区's second grid has no branch: the coverage page has a gap to show.
    assert city.grid_a.pk in covered and city.grid_a_2.pk not in covered
    first = Organisation.objects.get(name="书院社区第一网格党支部")
    assert first.parent.name in ("书院社区党委", "书院社区党总支") and first.path.startswith(first.parent.path)
    groups = Organisation.objects.filter(line=Line.BUILDING, form=Form.GROUP)
    assert groups.exists() and all(g.buildings.exists() and g.parent.line == Line.GRID for g in groups)
    assert OrganisationChange.objects.filter(kind=ChangeKind.FOUNDED).count() == Organisation.objects.count()
    merged = Organisation.objects.get(status=OrganisationStatus.MERGED)
    assert merged.successor == first and merged.changes.filter(kind=ChangeKind.MERGED, related=first).exists()


def test_units_are_registered_with_projects_and_some_registry_units_have_no_branch(city, demo):
    from gongzhi.registry.models import Organisation as RegistryOrganisation

    units = Organisation.objects.filter(line=Line.UNIT)
    assert set(units.values_list("sector", flat=True)) >= {"organ", "state_enterprise", "property_company"}
    assert units.filter(unit__isnull=False).exists()
    companies = RegistryOrganisation.objects.filter(kind__in=("property_company", "work_unit",
                                                              "social_organisation"))
    linked = set(units.exclude(unit=None).values_list("unit_id", flat=True))
    assert companies.exclude(pk__in=linked).exists()  # two-new organisations with no party organisation
    registrations = UnitRegistration.objects.all()
    assert registrations.count() == units.count()
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED).first()
    assert confirmed.agreement and confirmed.offers and 2 <= confirmed.projects.count() <= 4
    assert set(Project.objects.values_list("year", flat=True)) == {2026}
    assert len(set(Project.objects.values_list("status", flat=True))) >= 2


def test_members_live_in_every_community_and_report_in_over_two_periods(city, demo):
    per_community = dict(Member.objects.values_list("home_community").annotate(n=Count("id")))
    assert set(per_community) == {city.community_a.pk, city.community_a2.pk, city.community_b.pk}
    assert all(88 <= n <= 110 for n in per_community.values()), per_community
    members = Member.objects.all()
    assert members.filter(resident__isnull=False).exists()  # some are the registry's party members
    assert members.filter(status=MemberStatus.PROBATIONARY).count() <= members.count() * 0.1
    assert {"employed", "retired", "mobile"} <= set(members.values_list("category", flat=True))
    oldest = members.order_by("joined_on").first().joined_on
    assert oldest < dt.date(1990, 1, 1)
    assert members.filter(organisation__line=Line.UNIT).exists()  # employed members of the area's units
    member = members.exclude(resident=None).first()
    assert member.masked_phone or member.phone_last4 == ""

    regs = MemberRegistration.objects
    assert regs.filter(period_start=dt.date(2026, 1, 1), status=RegistrationStatus.CONFIRMED).exists()
    assert regs.filter(period_start=dt.date(2026, 7, 1), status=RegistrationStatus.CONFIRMED).exists()
    assert regs.filter(period_start=dt.date(2026, 7, 1), status=RegistrationStatus.PENDING).exists()
    employed = members.filter(category=MemberCategory.EMPLOYED, state="active")
    never = employed.exclude(pk__in=regs.values("member_id")).count()
    assert 0 < never < employed.count() * 0.2
    assert ServiceEntry.objects.filter(activity="垃圾分类督导").exists()
    cards = FeedbackCard.objects.all()
    assert cards.exists() and set(cards.values_list("period_start", flat=True)) == {dt.date(2026, 7, 1)}
    assert cards.filter(status="acknowledged").exists() and cards.filter(status="sent").exists()
    assert Transfer.objects.exists()


def test_positions_and_linked_leaders(city, demo):
    kinds = dict(Facility.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {"member_home": 3, "service_station": 2, "management_centre": 1}
    links = LeaderLink.objects.all()
    assert links.filter(community__isnull=False).count() == 3 and links.filter(community=None).count() == 2
    assert LeaderProblem.objects.exists() and links.filter(visits__isnull=False).exists()


def test_the_personas_hold_their_posts(city, demo):
    from gongzhi.accounts.models import User

    secretary = city.users["community_secretary"]
    seat = Seat.objects.get(user=secretary)
    assert seat.position == Position.SECRETARY and seat.term.organisation.community_id == city.community_a.pk
    branch_secretary = User.objects.get(username="branch_secretary")
    assert Seat.objects.get(user=branch_secretary).term.organisation.name == "书院社区第一网格党支部"
    assert PartyRole.SECRETARY in scope.roles(branch_secretary)
    unit_secretary = User.objects.get(username="unit_secretary")
    unit = Seat.objects.get(user=unit_secretary).term.organisation
    assert unit.line == Line.UNIT and unit.unit_registrations.filter(community=city.community_a).exists()
    assert PartyRole.UNIT_SECRETARY in scope.roles(unit_secretary)

    member = Member.objects.get(user__username="party_member")
    assert member.organisation.name == "书院社区第一网格党支部" and member.home_community == city.community_a
    assert member.category == MemberCategory.EMPLOYED and member.status == MemberStatus.FULL
    periods = set(member.registrations.values_list("period_start", flat=True))
    assert periods == {dt.date(2026, 1, 1)}  # reported in last period, not yet this one
    assert scope.may(member.user, A.REPORT_IN)
    # A street officer of street B sees street A's members only where a unit of street B holds their relation.
    officer_b = city.users["street_officer_b"]
    seen = scope.restrict(Member.objects.filter(home_street=city.street_a), officer_b, A.VIEW_MEMBERS)
    assert not seen.filter(street=city.street_a).exists()


def test_running_the_stage_twice_adds_nothing(city, demo):
    before = counts()
    again = build_demo_party(size="small", today=TODAY)
    assert (again.communities, again.streets, again.skipped) == (0, 0, 3)
    assert counts() == before
