"""Following a case: the public tracking page (anyone with the tracking code — never the number,
which counts up and would open every case to whoever counts), following it instead of
reporting it again, verifying and rating by its followers (signed in, or with the secret link of a
report made without an account), the public photos, and a signed-in resident's list of the cases
they reported or follow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.digests import secret_digest
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.pagination import paginate

from .. import selectors
from ..choices import HANDLING_CLOCK_STATES, VERIFYING_FOLLOWERS, AttachmentKind, CaseState, FollowKind
from ..deadline_status import deadline_status
from ..forms import RateForm, TrackLookupForm, VerifyForm
from ..models import CaseFollower
from ..permissions import sees_as_staff
from ..services import following
from ..services.workflow import paused_hours, rate_case, verify_case
from .common import follow_token, serve_attachment, set_follow_cookie

MINE_PER_PAGE = 20


@require_GET
def lookup(request):
    """Type a tracking code to follow a case."""
    form = TrackLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        case = selectors.public_case(form.cleaned_data["code"])
        if case is not None:
            return redirect("cases:track", code=case.tracking_code)
        form.add_error("code", _("No case has this tracking code."))
    return render(request, "cases/track_lookup.html", {"form": form}, status=404 if form.errors else 200)


def _public_case(code):
    case = selectors.public_case(code)
    if case is None:
        raise Http404
    return case


@require_GET
def track(request, code):
    token = request.GET.get("token", "")
    case = selectors.public_case(code)
    if case is None:
        # A secret link handed out before cases had codes names the number: its secret, not the
        # number, opens the case, so counting still finds nothing.
        case = selectors.case_by_secret_link(code, token)
        if case is None:
            raise Http404
        return redirect(reverse("cases:track", kwargs={"code": case.tracking_code}) + "?" + urlencode({"token": token}))
    if case.tracking_code != code:
        return redirect("cases:track", code=case.tracking_code)  # typed in lower case, or in groups
    if token:
        # The secret link an anonymous reporter was given: keep it in this browser, then drop it
        # from the address bar.
        if selectors.follows_by_token(case, token):
            response = redirect("cases:track", code=code)
            set_follow_cookie(response, code, token)
            return response
        messages.error(request, _("This follow link is not valid for case %(number)s.")
                       % {"number": case.tracking_number})
    return _track_page(request, case)


def _viewer(request, case) -> dict:
    """How the viewer follows the case: by account (as a reporter, or having chosen to follow it),
    or by the secret an anonymous reporter holds — the case's own, or that of a duplicate merged
    into it (kept in the browser under that report's code)."""
    kind = following.follow_kind(request.user, case)
    token = ""
    if not kind:
        for code in following.token_codes(case):
            candidate = follow_token(request, code)
            if candidate and selectors.follows_by_token(case, candidate):
                token = candidate
                break
    reporter = getattr(request.user, "is_authenticated", False) and case.reporter_id == request.user.pk
    own_secret = bool(token) and secret_digest(token) == case.follow_token_hash
    return {"follower": bool(kind or token), "user_follows": bool(kind), "kind": kind,
            # Who reported the problem checks the result; a resident who chose to follow only rates.
            "verifier": bool(token) or kind in VERIFYING_FOLLOWERS,
            # Only this report's own reporter reads its words here.
            "token": token, "own_report": bool(reporter or own_secret)}


def _track_page(request, case, *, rate_form=None, verify_form=None, status=200):
    viewer = _viewer(request, case)
    user = request.user
    signed_in = getattr(user, "is_authenticated", False)
    may_verify = viewer["verifier"] and case.state == CaseState.RESOLVED
    if may_verify and verify_form is None:
        verify_form = VerifyForm(initial={"version": case.version}, prefix="verify")
    rated = selectors.rated_by(user, case) if viewer["user_follows"] else _token_rated(case, viewer["token"])
    may_rate = viewer["follower"] and (case.state == CaseState.CLOSED
                                       or (case.state == CaseState.RATED and not rated))
    photos = selectors.public_photos(case)
    if may_rate and rate_form is None:
        rate_form = RateForm(initial={"version": case.version})
    followable = case.state in following.FOLLOWABLE_STATES and not viewer["follower"]
    return render(request, "cases/track.html", {
        "case": case,
        "events": list(reversed(selectors.timeline(case, public=True))),
        "photos": [p for p in photos if p.kind == AttachmentKind.PHOTO],
        "after_photos": [p for p in photos if p.kind == AttachmentKind.AFTER_PHOTO],
        "running": case.state in HANDLING_CLOCK_STATES,
        "paused": paused_hours(case),
        "deadline": deadline_status(case),
        "follower": viewer["follower"],
        "own_report": viewer["own_report"],
        # "Someone already reported this — follow it instead?": the offer, or the way out of it.
        "may_follow": followable and signed_in and not sees_as_staff(user, case),
        "sign_in_to_follow": followable and not signed_in,
        "may_unfollow": viewer["kind"] == FollowKind.FOLLOWER,
        "rate_form": rate_form if may_rate else None,
        "verify_form": verify_form if may_verify else None,
        # A refusal for someone the form is not for (not the reporter, or rated already).
        "refusal": rate_form.non_field_errors() if rate_form is not None and not may_rate else None,
    }, status=status)


def _token_rated(case, token: str) -> bool:
    from ..models import CaseRating

    if not token:
        return False
    return CaseRating.objects.filter(case=case, round=case.reopen_count + 1, token_hash=secret_digest(token)).exists()


@require_POST
def rate(request, code):
    case = _public_case(code)
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
        return _track_page(request, _public_case(code), rate_form=form,
                           status=409 if isinstance(exc, StaleEdit) else 400)
    messages.success(request, _("Thank you for rating case %(number)s.") % {"number": case.tracking_number})
    return redirect("cases:track", code=case.tracking_code)


@require_POST
def verify(request, code):
    """The reporter checks the result: fixed, or not (which sends it back to the unit once). A
    reporter without an account checks with the secret link of their report."""
    case = _public_case(code)
    form = VerifyForm(request.POST, prefix="verify")
    viewer = _viewer(request, case)
    if not viewer["verifier"]:
        raise Http404
    if form.is_valid():
        d = form.cleaned_data
        try:
            if viewer["token"]:
                verify_case(actor=None, case=case, passed=d["passed"], note=d["note"], follow_token=viewer["token"],
                            expected_version=d["version"])
            else:
                verify_case(actor=request.user, case=case, passed=d["passed"], note=d["note"],
                            expected_version=d["version"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Thank you: your check of case %(number)s is recorded.")
                             % {"number": case.tracking_number})
            return redirect("cases:track", code=case.tracking_code)
    return _track_page(request, _public_case(code), verify_form=form, status=400)


@login_required
@require_POST
def follow(request, code):
    """Follow a case someone else reported, instead of reporting it again."""
    return _following_step(request, code, following.follow_case,
                           lambda number: _("You follow case %(number)s: you will be told how it goes, and asked "
                                            "to rate it when it is closed.") % {"number": number})


@login_required
@require_POST
def unfollow(request, code):
    return _following_step(request, code, following.unfollow_case,
                           lambda number: _("You no longer follow case %(number)s.") % {"number": number})


def _following_step(request, code, step, done):
    """Follow or unfollow: a refusal is told on the tracking page itself, success after a redirect."""
    case = _public_case(code)
    try:
        step(actor=request.user, case=case)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _track_page(request, case, status=403 if exc.code == "forbidden" else 400)
    messages.success(request, done(case.tracking_number))
    return redirect("cases:track", code=case.tracking_code)


@require_GET
def public_photo(request, code, attachment_id):
    case = _public_case(code)
    row = next((a for a in selectors.public_photos(case) if a.pk == attachment_id), None)
    if row is None:
        raise Http404
    return serve_attachment(row, public=True, request=request)


@login_required
@require_http_methods(["GET"])
def mine(request):
    page = paginate(request, selectors.my_cases(request.user), per_page=MINE_PER_PAGE)
    followed = set(CaseFollower.objects.filter(user=request.user, case__in=[c.pk for c in page],
                                               kind=FollowKind.FOLLOWER).values_list("case_id", flat=True))
    return render(request, "cases/mine.html", {
        "page": page, "report_url": reverse("cases:report"),
        "statuses": {c.pk: deadline_status(c) for c in page},
        # Cases followed rather than reported: shown without the reporter's own words.
        "followed": followed,
    })
