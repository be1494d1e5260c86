"""Following a case: the public tracking page (anyone with the number), rating by its
followers, the public photos, and a signed-in resident's list of their own cases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.pagination import paginate

from .. import selectors
from ..choices import HANDLING_CLOCK_STATES, AttachmentKind, CaseState
from ..deadline_status import deadline_status
from ..forms import RateForm, TrackLookupForm, VerifyForm
from ..services.workflow import rate_case, verify_case
from .common import follow_token, serve_attachment, set_follow_cookie

MINE_PER_PAGE = 20


@require_GET
def lookup(request):
    """Type a tracking number to follow a case."""
    form = TrackLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["number"]
        if selectors.public_case(number) is not None:
            return redirect("cases:track", number=number)
        form.add_error("number", _("No case has this tracking number."))
    return render(request, "cases/track_lookup.html", {"form": form}, status=404 if form.errors else 200)


def _public_case(number):
    case = selectors.public_case(number)
    if case is None:
        raise Http404
    return case


@require_GET
def track(request, number):
    case = _public_case(number)
    token = request.GET.get("token", "")
    if token:
        # The secret link an anonymous reporter was given: keep it in this browser, then drop it
        # from the address bar.
        if selectors.follows_by_token(case, token):
            response = redirect("cases:track", number=number)
            set_follow_cookie(response, number, token)
            return response
        messages.error(request, _("This follow link is not valid for case %(number)s.") % {"number": number})
    return _track_page(request, case)


def _viewer(request, case) -> dict:
    """Whether the viewer follows the case: by account, or by the secret an anonymous reporter holds."""
    user_follows = selectors.is_follower(request.user, case)
    token = "" if user_follows else follow_token(request, case.tracking_number)
    token_follows = bool(token) and selectors.follows_by_token(case, token)
    reporter = getattr(request.user, "is_authenticated", False) and case.reporter_id == request.user.pk
    return {"follower": user_follows or token_follows, "user_follows": user_follows,
            "token": token if token_follows else "", "own_report": bool(reporter or token_follows)}


def _track_page(request, case, *, rate_form=None, verify_form=None, status=200):
    viewer = _viewer(request, case)
    # A signed-in reporter may check the result themselves (the service lets followers verify).
    may_verify = viewer["user_follows"] and case.state == CaseState.RESOLVED
    if may_verify and verify_form is None:
        verify_form = VerifyForm(initial={"version": case.version}, prefix="verify")
    may_rate = (viewer["follower"] and case.state == CaseState.CLOSED) or (
        viewer["user_follows"] and case.state == CaseState.RATED
        and not selectors.rated_by(request.user, case))
    photos = selectors.public_photos(case)
    if may_rate and rate_form is None:
        rate_form = RateForm(initial={"version": case.version})
    return render(request, "cases/track.html", {
        "case": case,
        "events": list(reversed(selectors.timeline(case, public=True))),
        "photos": [p for p in photos if p.kind == AttachmentKind.PHOTO],
        "after_photos": [p for p in photos if p.kind == AttachmentKind.AFTER_PHOTO],
        "running": case.state in HANDLING_CLOCK_STATES,
        "deadline": deadline_status(case),
        "follower": viewer["follower"],
        "own_report": viewer["own_report"],
        "rate_form": rate_form if may_rate else None,
        "verify_form": verify_form if may_verify else None,
        # A refusal for someone the form is not for (not the reporter, or rated already).
        "refusal": rate_form.non_field_errors() if rate_form is not None and not may_rate else None,
    }, status=status)


@require_POST
def rate(request, number):
    case = _public_case(number)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _track_page(request, case, rate_form=form, status=400)
    viewer = _viewer(request, case)
    d = form.cleaned_data
    try:
        if viewer["user_follows"]:
            rate_case(actor=request.user, case=case, value=d["rating"], comment=d["comment"],
                      expected_version=d["version"])
        else:
            # Without an account (or not this case's reporter): the follow secret decides.
            rate_case(actor=None, case=case, value=d["rating"], comment=d["comment"],
                      follow_token=viewer["token"], expected_version=d["version"])
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _track_page(request, _public_case(number), rate_form=form,
                           status=409 if isinstance(exc, StaleEdit) else 400)
    messages.success(request, _("Thank you for rating case %(number)s.") % {"number": number})
    return redirect("cases:track", number=number)


@login_required
@require_POST
def verify(request, number):
    """The reporter checks the result: fixed, or not (which sends it back to the unit once)."""
    case = _public_case(number)
    form = VerifyForm(request.POST, prefix="verify")
    if form.is_valid():
        d = form.cleaned_data
        try:
            if not selectors.is_follower(request.user, case):
                raise Http404
            verify_case(actor=request.user, case=case, passed=d["passed"], note=d["note"],
                        expected_version=d["version"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Thank you: your check of case %(number)s is recorded.") % {"number": number})
            return redirect("cases:track", number=number)
    return _track_page(request, _public_case(number), verify_form=form, status=400)


@require_GET
def public_photo(request, number, attachment_id):
    case = _public_case(number)
    row = next((a for a in selectors.public_photos(case) if a.pk == attachment_id), None)
    if row is None:
        raise Http404
    return serve_attachment(row, public=True)


@login_required
@require_http_methods(["GET"])
def mine(request):
    page = paginate(request, selectors.my_cases(request.user), per_page=MINE_PER_PAGE)
    return render(request, "cases/mine.html", {
        "page": page, "report_url": reverse("cases:report"),
        "statuses": {c.pk: deadline_status(c) for c in page},
    })
