"""Rates per unit and period, computed set-based: a handful of grouped queries per call, one
or two per table, whatever the number of units or cases. docs/rates.md defines every figure;
the conditions below are those definitions, shared by the figures and by the drill-down lists
(gongzhi.assessment.drilldown), so a number and the cases behind it cannot disagree.

The cohort of a period is the cases *reported* in it (`submitted_at`, local time), less merged
duplicates. A department answers for the cases it holds or last held (the handling unit on the
case), and for the sidesteps it asked for, the escalations raised while it held a case and the
summonses it received; a street, community or grid for everything located in it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gongzhi.cases.choices import Attendance, CaseState, EscalationKind, Rating, SidestepKind, SidestepStatus
from gongzhi.cases.models import Case, Escalation, Sidestep, Summons
from gongzhi.workdays.calendar import current_calendar

from . import worktime
from .choices import UnitType
from .periods import Period, local_tz

S = CaseState
INVALID_STATES = (S.REJECTED, S.VOIDED)
SATISFIED_VALUES = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
OVERDUE_KINDS = (EscalationKind.RESPONSE_OVERDUE, EscalationKind.HANDLING_OVERDUE)
SIDESTEP_KINDS = tuple(SidestepKind.values)
ATTENDANCES = ("on_time", "late", "absent", "pending")
DEFAULT_LIVE_SECONDS = 60


@dataclass(frozen=True)
class Paths:
    """How each table reaches the unit a row counts for."""

    case: str
    sidestep: str
    escalation: str
    summons: str


PATHS = {
    UnitType.DEPARTMENT: Paths("handling_department_id", "unit_department_id", "handling_department_id",
                               "department_id"),
    UnitType.STREET: Paths("street_id", "case__street_id", "case__street_id", "whistle__case__street_id"),
    UnitType.COMMUNITY: Paths("community_id", "case__community_id", "case__community_id",
                              "whistle__case__community_id"),
    UnitType.GRID: Paths("grid_id", "case__grid_id", "case__grid_id", "whistle__case__grid_id"),
}


# --- the definitions ------------------------------------------------------------------------------


def cohort_q(period: Period, prefix: str = "") -> Q:
    """Cases reported in the period, less merged duplicates (their survivor counts)."""
    p = prefix
    return Q(**{f"{p}submitted_at__gte": period.start, f"{p}submitted_at__lt": period.end}) & ~Q(
        **{f"{p}state": S.MERGED})


def case_conditions(as_of: dt.datetime) -> dict[str, Q]:
    """Each count of docs/rates.md as a condition on a case of the cohort."""
    response_counted = Q(response_due__isnull=False) & (Q(accepted_at__isnull=False) | Q(response_due__lte=as_of))
    responded = Q(response_due__isnull=False, accepted_at__isnull=False, accepted_at__lte=F("response_due"))
    handling_counted = Q(handling_due__isnull=False) & (Q(resolved_at__isnull=False) | Q(handling_due__lte=as_of))
    on_time = Q(handling_due__isnull=False, resolved_at__isnull=False, resolved_at__lte=F("handling_due"))
    valid = ~Q(state__in=INVALID_STATES)
    resolved = valid & Q(closed_at__isnull=False)
    # A case's verdict is its first rating: one that reopened the case stays dissatisfied.
    rated = ~Q(rating="") | Q(reopened_on_rating=True)
    satisfied = Q(rating__in=SATISFIED_VALUES, reopened_on_rating=False)
    return {
        "received": Q(),
        "response_counted": response_counted,
        "responded": responded,
        "response_late": response_counted & (Q(accepted_at__isnull=True) | Q(accepted_at__gt=F("response_due"))),
        "handling_counted": handling_counted,
        "on_time": on_time,
        "overdue": handling_counted & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("handling_due"))),
        "valid": valid,
        "resolved": resolved,
        "unresolved": valid & Q(closed_at__isnull=True),
        "handled": Q(resolved_at__isnull=False, dispatched_at__isnull=False),
        "reopened": Q(reopen_count__gt=0),
        "rated": rated,
        "satisfied": satisfied,
        "dissatisfied": rated & ~satisfied,
    }


# The counts kept on Figures straight from the case table.
CASE_COUNTS = ("received", "response_counted", "responded", "handling_counted", "on_time", "valid", "resolved",
               "reopened", "rated", "satisfied")


def _ratio(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass
class Figures:
    """What one unit did in one period: the counts, and the rates drawn from them."""

    received: int = 0
    response_counted: int = 0
    responded: int = 0
    handling_counted: int = 0
    on_time: int = 0
    valid: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    handled: int = 0
    handling_seconds: float = 0.0
    reopened: int = 0
    escalated: int = 0
    sidesteps: dict = field(default_factory=lambda: dict.fromkeys(SIDESTEP_KINDS, 0))
    roll_call: dict = field(default_factory=lambda: dict.fromkeys(ATTENDANCES, 0))

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.responded, self.response_counted)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.handling_counted)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.valid)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied, self.rated)

    @property
    def avg_handling_hours(self) -> float | None:
        return self.handling_seconds / self.handled / 3600 if self.handled else None

    @property
    def response_late(self) -> int:
        return self.response_counted - self.responded

    @property
    def overdue(self) -> int:
        return self.handling_counted - self.on_time

    @property
    def unresolved(self) -> int:
        return self.valid - self.resolved

    @property
    def sidesteps_total(self) -> int:
        return sum(self.sidesteps.values())

    @property
    def summoned(self) -> int:
        return sum(self.roll_call.values())

    def rates(self) -> dict[str, float | None]:
        return {"response": self.response_rate, "on_time": self.on_time_rate,
                "resolution": self.resolution_rate, "satisfaction": self.satisfaction_rate}

    def as_dict(self) -> dict:
        out = {name: getattr(self, name) for name in (*CASE_COUNTS, "handled", "escalated")}
        out["handling_seconds"] = round(self.handling_seconds, 1)
        out["sidesteps"] = dict(self.sidesteps)
        out["roll_call"] = dict(self.roll_call)
        out["response_rate"] = self.response_rate
        out["on_time_rate"] = self.on_time_rate
        out["resolution_rate"] = self.resolution_rate
        out["satisfaction_rate"] = self.satisfaction_rate
        out["avg_handling_hours"] = None if self.avg_handling_hours is None else round(self.avg_handling_hours, 2)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        fig = cls(**{name: data.get(name, 0) for name in (*CASE_COUNTS, "handled", "escalated")})
        fig.handling_seconds = float(data.get("handling_seconds", 0.0))
        fig.sidesteps.update(data.get("sidesteps", {}))
        fig.roll_call.update(data.get("roll_call", {}))
        return fig


# --- the computation ------------------------------------------------------------------------------


def compute(unit_type: str, period: Period, *, units=None, by_month: bool = False,
            as_of: dt.datetime | None = None) -> dict[tuple, Figures]:
    """Figures per unit (key `(unit_id,)`), or per unit and month (`(unit_id, month)`, the month
    as its first day) when `by_month`. `units` limits the units (ids); None means all units of
    the type with anything to count. Four grouped queries in all (six where the working time
    cannot be computed in the database)."""
    as_of = as_of or timezone.now()
    paths = PATHS[UnitType(unit_type)]
    out: dict[tuple, Figures] = {}

    def figures(key: tuple) -> Figures:
        key = tuple(_month(v) if i == 1 else v for i, v in enumerate(key))
        if key not in out:
            out[key] = Figures()
        return out[key]

    def keyed(qs: QuerySet, unit_path: str, month_path: str) -> tuple[QuerySet, dict]:
        qs = qs.filter(**{f"{unit_path}__isnull": False})
        if units is not None:
            qs = qs.filter(**{f"{unit_path}__in": list(units)})
        keys = {"k_unit": F(unit_path)}
        if by_month:
            keys["k_month"] = TruncMonth(month_path, tzinfo=local_tz())
        return qs, keys

    def key_of(row: dict) -> tuple:
        return (row["k_unit"], row["k_month"]) if by_month else (row["k_unit"],)

    # 1. The case table: every count in one pass — with the working time from dispatch to
    # resolution when the database can compute it in the same pass (gongzhi.assessment.worktime).
    conditions = case_conditions(as_of)
    cases, keys = keyed(Case.objects.filter(cohort_q(period)), paths.case, "submitted_at")
    counts = {name: Count("pk", filter=conditions[name]) if name != "received" else Count("pk")
              for name in CASE_COUNTS}
    calendar = current_calendar()
    in_query = worktime.native(calendar)
    if in_query:
        last = max(timezone.localtime(as_of, local_tz()).date(), period.last)
        counts["handled"] = Count("pk", filter=conditions["handled"])
        counts["handling_seconds"] = Sum(
            worktime.handling_seconds("dispatched_at", "resolved_at", calendar, period.first, last),
            filter=conditions["handled"], output_field=FloatField())
    for row in cases.values(**keys).annotate(**counts).order_by():
        fig = figures(key_of(row))
        for name in CASE_COUNTS:
            setattr(fig, name, row[name])
        if in_query:
            fig.handled, fig.handling_seconds = row["handled"], max(float(row["handling_seconds"] or 0.0), 0.0)

    # 2. Otherwise two grouped queries by local date.
    if not in_query:
        handled = cases.filter(conditions["handled"])
        for key, (n, seconds) in worktime.working_seconds_between(handled, keys, "dispatched_at", "resolved_at",
                                                                  calendar).items():
            fig = figures(key)
            fig.handled, fig.handling_seconds = n, max(seconds, 0.0)

    # 3. Approved sidesteps, by kind, for the unit that asked (departments) or the place.
    # (Requested after the case was reported, so from the period's start: an indexed range.)
    sidesteps, keys = keyed(Sidestep.objects.filter(cohort_q(period, "case__"), status=SidestepStatus.APPROVED,
                                                    requested_at__gte=period.start),
                            paths.sidestep, "case__submitted_at")
    for row in sidesteps.values(**keys, k_kind=F("kind")).annotate(n=Count("pk")).order_by():
        figures(key_of(row)).sidesteps[row["k_kind"]] = row["n"]

    # 4. Cases escalated as overdue, for the unit responsible then (departments) or the place.
    escalations, keys = keyed(Escalation.objects.filter(cohort_q(period, "case__"), kind__in=OVERDUE_KINDS),
                              paths.escalation, "case__submitted_at")
    for row in escalations.values(**keys).annotate(n=Count("case", distinct=True)).order_by():
        figures(key_of(row)).escalated = row["n"]

    # 5. The roll-call of whistles blown in the period.
    summonses, keys = keyed(Summons.objects.filter(whistle__created_at__gte=period.start,
                                                   whistle__created_at__lt=period.end),
                            paths.summons, "whistle__created_at")
    for row in summonses.values(**keys).annotate(**attendance_counts(as_of)).order_by():
        figures(key_of(row)).roll_call.update({name: row[name] for name in ATTENDANCES})
    return out


def attendance_conditions(as_of: dt.datetime) -> dict[str, Q]:
    """A summons still pending after its deadline counts as absent before the sweep marks it."""
    pending = Q(attendance=Attendance.PENDING)
    return {
        "on_time": Q(attendance=Attendance.ON_TIME),
        "late": Q(attendance=Attendance.LATE),
        "absent": Q(attendance=Attendance.ABSENT) | (pending & Q(whistle__check_in_due__lt=as_of)),
        "pending": pending & Q(whistle__check_in_due__gte=as_of),
    }


def attendance_counts(as_of: dt.datetime) -> dict:
    return {name: Count("pk", filter=q) for name, q in attendance_conditions(as_of).items()}


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, local_tz()) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value


def live_figures(unit_type: str, period: Period) -> tuple[dict[tuple, Figures], dt.datetime]:
    """`compute` for every unit of the type as of now, and when that was. A ranking page is read
    far more often than its cases change: the result is shared for up to
    GONGZHI_ASSESSMENT_LIVE_SECONDS (default 60; 0 turns sharing off), and the pages say as of when."""
    ttl = int(getattr(settings, "GONGZHI_ASSESSMENT_LIVE_SECONDS", DEFAULT_LIVE_SECONDS))
    now = timezone.now()
    if ttl <= 0:
        return compute(unit_type, period, as_of=now), now
    key = f"assessment:live:{unit_type}:{period.first:%Y%m%d}:{period.last:%Y%m%d}"
    hit = cache.get(key)
    if hit is not None:
        return hit[1], hit[0]
    figures = compute(unit_type, period, as_of=now)
    cache.set(key, (now, figures), ttl)
    return figures, now


def unit_figures(unit_type: str, unit_id: int, period: Period, *, as_of: dt.datetime | None = None) -> Figures:
    """One unit's figures for one period."""
    return compute(unit_type, period, units=[unit_id], as_of=as_of).get((unit_id,), Figures())
