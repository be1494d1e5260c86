"""Committees: seats and their holders (a seat's user gets a role), seat-based part-time members,
meetings with attendance and the attendance rate, and terms falling due as a to-do."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.core.scope import NotInScope
from gongzhi.core.seams.todos import todos_for
from gongzhi.departments.models import Department
from gongzhi.party.choices import Attendance, Duty, Position
from gongzhi.party.models import Meeting, MeetingAttendance, Seat, Term
from gongzhi.party.permissions import PartyRole
from gongzhi.party.selectors import organisations as sel
from gongzhi.party.services import committees

from .factories import build_party, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city):
    return city, build_party(city)


def state():
    return (list(Seat.objects.order_by("pk").values()), Meeting.objects.count(), MeetingAttendance.objects.count(),
            AuditEntry.objects.count())


def test_a_seat_naming_a_member_gives_the_members_user_a_role(world):
    city, p = world
    user = city.users["community_secretary"]
    seat = committees.add_seat(actor=user, term=p.term_community_a, position=Position.MEMBER,
                               duty=Duty.ORGANISATION, member_id=p.member_a.pk)
    assert seat.name == "孙丽" and seat.user == p.member_user
    scope.forget_assignments(p.member_user)
    assert PartyRole.ORGANISATION_MEMBER in scope.roles(p.member_user)
    assert AuditEntry.objects.filter(action="party.seat.add").count() == 1


def test_ids_out_of_scope_and_bad_seats_are_refused_and_change_nothing(world):
    city, p = world
    user = city.users["community_secretary"]
    dept_b = Department.objects.create(division=city.district, name="新华中队", kind="city_management")
    dept_b.serves.add(city.street_b)
    cases = [
        (dict(term=p.term_community_a, position=Position.MEMBER, member_id=p.member_b.pk), NotInScope),
        (dict(term=p.term_community_a, position=Position.PART_TIME, name="x", from_department_id=dept_b.pk),
         NotInScope),
        (dict(term=p.term_community_a, position=Position.PART_TIME, name="x", from_organisation_id=p.branch_b.pk),
         NotInScope),
        (dict(term=p.term_branch_a, position=Position.PART_TIME, name="x"), DomainError),  # not a big committee
        (dict(term=p.term_community_a, position=Position.SECRETARY, name="二号书记"), DomainError),
        (dict(term=p.term_community_a, position=Position.MEMBER, name=""), DomainError),
    ]
    for kwargs, exc in cases:
        before = state()
        with pytest.raises(exc):
            committees.add_seat(actor=user, **kwargs)
        assert state() == before, kwargs
    before = state()
    with pytest.raises(PermissionDenied):
        committees.add_seat(actor=city.users["street_officer_b"], term=p.term_community_a,
                            position=Position.MEMBER, name="x")
    assert state() == before


def test_replacing_a_seat_based_holder_keeps_the_seat_for_the_unit(world):
    city, p = world
    new = committees.replace_holder(actor=city.users["street_officer_a"], seat=p.part_time_seat, name="新副局长",
                                    reason="单位调整")
    p.part_time_seat.refresh_from_db()
    assert p.part_time_seat.ended_on is not None
    assert new.from_unit == "孝南区城市管理执法局" and new.seat_based and new.position == Position.PART_TIME
    with pytest.raises(DomainError):
        committees.replace_holder(actor=city.users["street_officer_a"], seat=p.part_time_seat, name="again")


def test_a_meeting_records_attendance_and_the_rate_follows(world):
    city, p = world
    user = city.users["community_secretary"]
    term = p.term_community_a
    seats = {s.name: s for s in sel.current_seats(term)}
    committees.record_meeting(actor=user, term=term, held_on=dt.date(2025, 3, 1), title="一季度大党委会",
                              attendance={seats["刘书记"].pk: Attendance.PRESENT,
                                          str(seats["区城管局副局长"].pk): Attendance.LEAVE})
    committees.record_meeting(actor=user, term=term, held_on=dt.date(2025, 6, 1), title="二季度大党委会",
                              attendance={seats["刘书记"].pk: Attendance.PRESENT})
    rates = sel.attendance_rates(term)
    assert rates[seats["刘书记"].pk]["rate"] == 1.0
    assert rates[seats["区城管局副局长"].pk] == {"total": 2, "present": 0, "rate": 0.0}
    before = state()
    with pytest.raises(DomainError) as info:
        committees.record_meeting(actor=user, term=term, held_on=dt.date(2025, 6, 1), title="二季度大党委会",
                                  attendance={})
    assert info.value.code == "duplicate"
    # A seat of another committee is no seat of this one.
    with pytest.raises(NotInScope):
        committees.record_meeting(actor=user, term=term, held_on=dt.date(2025, 7, 1), title="三季度",
                                  attendance={Seat.objects.get(term=p.term_branch_a).pk: Attendance.PRESENT})
    assert state() == before


def test_a_term_falling_due_is_a_to_do_for_who_manages_it(world):
    city, p = world
    today = dt.date.today()
    Term.objects.update(due_on=today + dt.timedelta(days=400))
    p.term_branch_a.due_on = today + dt.timedelta(days=30)
    p.term_branch_a.save()
    user = city.users["community_secretary"]
    assert [t.organisation for t in sel.terms_due(user)] == [p.branch_a]
    shown = [t for t in todos_for(user) if t.code == "party.terms_due"]
    assert shown and shown[0].count == 1
    assert not [t for t in todos_for(city.users["street_officer_b"]) if t.code == "party.terms_due"]
    # A branch secretary keeps no committee: no to-do.
    assert not [t for t in todos_for(p.branch_secretary) if t.code == "party.terms_due"]
    make_member("新党员", p.branch_a)  # members do not change the due date
    assert sel.terms_due(user).count() == 1


def test_the_committee_is_listed_in_rank_secretary_first():
    from gongzhi.demo.fixture_city import build_fixture_city
    from gongzhi.party.selectors.organisations import current_seats

    from .factories import build_party

    p = build_party(build_fixture_city())
    assert [s.position for s in current_seats(p.term_community_a)] == ["secretary", "part_time"]
