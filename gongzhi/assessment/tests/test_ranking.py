"""The combined score, the ranking order, the red and black lists, the trend, the weights
(validation and audit) and the monthly snapshots (idempotent, and history is never rewritten)."""

import datetime as dt

import pytest

from gongzhi.assessment.choices import Standing, UnitType
from gongzhi.assessment.models import RankingSnapshot, RankingSnapshotRow, ScoreWeights
from gongzhi.assessment.ranking import RankRow, combined_score, live_ranking, month_ranking, rank_rows, unit_history
from gongzhi.assessment.rates import Figures
from gongzhi.assessment.snapshots import snapshot_closed_month, snapshot_month
from gongzhi.assessment.weights import current_weights, update_weights
from gongzhi.cases.services import workflow
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.models import AuditEntry

from .conftest import SHANGHAI, at, finish

pytestmark = pytest.mark.django_db
MARCH, APRIL, MAY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)
WEIGHTS = {"response": 20, "on_time": 30, "resolution": 20, "satisfaction": 30, "red_list_size": 2,
           "black_list_size": 2, "min_received": 1}


def fig(responded, on_time, resolved, satisfied, n=10) -> Figures:
    return Figures(received=n, response_counted=n, responded=responded, handling_counted=n, on_time=on_time,
                   valid=n, resolved=resolved, rated=n, satisfied=satisfied)


def test_the_score_is_the_weighted_mean_of_the_rates():
    fractions = {"response": 0.2, "on_time": 0.3, "resolution": 0.2, "satisfaction": 0.3}
    assert combined_score(fig(5, 10, 8, 9), fractions) == pytest.approx(0.2 * 50 + 0.3 * 100 + 0.2 * 80 + 0.3 * 90)
    # No rating yet: the satisfaction weight is left out and the rest scaled up.
    unrated = fig(5, 10, 8, 0)
    unrated.rated = 0
    assert combined_score(unrated, fractions) == pytest.approx(round((10 + 30 + 16) / 0.7, 2))
    assert combined_score(Figures(received=3), fractions) is None


def test_rank_order_ties_and_the_red_and_black_lists():
    scores = {"A": fig(10, 10, 10, 10), "B": fig(9, 9, 9, 9), "C": fig(9, 9, 9, 9), "D": fig(5, 5, 5, 5),
              "E": fig(1, 1, 1, 1), "F": fig(0, 0, 0, 0, n=0)}
    rows = [RankRow(i, name, f"00{i}", 1, f) for i, (name, f) in enumerate(scores.items())]
    ranked = rank_rows(rows, WEIGHTS)
    assert [(r.name, r.rank, r.standing) for r in ranked] == [
        ("A", 1, Standing.RED), ("B", 2, Standing.RED), ("C", 2, Standing.RED), ("D", 4, Standing.BLACK),
        ("E", 5, Standing.BLACK), ("F", None, Standing.UNRANKED)]
    assert [r.score for r in ranked[:5]] == [100.0, 90.0, 90.0, 50.0, 10.0]


def test_small_fields_split_the_lists():
    rows = rank_rows([RankRow(i, str(i), str(i), 1, fig(10 - i, 10 - i, 10 - i, 10 - i)) for i in range(3)], WEIGHTS)
    assert [r.standing for r in rows] == [Standing.RED, Standing.RANKED, Standing.BLACK]
    lone = rank_rows([RankRow(1, "a", "1", 1, fig(10, 10, 10, 10))], WEIGHTS)
    assert lone[0].standing == Standing.RANKED


def test_each_city_is_ranked_on_its_own():
    rows = [RankRow(1, "a", "1", 10, fig(10, 10, 10, 10)), RankRow(2, "b", "2", 20, fig(1, 1, 1, 1)),
            RankRow(3, "c", "3", 10, fig(1, 1, 1, 1))]
    ranked = {r.name: r.rank for r in rank_rows(rows, WEIGHTS)}
    assert ranked == {"a": 1, "b": 1, "c": 2}


def test_too_few_cases_to_be_ranked():
    rows = rank_rows([RankRow(1, "a", "1", 1, fig(10, 10, 10, 10, n=4))], {**WEIGHTS, "min_received": 5})
    assert (rows[0].rank, rows[0].standing, rows[0].score) == (None, Standing.UNRANKED, None)


def test_live_ranking_of_the_fixture_month(week, city, department, clock):
    clock.move_to(at(11, 10))
    streets = month_ranking(UnitType.STREET, MARCH)
    assert streets.source == "live"
    by_name = {r.name: r for r in streets.rows}
    a, b = by_name["书院街道"], by_name["新华街道"]
    assert (a.rank, a.score, a.standing) == (1, 57.5, Standing.RED)
    # Street B's one report is not registered yet: valid, not resolved; no other rate applies.
    assert (b.rank, b.score, b.standing) == (2, 0.0, Standing.BLACK)
    departments = month_ranking(UnitType.DEPARTMENT, MARCH)
    # A lone unit is on neither list.
    assert [(r.unit_id, r.rank, r.score, r.standing) for r in departments.rows] == [
        (department.pk, 1, 57.5, Standing.RANKED)]


def test_weights_change_the_live_score(week, clock, city):
    clock.move_to(at(11, 10))
    update_weights(actor=city.users["city_admin"], response=100, on_time=0, resolution=0, satisfaction=0)
    a = next(r for r in month_ranking(UnitType.STREET, MARCH).rows if r.unit_id == city.street_a.pk)
    assert a.score == 50.0


def test_weights_are_validated_and_audited(city):
    admin = city.users["city_admin"]
    with pytest.raises(DomainError) as refused:
        update_weights(actor=admin, response=30, on_time=30, resolution=30, satisfaction=30)
    assert "__all__" in refused.value.details
    with pytest.raises(DomainError) as refused:
        update_weights(actor=admin, response=-10, on_time=50, resolution=30, satisfaction=30)
    assert "response" in refused.value.details
    with pytest.raises(DomainError) as refused:
        update_weights(actor=city.users["district_officer"], response=25, on_time=25, resolution=25,
                       satisfaction=25)
    assert refused.value.code == "forbidden"
    assert not AuditEntry.objects.filter(action="assessment.weights").exists()

    saved = update_weights(actor=admin, response=25, on_time=25, resolution=25, satisfaction=25, red_list_size=5,
                           reason="四项并重", expected_version=1)
    assert (saved.version, saved.red_list_size, current_weights().response) == (2, 5, 25)
    entry = AuditEntry.objects.get(action="assessment.weights")
    assert entry.actor == admin and entry.reason == "四项并重"
    assert entry.before["on_time"] == 30 and entry.after["on_time"] == 25 and entry.after["version"] == 2
    with pytest.raises(StaleEdit):
        update_weights(actor=admin, response=40, on_time=20, resolution=20, satisfaction=20, expected_version=1)


def test_the_database_refuses_weights_not_adding_up_to_100(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreWeights.objects.create(pk=1, response=50, on_time=50, resolution=50, satisfaction=50)


def test_a_snapshot_freezes_the_month_and_is_idempotent(week, city, clock, department):
    clock.move_to(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))
    written = snapshot_closed_month()
    assert {s.unit_type for s in written} == {UnitType.STREET, UnitType.DEPARTMENT}
    assert snapshot_closed_month() == [] and snapshot_month(MARCH) == []
    assert RankingSnapshot.objects.count() == 2
    assert RankingSnapshotRow.objects.filter(snapshot__unit_type=UnitType.STREET).count() == 2

    frozen = month_ranking(UnitType.STREET, MARCH)
    a = next(r for r in frozen.rows if r.unit_id == city.street_a.pk)
    assert (frozen.source, a.rank, a.score, a.figures.received) == ("snapshot", 1, 57.5, 5)

    # Later edits change the live figures, never the frozen ones.
    u = city.users
    workflow.resolve_case(actor=u["department_staff"], case=week["d"], feedback="已清运")
    update_weights(actor=u["city_admin"], response=100, on_time=0, resolution=0, satisfaction=0)
    assert live_ranking(UnitType.STREET, MARCH).rows[0].score == 50.0
    again = next(r for r in month_ranking(UnitType.STREET, MARCH).rows if r.unit_id == city.street_a.pk)
    assert (again.score, again.figures.on_time) == (57.5, 1)


def test_the_current_month_is_never_frozen(week, clock):
    with pytest.raises(ValueError):
        snapshot_month(MARCH)
    assert month_ranking(UnitType.STREET, MARCH).source == "live"


def test_trend_against_the_previous_month(week, city, clock, flow):
    clock.move_to(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))
    snapshot_closed_month()
    clock.move_to(dt.datetime(2026, 4, 7, 9, 0, tzinfo=SHANGHAI))
    finish(flow, workflow.resolve_case(actor=flow.users["department_staff"], case=flow.accepted(), feedback="已清运"))
    april = month_ranking(UnitType.STREET, APRIL)
    a = next(r for r in april.rows if r.unit_id == city.street_a.pk)
    assert (a.rank, a.prev_rank, a.rank_change) == (1, 1, 0)
    assert a.prev_score == 57.5 and a.score == 100.0 and a.score_change == 42.5


def test_unit_history_mixes_frozen_and_live_months(week, city, clock, flow):
    clock.move_to(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI))
    snapshot_closed_month()
    clock.move_to(dt.datetime(2026, 4, 7, 9, 0, tzinfo=SHANGHAI))
    flow.dispatched()
    history = unit_history(UnitType.STREET, city.street_a.pk, [dt.date(2026, 2, 1), MARCH, APRIL])
    assert [(p.month, p.source, p.figures.received, p.rank) for p in history] == [
        (dt.date(2026, 2, 1), "live", 0, None), (MARCH, "snapshot", 5, 1), (APRIL, "live", 1, None)]
    assert history[1].score == 57.5


def test_the_periodic_task_writes_last_months_snapshot(week, clock):
    from gongzhi.assessment.tasks import snapshot_rankings

    clock.move_to(dt.datetime(2026, 5, 2, 8, 30, tzinfo=SHANGHAI))
    snapshot_rankings.call_local()
    assert set(RankingSnapshot.objects.values_list("month", flat=True)) == {APRIL}
    snapshot_rankings.call_local()
    assert RankingSnapshot.objects.count() == 2
    assert MAY > APRIL


def test_live_figures_are_shared_briefly(week, clock, settings, django_assert_max_num_queries):
    settings.GONGZHI_ASSESSMENT_LIVE_SECONDS = 60
    first = live_ranking(UnitType.STREET, MARCH)
    assert first.taken_at == at(11, 10)
    clock.move_to(at(11, 10) + dt.timedelta(seconds=30))
    with django_assert_max_num_queries(2):  # the weights and the units; the figures from the cache
        again = live_ranking(UnitType.STREET, MARCH)
    assert again.taken_at == first.taken_at
    assert [r.score for r in again.rows] == [r.score for r in first.rows]
    clock.move_to(at(11, 12))
    assert live_ranking(UnitType.STREET, MARCH).taken_at == at(11, 12)
