"""Each rate of docs/rates.md asserted exactly on cases walked through the workflow with known
timestamps (the clock moved with time_machine), and the edge cases the definitions name."""

import datetime as dt

import pytest

from gongzhi.assessment.choices import UnitType
from gongzhi.assessment.drilldown import METRICS, drilldown_q
from gongzhi.assessment.periods import Period
from gongzhi.assessment.rates import compute, unit_figures
from gongzhi.cases.choices import Rating
from gongzhi.cases.models import Case
from gongzhi.cases.services import merging, sidesteps, whistle, workflow
from gongzhi.cases.services.escalation import sweep

from .conftest import MONDAY, SHANGHAI, at, finish

pytestmark = pytest.mark.django_db
MARCH = Period.month(dt.date(2026, 3, 1))
D = UnitType.DEPARTMENT


def test_department_rates_are_exact(week, department):
    fig = unit_figures(D, department.pk, MARCH)
    assert fig.received == 4
    # A and D accepted by 11:00, B at 11:30, C not at all and past due.
    assert (fig.responded, fig.response_counted, fig.response_rate) == (2, 4, 0.5)
    # A resolved before Tuesday 17:30; B after it; C and D overdue unresolved.
    assert (fig.on_time, fig.handling_counted, fig.on_time_rate) == (1, 4, 0.25)
    assert (fig.resolved, fig.valid, fig.resolution_rate) == (2, 4, 0.5)
    assert (fig.satisfied, fig.rated, fig.satisfaction_rate) == (2, 2, 1.0)
    # A: Monday 9:00–12:00 and 13:30–15:00 = 4.5 h; B: 7 h Monday, 7.5 h Tuesday, 1.5 h Wednesday.
    assert fig.handled == 2
    assert fig.avg_handling_hours == pytest.approx((4.5 + 16) / 2)
    assert fig.reopened == 0 and fig.escalated == 0 and fig.sidesteps_total == 0


def test_territorial_units_count_every_case_located_in_them(week, city):
    street = unit_figures(UnitType.STREET, city.street_a.pk, MARCH)
    assert street.received == 5 and street.valid == 4  # E was rejected as invalid
    assert (street.resolved, street.resolution_rate) == (2, 0.5)
    assert street.response_rate == 0.5 and street.on_time_rate == 0.25
    grid = unit_figures(UnitType.GRID, city.grid_a.pk, MARCH)
    community = unit_figures(UnitType.COMMUNITY, city.community_a.pk, MARCH)
    assert grid.as_dict() == community.as_dict() == street.as_dict()
    other = unit_figures(UnitType.STREET, city.street_b.pk, MARCH)
    assert other.received == 1 and other.response_rate is None and other.satisfaction_rate is None


def test_one_grouped_call_gives_every_unit(week, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        figures = compute(UnitType.STREET, MARCH)
    assert {k: f.received for k, f in figures.items()} == {(city.street_a.pk,): 5, (city.street_b.pk,): 1}


def test_open_cases_count_only_once_their_deadline_passed(flow, clock, department):
    case = flow.dispatched()
    clock.move_to(at(9, 10, 59))
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.response_counted, fig.handling_counted, fig.received) == (0, 0, 1)
    assert fig.response_rate is None and fig.on_time_rate is None
    clock.move_to(at(9, 11))  # the response deadline itself counts as passed
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.responded, fig.response_counted) == (0, 1)
    assert Case.objects.get(pk=case.pk).accepted_at is None


def test_the_period_is_local_months(flow, clock, department):
    clock.move_to(dt.datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI))
    flow.dispatched()
    clock.move_to(dt.datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI))
    flow.dispatched()
    assert unit_figures(D, department.pk, MARCH).received == 1
    assert unit_figures(D, department.pk, Period.month(dt.date(2026, 4, 1))).received == 1
    assert unit_figures(D, department.pk, Period(dt.date(2026, 3, 31), dt.date(2026, 4, 1))).received == 2


def test_merged_duplicates_count_once(flow, department):
    survivor, duplicate = flow.dispatched(), flow.registered()
    merging.merge_cases(actor=flow.users["community_secretary"], survivor=survivor, duplicates=[duplicate],
                        reason="同一堆垃圾")
    assert unit_figures(UnitType.STREET, survivor.street_id, MARCH).received == 1
    assert unit_figures(D, department.pk, MARCH).received == 1


def test_a_transferred_case_counts_for_the_unit_holding_it(flow, clock, department, housing):
    u = flow.users
    case = flow.accepted()
    ask = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="transfer", reason="属住建管",
                                     target_department=housing)
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=ask, approve=True)
    clock.move_to(at(9, 10))
    first, second = unit_figures(D, department.pk, MARCH), unit_figures(D, housing.pk, MARCH)
    assert first.received == 0 and first.sidesteps["transfer"] == 1
    assert second.received == 1 and second.sidesteps["transfer"] == 0
    # The new unit's clocks start at the transfer: 2 working hours to accept from 9:00.
    assert second.response_counted == 0


def test_voided_and_rejected_cases_are_received_but_not_valid(flow, department):
    u = flow.users
    case = flow.accepted()
    ask = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="void", reason="重复")
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=ask, approve=True)
    workflow.reject_case(actor=u["community_secretary"], case=flow.report(), reason="无效")
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.received, fig.valid, fig.resolution_rate, fig.sidesteps["void"]) == (1, 0, None, 1)
    assert fig.response_counted == 0 and fig.handling_counted == 0
    street = unit_figures(UnitType.STREET, case.street_id, MARCH)
    assert (street.received, street.valid) == (2, 0)


def test_an_approved_extension_moves_the_on_time_line(flow, clock, department):
    u = flow.users
    case = flow.accepted()
    ask = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="extension", reason="需协调",
                                     extension_amount=1, extension_unit="days")
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=ask, approve=True)
    clock.move_to(at(11, 10))  # after the first deadline (Tuesday 17:30), before the new one
    workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.on_time, fig.handling_counted, fig.sidesteps["extension"]) == (1, 1, 1)


def test_a_dissatisfied_rating_reopens_and_still_counts(flow, clock, department):
    u = flow.users
    case = flow.closed()
    case = workflow.rate_case(actor=u["resident"], case=case, value=Rating.DISSATISFIED)
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.reopened, fig.rated, fig.satisfied, fig.satisfaction_rate) == (1, 1, 0, 0.0)
    # Reopened, it is not closed any more: not resolved until it closes again.
    assert (fig.resolved, fig.valid) == (0, 1)
    # Handled again and rated satisfied: the first verdict stands.
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已再次清运")
    finish(flow, case, rating=Rating.SATISFIED)
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.rated, fig.satisfied, fig.resolved, fig.reopened) == (1, 0, 1, 1)
    assert Case.objects.filter(drilldown_q(D, department.pk, MARCH, "dissatisfied")).count() == 1


def test_overdue_escalations_are_counted_for_the_unit_then_responsible(flow, clock, department):
    flow.dispatched()
    clock.move_to(at(9, 11, 1))
    sweep()
    fig = unit_figures(D, department.pk, MARCH)
    assert fig.escalated == 1


def test_whistle_roll_call(flow, clock, department, housing, street_b_department):
    u = flow.users
    case = flow.accepted()
    # A whistle summons only departments serving the case's place (cases.selectors.summonable_departments).
    street_b_department.serves.add(case.street)
    blown = whistle.blow_whistle(actor=u["street_officer_a"], case=case, reason="联合整治",
                                 check_in_due=MONDAY + dt.timedelta(hours=2),
                                 departments=[department, housing, street_b_department])
    summonses = {s.department_id: s for s in blown.summonses.all()}
    whistle.report_in(actor=u["department_staff"], summons=summonses[department.pk])
    clock.move_to(at(9, 11, 30))
    whistle.report_in(actor=None, summons=summonses[street_b_department.pk])
    assert unit_figures(D, department.pk, MARCH).roll_call == {"on_time": 1, "late": 0, "absent": 0, "pending": 0}
    assert unit_figures(D, street_b_department.pk, MARCH).roll_call["late"] == 1
    # Not reported in by the deadline: absent (before the sweep marks it).
    assert unit_figures(D, housing.pk, MARCH).roll_call["absent"] == 1
    street = unit_figures(UnitType.STREET, case.street_id, MARCH)
    assert street.roll_call == {"on_time": 1, "late": 1, "absent": 1, "pending": 0}


def test_every_drilldown_agrees_with_its_figure(week, city, department):
    as_of = at(11, 10)
    for unit_type, unit_id in ((D, department.pk), (UnitType.STREET, city.street_a.pk)):
        fig = unit_figures(unit_type, unit_id, MARCH, as_of=as_of).as_dict()
        for metric in ("received", "response_counted", "responded", "handling_counted", "on_time", "valid",
                       "resolved", "handled", "reopened", "escalated", "rated", "satisfied"):
            n = Case.objects.filter(drilldown_q(unit_type, unit_id, MARCH, metric, as_of)).count()
            assert n == fig[metric], (unit_type, metric)
        late = Case.objects.filter(drilldown_q(unit_type, unit_id, MARCH, "response_late", as_of)).count()
        assert late == fig["response_counted"] - fig["responded"]
        overdue = Case.objects.filter(drilldown_q(unit_type, unit_id, MARCH, "overdue", as_of)).count()
        assert overdue == fig["handling_counted"] - fig["on_time"]
    assert set(METRICS) >= {"satisfied", "sidestep_transfer", "summoned_absent"}


def test_by_month_groups_a_unit_over_months(flow, clock, department):
    flow.dispatched()
    clock.move_to(dt.datetime(2026, 4, 8, 9, 0, tzinfo=SHANGHAI))
    flow.dispatched()
    flow.dispatched()
    figures = compute(D, Period(dt.date(2026, 1, 1), dt.date(2026, 4, 30)), units=[department.pk], by_month=True)
    assert {k: f.received for k, f in figures.items()} == {
        (department.pk, dt.date(2026, 3, 1)): 1, (department.pk, dt.date(2026, 4, 1)): 2}


def test_a_returned_case_counts_for_the_unit_it_goes_to_next(flow, clock, department, housing):
    u = flow.users
    case = flow.accepted()
    ask = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="return", reason="不属我单位")
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=ask, approve=True)
    assert unit_figures(D, department.pk, MARCH).received == 0
    workflow.dispatch_case(actor=u["community_secretary"], case=Case.objects.get(pk=case.pk), department=housing)
    first, second = unit_figures(D, department.pk, MARCH), unit_figures(D, housing.pk, MARCH)
    assert (first.received, first.sidesteps["return"]) == (0, 1)
    assert (second.received, second.sidesteps["return"]) == (1, 0)
    assert unit_figures(UnitType.STREET, case.street_id, MARCH).sidesteps["return"] == 1


def test_a_suspended_case_leaves_the_deadline_figures_while_suspended(flow, clock, department):
    u = flow.users
    case = flow.accepted()
    ask = sidesteps.request_sidestep(actor=u["department_staff"], case=case, kind="suspension", reason="等待天晴")
    sidesteps.decide_sidestep(actor=u["community_secretary"], sidestep=ask, approve=True)
    clock.move_to(at(12, 10))  # long after both deadlines
    fig = unit_figures(D, department.pk, MARCH)
    assert (fig.handling_counted, fig.sidesteps["suspension"]) == (0, 1)
    # gongzhi.cases clears the response deadline on suspension: the case has left the response figures.
    assert fig.response_counted == 0
