"""The double report-in: periods, members reporting in (once a period, a double tap returning the
first), the community confirming or declining (refusals change nothing), units' registrations and
projects, and the report-in rates and flags of the dashboard."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.core.scope import NotInScope
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party import periods
from gongzhi.party.choices import Form, Kind, Line, ProjectStatus, RegistrationStatus, Sector
from gongzhi.party.models import MemberRegistration, Policy, Project, UnitRegistration
from gongzhi.party.selectors import registrations as sel
from gongzhi.party.services import registrations as services

from .factories import build_party, make_member, make_organisation

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world():
    with time_machine.travel(MARCH, tick=False):
        city = build_fixture_city()
        yield city, build_party(city)


def rows(model):
    return list(model.objects.order_by("pk").values())


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "months", "start", "end"), [
    (dt.date(2026, 3, 9), 6, dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    (dt.date(2026, 7, 1), 6, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 12, 31), 3, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 2, 28), 1, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    (dt.date(2026, 5, 5), 12, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 5, 5), 4, dt.date(2026, 5, 1), dt.date(2026, 8, 31)),
])
def test_periods_cut_the_year_evenly(day, months, start, end):
    period = periods.period_of(day, months)
    assert (period.start, period.end) == (start, end)
    assert day in period
    assert periods.following(periods.previous(period)) == period


def test_a_period_that_does_not_divide_the_year_is_refused():
    with pytest.raises(ValueError):
        periods.period_of(dt.date(2026, 1, 1), 5)
    with pytest.raises(ValueError):
        periods.period_starting(dt.date(2026, 2, 1), 6)
    assert periods.previous(periods.period_of(dt.date(2026, 1, 15), 6)).start == dt.date(2025, 7, 1)


def test_the_policy_has_defaults_until_it_is_set(world):
    city, _p = world
    assert not Policy.objects.exists()
    assert sel.current_policy().period_months == 6
    with time_machine.travel(MARCH, tick=False):
        policy = services.set_policy(actor=city.users["city_admin"], period_months=3, feedback_months=3,
                                     unit_line_percent=90)
        assert policy.version == 2
        assert sel.member_period().start == dt.date(2026, 1, 1) and sel.member_period().end == dt.date(2026, 3, 31)
    with pytest.raises(PermissionDenied):
        services.set_policy(actor=city.users["community_secretary"], period_months=6, feedback_months=3,
                            unit_line_percent=95)
    assert Policy.objects.get().period_months == 3


# --- members -------------------------------------------------------------------------------------


def test_a_member_reports_in_once_a_period_and_a_double_tap_returns_the_first(world):
    city, p = world
    with time_machine.travel(MARCH, tick=False):
        reg, created = services.report_in(actor=p.member_user, community_id=city.community_a.pk, method="qr",
                                          idempotency_key="tap-1")
        assert created and reg.status == RegistrationStatus.PENDING
        assert (reg.period_start, reg.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        assert (reg.street_id, reg.district_id) == (city.street_a.pk, city.district.pk)
        again, created = services.report_in(actor=p.member_user, community_id=city.community_a.pk, method="qr",
                                            idempotency_key="tap-1")
        assert not created and again.pk == reg.pk
        before = rows(MemberRegistration)
        with pytest.raises(DomainError) as refused:
            services.report_in(actor=p.member_user, community_id=city.community_a2.pk, idempotency_key="tap-2")
        assert refused.value.code == "duplicate" and "already reported in" in refused.value.message
        assert rows(MemberRegistration) == before
    assert AuditEntry.objects.filter(action="party.report_in").count() == 1


def test_only_a_member_reports_in_and_the_community_must_exist(world):
    city, p = world
    with pytest.raises(PermissionDenied):
        services.report_in(actor=city.users["community_secretary"], community_id=city.community_a.pk)
    with pytest.raises(PermissionDenied):
        services.report_in(actor=city.users["resident"], community_id=city.community_a.pk)
    with pytest.raises(NotInScope):
        services.report_in(actor=p.member_user, community_id=city.grid_a.pk)  # a grid is no community
    assert not MemberRegistration.objects.exists()


def test_the_community_confirms_and_a_second_decision_is_refused(world):
    city, p = world
    desk = city.users["community_secretary"]
    with time_machine.travel(MARCH, tick=False):
        reg, _ = services.report_in(actor=p.member_user, community_id=city.community_a.pk)
        assert sel.pending_count(desk) == 1
        confirmed = services.confirm_registration(actor=desk, registration_id=reg.pk)
        assert confirmed.status == RegistrationStatus.CONFIRMED and confirmed.decided_by == desk
        before = rows(MemberRegistration)
        with pytest.raises(DomainError) as refused:
            services.decline_registration(actor=desk, registration_id=reg.pk, reason="不在本社区")
        assert refused.value.code == "conflict"
        assert rows(MemberRegistration) == before


def test_a_declined_member_may_report_in_again_and_declining_twice_is_refused(world):
    city, p = world
    desk = city.users["street_officer_a"]  # community A2's desk is the street's
    with time_machine.travel(MARCH, tick=False):
        reg, _ = services.report_in(actor=p.member_user, community_id=city.community_a2.pk)
        with pytest.raises(DomainError):
            services.decline_registration(actor=desk, registration_id=reg.pk, reason="  ")
        services.decline_registration(actor=desk, registration_id=reg.pk, reason="您住在书院社区")
        before = rows(MemberRegistration)
        with pytest.raises(DomainError) as refused:
            services.decline_registration(actor=desk, registration_id=reg.pk, reason="again")
        assert refused.value.code == "conflict"
        assert rows(MemberRegistration) == before
        second, created = services.report_in(actor=p.member_user, community_id=city.community_a.pk)
        assert created and second.status == RegistrationStatus.PENDING


def test_confirming_outside_ones_communities_is_refused_and_changes_nothing(world):
    city, p = world
    with time_machine.travel(MARCH, tick=False):
        reg, _ = services.report_in(actor=p.member_user, community_id=city.community_a.pk)
        before = rows(MemberRegistration)
        with pytest.raises(NotInScope):
            services.confirm_registration(actor=city.users["street_officer_b"], registration_id=reg.pk)
        # The district officer sees the report-in but keeps no desk: refused.
        with pytest.raises(PermissionDenied):
            services.confirm_registration(actor=city.users["district_officer"], registration_id=reg.pk)
        # The branch secretary sees their member's report-in, but it is the community's to confirm.
        with pytest.raises(PermissionDenied):
            services.confirm_registration(actor=p.branch_secretary, registration_id=reg.pk)
        assert rows(MemberRegistration) == before
        services.confirm_registration(actor=city.users["street_officer_a"], registration_id=reg.pk)


def test_the_desk_registers_a_member_living_there_confirmed_at_once(world):
    city, p = world
    desk = city.users["community_secretary"]
    with time_machine.travel(MARCH, tick=False):
        reg = services.register_at_desk(actor=desk, member_id=p.member_zhang.pk, community_id=city.community_a.pk)
        assert reg.status == RegistrationStatus.CONFIRMED and reg.method == "desk"
        with pytest.raises(NotInScope):
            services.register_at_desk(actor=desk, member_id=p.member_b.pk, community_id=city.community_a.pk)
        with pytest.raises(DomainError) as refused:
            services.register_at_desk(actor=desk, member_id=p.member_zhang.pk, community_id=city.community_a.pk)
        assert refused.value.code == "duplicate"
    assert MemberRegistration.objects.count() == 1


# --- units ---------------------------------------------------------------------------------------


def test_units_register_with_a_community_and_keep_their_projects(world):
    city, p = world
    desk = city.users["community_secretary"]
    with time_machine.travel(MARCH, tick=False):
        reg = services.register_unit(actor=desk, organisation_id=p.unit_a.pk, community_id=city.community_a.pk,
                                     offers=["venue", "people"], agreement="共建协议", contact_name="吴刚")
        assert (reg.street_id, reg.status) == (city.street_a.pk, RegistrationStatus.CONFIRMED)
        with pytest.raises(DomainError) as twice:
            services.register_unit(actor=desk, organisation_id=p.unit_a.pk, community_id=city.community_a.pk)
        assert twice.value.code == "duplicate"
        with pytest.raises(DomainError):
            services.register_unit(actor=p.unit_secretary, organisation_id=p.unit_a.pk,
                                   community_id=city.community_a2.pk, offers=["gold"])
        # The unit's secretary registers their own unit with another community.
        other = services.register_unit(actor=p.unit_secretary, organisation_id=p.unit_a.pk,
                                       community_id=city.community_b.pk, offers=["funds"])
        assert other.community == city.community_b
        with pytest.raises(NotInScope):  # street B's desk does not see unit A's organisation
            services.register_unit(actor=city.users["street_officer_b"], organisation_id=p.unit_a.pk,
                                   community_id=city.community_b.pk)
        project = services.add_project(actor=p.unit_secretary, registration_id=reg.pk, title="关爱独居老人")
        assert project.year == 2026 and project.status == ProjectStatus.PLANNED
        updated = services.update_project(actor=desk, project_id=project.pk, expected_version=1,
                                          status=ProjectStatus.UNDER_WAY, progress=40, note="已走访20户")
        assert (updated.version, updated.progress) == (2, 40)
        before = rows(Project)
        with pytest.raises(DomainError) as stale:
            services.update_project(actor=desk, project_id=project.pk, expected_version=1, progress=50)
        assert stale.value.code == "stale"
        with pytest.raises(PermissionDenied):
            services.update_project(actor=city.users["district_officer"], project_id=project.pk,
                                    expected_version=2, progress=50)
        assert rows(Project) == before
        ended = services.end_registration(actor=desk, registration_id=reg.pk, reason="协议到期")
        assert ended.status == RegistrationStatus.ENDED and ended.ended_on == dt.date(2026, 3, 9)
        with pytest.raises(DomainError):
            services.end_registration(actor=desk, registration_id=reg.pk, reason="again")
        with pytest.raises(DomainError):
            services.add_project(actor=desk, registration_id=reg.pk, title="x")
    assert UnitRegistration.objects.count() == 2


# --- rates ---------------------------------------------------------------------------------------


def test_report_in_rates_per_community_and_unit_with_flags(world):
    city, p = world
    desk = city.users["community_secretary"]
    with time_machine.travel(MARCH, tick=False):
        # Community A: 孙丽, 陈红 and the unit's 周平 are employed and live there (张伟 is retired).
        reg, _ = services.report_in(actor=p.member_user, community_id=city.community_a.pk)
        services.confirm_registration(actor=desk, registration_id=reg.pk)
        services.register_at_desk(actor=desk, member_id=p.unit_member.pk, community_id=city.community_a.pk)
        # A second unit, with two employed members, one reported in, sited in street B.
        unit_b = make_organisation("府前医院党支部", Form.BRANCH, Line.UNIT, city.grid_b, kind=Kind.UNIT,
                                   sector=Sector.INSTITUTION)
        make_member("钱一", unit_b, home=city.community_b)
        make_member("钱二", unit_b, home=city.community_b)
        rates = sel.report_in_rates(city.users["city_admin"], city.district)
        by_name = {r.name: r for r in rates.communities}
        assert (by_name["书院社区"].confirmed, by_name["书院社区"].eligible) == (2, 3)
        assert by_name["府前社区"].eligible == 3 and by_name["府前社区"].confirmed == 0
        assert rates.confirmed == 2 and rates.pending == 0
        units = {u.name: u for u in rates.units}
        assert (units["孝南区城管局机关党支部"].confirmed, units["孝南区城管局机关党支部"].eligible) == (1, 1)
        assert not units["孝南区城管局机关党支部"].flagged
        assert units["府前医院党支部"].flagged and units["府前医院党支部"].rate == 0
        # Never reported in: the employed members of the district with no confirmed report-in.
        assert rates.never == rates.eligible - 2
        street = sel.report_in_rates(desk, city.community_a)
        assert [r.name for r in street.communities] == ["书院社区"] and street.percent == "66.7%"
        never = sel.dashboard_members(desk, city.community_a, "never", street.period)
        assert [m.name for m in never] == ["陈红"]
        with pytest.raises(Http404):  # 404: street B is not the secretary's
            sel.report_in_rates(desk, city.street_b)
        last = sel.report_in_rates(desk, city.community_a, period_start=dt.date(2025, 7, 1))
        assert last.confirmed == 0
    # Half a year on: the unit has not reported in for the new period; the earlier one keeps its figures.
    with time_machine.travel(MARCH.replace(month=9), tick=False):
        now = {u.name: u for u in sel.report_in_rates(city.users["city_admin"], city.district).units}
        assert now["孝南区城管局机关党支部"].confirmed == 0 and now["孝南区城管局机关党支部"].flagged
        then = sel.report_in_rates(city.users["city_admin"], city.district, period_start=rates.period.start)
        assert {u.name: u.confirmed for u in then.units}["孝南区城管局机关党支部"] == 1
        assert then.never == rates.never  # nobody has been confirmed since


def test_the_report_in_rules_are_the_citys_to_change(client):
    from gongzhi.accounts.services import issue_token
    from gongzhi.party.models import Policy

    city = build_fixture_city()

    def put(user, **body):
        token = issue_token(actor=user, name="t")[1]
        return client.put("/api/v1/party/report-in/policy", body, content_type="application/json",
                          headers={"Authorization": f"Bearer {token}"})

    rules = {"period_months": 12, "feedback_months": 6, "unit_line_percent": 90}
    assert put(city.users["street_officer_a"], **rules).status_code == 403
    assert not Policy.objects.exists() and not AuditEntry.objects.filter(action="party.policy_update").exists()
    assert put(city.users["city_admin"], **{**rules, "period_months": 5}).status_code == 400  # not a divisor of 12
    answer = put(city.users["city_admin"], **rules, version=1)
    assert answer.status_code == 200 and answer.json()["unit_line_percent"] == 90
    assert put(city.users["city_admin"], **rules, version=1).status_code == 409  # stale
    assert Policy.objects.get().period_months == 12
