"""The action panel's forms, each sent here: parse the form, call the one service, and go back to
the case. A refusal — an illegal step, a missing reason, someone else acting first — comes back
as the service worded it, on the case page as it stands now, with nothing changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError, StaleEdit

from .. import selectors
from ..choices import AttachmentKind
from ..forms import AnswerForm
from ..services import merging, sidesteps, whistle, workflow
from ..uploads import prepare_uploads
from .detail import case_page
from .panel import FORMS, Panel


def _register(user, case, d):
    workflow.register_case(actor=user, case=case, category=d["category"], note=d["note"],
                           expected_version=d["version"])
    return _("Case %(number)s registered.") % {"number": case.tracking_number}


def _reject(user, case, d):
    workflow.reject_case(actor=user, case=case, reason=d["reason"], expected_version=d["version"])
    return _("Report %(number)s rejected.") % {"number": case.tracking_number}


def _dispatch(user, case, d, form):
    case = workflow.dispatch_case(actor=user, case=case, note=d["note"], expected_version=d["version"],
                                  **form.chosen())
    return _("Case %(number)s sent to %(unit)s.") % {"number": case.tracking_number, "unit": case.handling_unit_name}


def _accept(user, case, d):
    workflow.accept_case(actor=user, case=case, note=d["note"], expected_version=d["version"])
    return _("Case %(number)s accepted.") % {"number": case.tracking_number}


def _start(user, case, d):
    workflow.start_case(actor=user, case=case, note=d["note"], expected_version=d["version"])
    return _("Work on case %(number)s started.") % {"number": case.tracking_number}


def _resolve(user, case, d):
    files = prepare_uploads(d["photos"], photo_kind=AttachmentKind.AFTER_PHOTO)
    workflow.resolve_case(actor=user, case=case, feedback=d["feedback"], files=files, expected_version=d["version"])
    return _("Case %(number)s reported resolved.") % {"number": case.tracking_number}


def _verify(user, case, d):
    case = workflow.verify_case(actor=user, case=case, passed=d["passed"], note=d["note"],
                                expected_version=d["version"])
    done = _("Case %(number)s verified.") if d["passed"] else _("Case %(number)s failed verification.")
    return done % {"number": case.tracking_number}


def _close(user, case, d):
    workflow.close_case(actor=user, case=case, note=d["note"], expected_version=d["version"])
    return _("Case %(number)s closed.") % {"number": case.tracking_number}


def _resume(user, case, d):
    workflow.resume_case(actor=user, case=case, note=d["note"], expected_version=d["version"])
    return _("Work on case %(number)s resumed.") % {"number": case.tracking_number}


def _sidestep(user, case, d, form):
    sidesteps.request_sidestep(actor=user, case=case, kind=d["kind"], reason=d["reason"],
                               extension_amount=d.get("extension_amount"),
                               extension_unit=d.get("extension_unit") or "days", expected_version=d["version"],
                               **form.target_unit())
    return _("Your request on case %(number)s awaits approval.") % {"number": case.tracking_number}


def _decide(user, case, d, pending):
    if pending is None:
        raise DomainError(_("This request was already decided."), code="illegal_transition")
    sidesteps.decide_sidestep(actor=user, sidestep=pending, approve=d["approve"], note=d["note"] or "",
                              expected_version=d["version"])
    return _("Request approved.") if d["approve"] else _("Request denied.")


def _whistle(user, case, d, form):
    whistle.blow_whistle(actor=user, case=case, reason=d["reason"], **form.summoned())
    return _("Whistle blown on case %(number)s.") % {"number": case.tracking_number}


def _merge(user, case, d, form):
    ids = [int(i) for i in d["duplicates"]]
    duplicates = list(selectors.cases_for(user).filter(pk__in=ids))
    if len(duplicates) != len(set(ids)):
        raise Http404
    merging.merge_cases(actor=user, survivor=case, duplicates=duplicates, reason=d["reason"])
    return _("%(n)s duplicates merged into case %(number)s.") % {"n": len(duplicates), "number": case.tracking_number}


HANDLERS = {
    "register": _register, "reject": _reject, "accept": _accept, "start": _start, "resolve": _resolve,
    "verify": _verify, "close": _close, "resume": _resume,
}
CHOICES_FROM_STATE = {"sidestep", "decide", "whistle", "merge"}
WITH_FORM = {"dispatch": _dispatch, "sidestep": _sidestep, "whistle": _whistle, "merge": _merge}


@login_required
@require_POST
def act(request, pk, action):
    if action not in FORMS:
        raise Http404
    user = request.user
    case = selectors.case_detail(user, pk)  # 404 alike for missing and out of scope
    panel = Panel(user, case)
    if action in CHOICES_FROM_STATE and action not in panel.available:
        # These forms' choices come from the case as it is now, and there are none left to offer
        # (the plain steps go on to the service, which words its own refusal).
        return case_page(request, case, error=_("This action is no longer open on case %(number)s: someone may "
                                                "have acted on it first. Here it is as it stands now.")
                         % {"number": case.tracking_number}, stale=True, status=409)
    form = panel.form(action, request.POST, request.FILES)
    if not form.is_valid():
        return case_page(request, case, bound={action: form}, status=400)
    try:
        d = form.cleaned_data
        if action in HANDLERS:
            done = HANDLERS[action](user, case, d)
        elif action == "decide":
            done = _decide(user, case, d, panel.pending)
        else:
            done = WITH_FORM[action](user, case, d, form)
    except StaleEdit as exc:
        return case_page(request, selectors.case_detail(user, pk), error=str(exc.message), stale=True, status=409)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        fresh = selectors.case_detail(user, pk)
        return case_page(request, fresh, bound={action: form}, error=str(exc.message),
                         status=403 if exc.code == "forbidden" else 400)
    messages.success(request, done)
    return _back(user, pk)


def _back(user, pk):
    """Back to the case — or, if this user no longer sees it (a unit that returned or transferred
    it), to the workbench."""
    try:
        selectors.case_detail(user, pk)
    except Http404:
        return redirect("cases:workbench")
    return redirect("cases:detail", pk=pk)


def _summons(user, case, summons_id):
    found = next((s for s in selectors.my_summonses_on(user, case) if s.pk == summons_id), None)
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def answer_summons(request, pk, summons_id, step):
    """Report in to a whistle (报到), then record what was done."""
    user = request.user
    case = selectors.case_detail(user, pk)
    summons = _summons(user, case, summons_id)
    form = AnswerForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if step == "check-in":
            whistle.report_in(actor=user, summons=summons, note=note)
            messages.success(request, _("You reported in on case %(number)s.") % {"number": case.tracking_number})
        elif step == "action":
            whistle.record_action(actor=user, summons=summons, note=note)
            messages.success(request, _("Your action on case %(number)s is recorded.")
                             % {"number": case.tracking_number})
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc.message))
    if request.POST.get("next") == "workbench":
        return redirect("/cases/?tab=whistles")
    return redirect("cases:detail", pk=pk)
