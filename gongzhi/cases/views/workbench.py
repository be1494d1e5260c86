"""The staff workbench: my unit's queues as tabs with counts, filters and search within scope,
whistles awaiting my report-in, and accepting many dispatched cases at once."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from .. import selectors
from ..deadline_status import deadline_status
from ..forms import BulkAcceptForm, CaseFilterForm
from ..permissions import CaseAction, access_case, may_anywhere
from ..services.workflow import accept_case
from .common import works_on_cases

PER_PAGE = 25
A = CaseAction


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    actions: tuple[str, ...]  # the tab shows if the user may do one of these somewhere


TABS = [
    Tab("to_register", gettext_lazy("To register"), (A.REGISTER,)),
    Tab("to_dispatch", gettext_lazy("To dispatch"), (A.DISPATCH,)),
    Tab("to_accept", gettext_lazy("To accept"), (A.HANDLE,)),
    Tab("in_progress", gettext_lazy("In progress"), (A.HANDLE,)),
    Tab("due_soon", gettext_lazy("Due soon"), (A.HANDLE, A.APPROVE)),
    Tab("overdue", gettext_lazy("Overdue"), (A.HANDLE, A.APPROVE)),
    Tab("to_verify", gettext_lazy("To verify"), (A.VERIFY,)),
    Tab("to_close", gettext_lazy("To close"), (A.CLOSE,)),
    Tab("awaiting_approval", gettext_lazy("Awaiting my approval"), (A.APPROVE,)),
    Tab("whistles", gettext_lazy("Whistles to report in"), (A.CHECK_IN,)),
    Tab("all", gettext_lazy("All cases"), (A.VIEW,)),
]
COUNTED = {t.name for t in TABS} - {"all", "whistles"}


def _tabs_for(user) -> list[Tab]:
    return [t for t in TABS if any(may_anywhere(user, a) for a in t.actions)]


@login_required
@require_GET
def workbench(request):
    user = request.user
    if not works_on_cases(user):
        return redirect("cases:mine")
    now = timezone.now()
    tabs = _tabs_for(user)
    summonses = selectors.summonses_for(user)
    counts = selectors.queue_counts(user, [t.name for t in tabs if t.name in COUNTED], now)
    counts["whistles"] = summonses.count()
    if counts["whistles"] and not any(t.name == "whistles" for t in tabs):
        tabs.insert(len(tabs) - 1, next(t for t in TABS if t.name == "whistles"))  # a summoned member
    names = [t.name for t in tabs]
    current = request.GET.get("tab")
    if current not in names:
        current = next((n for n in names if counts.get(n)), names[-1])
    context = {"tabs": [{"tab": t, "count": counts.get(t.name)} for t in tabs], "current": current}
    if current == "whistles":
        page = paginate(request, summonses, per_page=PER_PAGE)
        selectors.as_read_by_each(user, [s.whistle for s in page.object_list], lambda whistle: whistle.case)
        return render(request, "cases/workbench.html", {**context, "page": page, "summons_page": True})
    communities, grids = selectors.filter_places(user)
    classes = selectors.catalogue()
    form = CaseFilterForm(request.GET if _filtering(request) else None, classes=classes, communities=communities,
                          grids=grids)
    cases = selectors.cases_for(user).order_by("-submitted_at", "-id") if current == "all" \
        else selectors.queue(user, current, now)
    cases = selectors.filter_cases(cases, **form.filters())
    page = paginate(request, cases, per_page=PER_PAGE)
    return render(request, "cases/workbench.html", {
        **context, "page": page, "form": form, "filtered": form.active,
        "statuses": {c.pk: deadline_status(c, now) for c in page},
        "bulk_accept": current == "to_accept",
        "may_file": may_anywhere(user, A.REPORT),
    })


def _filtering(request) -> bool:
    return any(request.GET.get(k) for k in ("q", "category", "state", "place", "since", "until"))


@login_required
@require_POST
def bulk_accept(request):
    """Accept each ticked case with the service, one by one, and say which were accepted and
    which were refused, and why."""
    form = BulkAcceptForm(request.POST)
    back = reverse("cases:workbench") + "?tab=to_accept"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    accepted, refused = [], []
    for pk, version in form.cleaned_data["cases"]:
        try:
            case = access_case(request.user, pk, A.VIEW)
        except Http404:
            refused.append(_("Case #%(id)s: not found among your cases.") % {"id": pk})
            continue
        try:
            accept_case(actor=request.user, case=case, note=form.cleaned_data["note"], expected_version=version)
        except DomainError as exc:
            refused.append(str(exc.message))
        else:
            accepted.append(case.tracking_number)
    if accepted:
        messages.success(request, _("Accepted: %(numbers)s.") % {"numbers": "、".join(accepted)})
    for reason in refused:
        messages.error(request, _("Not accepted — %(reason)s") % {"reason": reason})
    return redirect(back)
