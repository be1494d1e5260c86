"""The monthly ranking of streets and of departments (红黑榜): a combined score from the four
rates, ranks within each city, the red list (top) and the black list (bottom), and the trend
against the previous month.

A closed month is read from its snapshot (gongzhi.assessment.snapshots) when there is one, so
later edits never rewrite it; the current month — and a closed month nobody snapshotted — is
computed live.
"""

import datetime as dt
from dataclasses import dataclass, field

from .choices import RANKED_TYPES, Standing, UnitType
from .models import WEIGHTED_RATES, RankingSnapshot, RankingSnapshotRow
from .periods import Period, add_months, current_month
from .rates import Figures, compute, live_figures
from .units import Unit, all_units
from .weights import current_weights


def combined_score(figures: Figures, weights: dict) -> float | None:
    """The weighted mean of the rates the unit has (0–100, two decimals). A rate with nothing to
    count (no case needed a response, no rating yet) is left out and the other weights scaled
    up; a unit with no rate at all has no score."""
    rates = figures.rates()
    total = sum(weights[name] for name in WEIGHTED_RATES if rates[name] is not None)
    if not total:
        return None
    value = sum(weights[name] * rates[name] for name in WEIGHTED_RATES if rates[name] is not None) / total
    return round(value * 100, 2)


@dataclass
class RankRow:
    unit_id: int
    name: str
    code: str
    city_id: int | None
    figures: Figures
    score: float | None = None
    rank: int | None = None
    standing: str = Standing.UNRANKED
    prev_rank: int | None = None
    prev_score: float | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous month (negative: lost)."""
        if self.rank is None or self.prev_rank is None:
            return None
        return self.prev_rank - self.rank

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.prev_score is None:
            return None
        return round(self.score - self.prev_score, 2)

    def frozen(self, snapshot: RankingSnapshot) -> RankingSnapshotRow:
        return RankingSnapshotRow(snapshot=snapshot, unit_id=self.unit_id, city_id=self.city_id, name=self.name[:100],
                                  code=self.code, rank=self.rank, score=self.score, standing=self.standing,
                                  figures=self.figures.as_dict())

    @classmethod
    def thawed(cls, row: RankingSnapshotRow) -> "RankRow":
        return cls(unit_id=row.unit_id, name=row.name, code=row.code, city_id=row.city_id,
                   figures=Figures.from_dict(row.figures), score=row.score, rank=row.rank, standing=row.standing)


@dataclass
class Ranking:
    unit_type: str
    month: dt.date
    rows: list[RankRow]
    weights: dict
    source: str  # "live" or "snapshot"
    taken_at: dt.datetime
    previous: dict[int, RankRow] = field(default_factory=dict)

    @property
    def red(self) -> list[RankRow]:
        return [r for r in self.rows if r.standing == Standing.RED]

    @property
    def black(self) -> list[RankRow]:
        return [r for r in self.rows if r.standing == Standing.BLACK]

    def only(self, ids: set[int] | None, city_id: int | None = None) -> list[RankRow]:
        """The rows of one city (or all) the user may see (`ids` None: all)."""
        return [r for r in self.rows if (ids is None or r.unit_id in ids)
                and (city_id is None or r.city_id == city_id)]


def rank_rows(rows: list[RankRow], weights: dict) -> list[RankRow]:
    """Score, rank and mark the rows, within each city; ranked rows first, best first.

    Equal scores share a rank (1, 2, 2, 4). The red list holds the units ranked 1..N, the black
    list those ranked 1..M counting from the bottom; with fewer units than both lists need, each
    list takes at most half of them, so no unit is on both and a lone unit is on neither."""
    fractions = {name: weights[name] / 100 for name in WEIGHTED_RATES}
    min_received = weights.get("min_received", 1)
    for row in rows:
        row.score = combined_score(row.figures, fractions) if row.figures.received >= min_received else None
    by_city: dict = {}
    for row in rows:
        by_city.setdefault(row.city_id, []).append(row)
    for city_rows in by_city.values():
        scores = sorted((r.score for r in city_rows if r.score is not None), reverse=True)
        half = len(scores) // 2
        red_size = min(weights.get("red_list_size", 0), half)
        black_size = min(weights.get("black_list_size", 0), half)
        for row in city_rows:
            if row.score is None:
                row.rank, row.standing = None, Standing.UNRANKED
                continue
            row.rank = 1 + sum(1 for s in scores if s > row.score)
            from_bottom = 1 + sum(1 for s in scores if s < row.score)
            if row.rank <= red_size:
                row.standing = Standing.RED
            elif from_bottom <= black_size:
                row.standing = Standing.BLACK
            else:
                row.standing = Standing.RANKED
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, -r.figures.received, r.code, r.unit_id))


def live_ranking(unit_type: str, month: dt.date, *, weights: dict | None = None,
                 as_of: dt.datetime | None = None, units: list[Unit] | None = None) -> Ranking:
    """A month's ranking computed from the cases, over every active unit of the type: as of
    `as_of`, or — without it — the live figures (shared briefly, see rates.live_figures)."""
    weights = weights or current_weights().as_dict()
    units = units if units is not None else all_units(unit_type)
    if as_of is None:
        figures, as_of = live_figures(unit_type, Period.month(month))
    else:
        figures = compute(unit_type, Period.month(month), as_of=as_of)
    rows = [RankRow(u.pk, u.name, u.code, u.city_id, figures.get((u.pk,), Figures())) for u in units]
    return Ranking(unit_type, month, rank_rows(rows, weights), weights, "live", as_of)


def snapshot_ranking(snapshot: RankingSnapshot) -> Ranking:
    rows = [RankRow.thawed(r) for r in snapshot.rows.order_by("rank", "code", "unit_id")]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.figures.received, r.code, r.unit_id))
    return Ranking(snapshot.unit_type, snapshot.month, rows, snapshot.weights, "snapshot", snapshot.taken_at)


def month_ranking(unit_type: str, month: dt.date, *, with_trend: bool = True,
                  now: dt.datetime | None = None) -> Ranking:
    """A month's ranking — frozen if it closed and was snapshotted, live otherwise — with each
    row's rank and score of the previous month."""
    unit_type = UnitType(unit_type)
    ranking = _frozen_or_live(unit_type, month, now)
    if with_trend:
        previous = _frozen_or_live(unit_type, add_months(month, -1), now)
        ranking.previous = {r.unit_id: r for r in previous.rows}
        for row in ranking.rows:
            before = ranking.previous.get(row.unit_id)
            if before is not None:
                row.prev_rank, row.prev_score = before.rank, before.score
    return ranking


def _frozen_or_live(unit_type: str, month: dt.date, now: dt.datetime | None) -> Ranking:
    if month < current_month(now):
        snapshot = RankingSnapshot.objects.filter(month=month, unit_type=unit_type).first()
        if snapshot is not None:
            return snapshot_ranking(snapshot)
    return live_ranking(unit_type, month)


# --- one unit over the months -----------------------------------------------------------------------


@dataclass
class MonthPoint:
    month: dt.date
    figures: Figures
    score: float | None
    rank: int | None
    standing: str
    source: str  # "live" or "snapshot"


def unit_history(unit_type: str, unit_id: int, months: list[dt.date], *,
                 now: dt.datetime | None = None) -> list[MonthPoint]:
    """One unit month by month: frozen figures where the month's ranking was snapshotted, the
    rest computed live in one grouped call (scored with the current weights, unranked)."""
    points: dict[dt.date, MonthPoint] = {}
    this_month = current_month(now)
    if unit_type in RANKED_TYPES:
        frozen_months = set(RankingSnapshot.objects.filter(unit_type=unit_type, month__in=months,
                                                           month__lt=this_month).values_list("month", flat=True))
        rows = RankingSnapshotRow.objects.filter(snapshot__unit_type=unit_type, snapshot__month__in=frozen_months,
                                                 unit_id=unit_id).select_related("snapshot")
        for row in rows:
            points[row.snapshot.month] = MonthPoint(row.snapshot.month, Figures.from_dict(row.figures), row.score,
                                                    row.rank, row.standing, "snapshot")
        for month in frozen_months - set(points):  # the unit did not exist then
            points[month] = MonthPoint(month, Figures(), None, None, Standing.UNRANKED, "snapshot")
    live = sorted(m for m in months if m not in points)
    if live:
        weights = current_weights()
        fractions, min_received = weights.as_fractions(), weights.min_received
        period = Period(live[0], add_months(live[-1], 1) - dt.timedelta(days=1))
        figures = compute(unit_type, period, units=[unit_id], by_month=True)
        for month in live:
            fig = figures.get((unit_id, month), Figures())
            score = combined_score(fig, fractions) if fig.received >= min_received else None
            points[month] = MonthPoint(month, fig, score, None, Standing.UNRANKED, "live")
    return [points[m] for m in sorted(months)]
