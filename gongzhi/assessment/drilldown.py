"""The cases behind every number: a metric of a unit in a period as a condition on cases, built
from the same definitions as the figures (gongzhi.assessment.rates), and always narrowed by
gongzhi.cases.permissions.restrict_cases — a leader sees only the cases in their scope."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.choices import SidestepKind, SidestepStatus
from gongzhi.cases.models import Case, Escalation, Sidestep, Summons
from gongzhi.cases.permissions import CaseAction, restrict_cases
from gongzhi.cases.selectors import LIST_RELATED

from .choices import UnitType
from .periods import Period
from .rates import OVERDUE_KINDS, PATHS, attendance_conditions, case_conditions, cohort_q

CASE_METRICS = {
    "received": _("Received"),
    "response_counted": _("Needed a response"),
    "responded": _("Accepted in time"),
    "response_late": _("Accepted late or not at all"),
    "handling_counted": _("Handling deadline counted"),
    "on_time": _("Resolved on time"),
    "overdue": _("Resolved late or overdue"),
    "valid": _("Valid cases"),
    "resolved": _("Closed as resolved"),
    "unresolved": _("Not resolved yet"),
    "handled": _("Resolved (handling time)"),
    "reopened": _("Reopened"),
    "rated": _("Rated"),
    "satisfied": _("Rated satisfied or basically satisfied"),
    "dissatisfied": _("Rated dissatisfied"),
}
OTHER_METRICS = {
    "escalated": _("Escalated as overdue"),
    **{f"sidestep_{k}": label for k, label in SidestepKind.choices},
    "summoned": _("Summoned by a whistle"),
    "summoned_on_time": _("Reported in on time"),
    "summoned_late": _("Reported in late"),
    "summoned_absent": _("Absent"),
    "summoned_pending": _("Not yet due to report in"),
}
METRICS = {**CASE_METRICS, **OTHER_METRICS}


def drilldown_q(unit_type: str, unit_id: int, period: Period, metric: str, as_of: dt.datetime | None = None) -> Q:
    """The cases counted by `metric` for the unit in the period, as a condition on Case."""
    if metric not in METRICS or unit_type not in UnitType.values:
        raise Http404
    as_of = as_of or timezone.now()
    paths = PATHS[UnitType(unit_type)]
    is_department = unit_type == UnitType.DEPARTMENT
    on_case = Q(**{paths.case: unit_id})
    cohort = cohort_q(period)
    if metric in CASE_METRICS:
        return on_case & cohort & case_conditions(as_of)[metric]
    if metric == "escalated":
        rows = Escalation.objects.filter(kind__in=OVERDUE_KINDS)
        if is_department:
            return cohort & Q(pk__in=rows.filter(handling_department_id=unit_id).values("case_id"))
        return on_case & cohort & Q(pk__in=rows.values("case_id"))
    if metric.startswith("sidestep_"):
        rows = Sidestep.objects.filter(status=SidestepStatus.APPROVED, kind=metric.removeprefix("sidestep_"))
        if is_department:
            return cohort & Q(pk__in=rows.filter(unit_department_id=unit_id).values("case_id"))
        return on_case & cohort & Q(pk__in=rows.values("case_id"))
    # The roll-call: whistles blown in the period (whatever month the case was reported in).
    rows = Summons.objects.filter(whistle__created_at__gte=period.start, whistle__created_at__lt=period.end)
    attendance = metric.removeprefix("summoned").removeprefix("_")
    if attendance:
        rows = rows.filter(attendance_conditions(as_of)[attendance])
    if is_department:
        return Q(pk__in=rows.filter(department_id=unit_id).values("whistle__case_id"))
    return on_case & Q(pk__in=rows.values("whistle__case_id"))


def drilldown_cases(user, unit_type: str, unit_id: int, period: Period, metric: str,
                    as_of: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases behind a number that `user` may see, oldest report first."""
    qs = Case.objects.filter(drilldown_q(unit_type, unit_id, period, metric, as_of))
    return restrict_cases(qs.select_related(*LIST_RELATED), user, CaseAction.VIEW).order_by("submitted_at", "id")
