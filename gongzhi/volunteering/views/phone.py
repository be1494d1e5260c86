"""The volunteer's phone pages (375 px first): activities near me, an activity and signing up,
my sign-ups, the check-in landing a QR code opens, my hours with star level and certificate, and
registering as a volunteer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from ..certificates import render_certificate
from ..choices import HoursStatus
from ..forms import CorrectionForm, ReasonForm, RegisterForm
from ..permissions import VolunteeringAction as A
from ..selectors import activities as sel
from ..selectors import honours as honour_sel
from ..selectors import hours as hours_sel
from ..selectors import volunteers as vol_sel
from ..services import certification, honours, signups, volunteers
from ..services.signups import may_serve


def _server(user) -> None:
    if not scope.may(user, A.SERVE):
        raise PermissionDenied(_("Only residents and party members serve as volunteers."))


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def home(request):
    """Activities still to come, nearest first when the phone shares where it is."""
    _server(request.user)
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    activities = sel.open_activities(request.user, lat=lat, lng=lng)
    return render(request, "volunteering/phone/home.html", {
        "page": paginate(request, activities, per_page=15), "near": lat is not None and lng is not None,
        "volunteer": vol_sel.my_volunteer(request.user), "may_serve": may_serve(request.user),
    })


@login_required
@require_GET
def activity(request, pk):
    item = sel.phone_activity(request.user, pk)
    mine = sel.my_signup(request.user, item)
    return render(request, "volunteering/phone/activity.html", {
        "activity": item, "mine": mine, "may_serve": may_serve(request.user),
        "may_organise": sel.activities_for(request.user, action=A.ORGANISE).filter(pk=item.pk).exists(),
    })


@login_required
@require_POST
def sign_up(request, pk):
    try:
        signup, _created = signups.sign_up(actor=request.user, activity_id=pk, slot_id=request.POST.get("slot") or None,
                                           group_name=request.POST.get("group_name", ""),
                                           idempotency_key=request.POST.get("idempotency_key", ""))
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, str(exc.message))
    else:
        if signup.status == "waiting":
            messages.info(request, _("The role is full: you are on the waiting list and will be told if a place "
                                     "comes free."))
        else:
            messages.success(request, _("You are signed up."))
    return redirect("volunteering:activity", pk)


@login_required
@require_POST
def withdraw(request, pk):
    try:
        signup = signups.withdraw(actor=request.user, signup_id=pk)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, str(exc.message))
        return redirect("volunteering:my_signups")
    messages.success(request, _("You have withdrawn."))
    return redirect("volunteering:activity", signup.activity_id)


@login_required
@require_GET
def my_signups(request):
    return render(request, "volunteering/phone/my_signups.html", {
        "page": paginate(request, sel.my_signups(request.user), per_page=20),
    })


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, token):
    """The page the organiser's QR code opens: which activity, and a button to check in or out
    (a GET changes nothing; a forged or expired code says so)."""
    if request.method == "POST":
        _server(request.user)
    error, item, mine = None, None, None
    try:
        activity_id = signups.read_token(token)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        error = str(exc.message)
    else:
        item = sel.phone_activity(request.user, activity_id)
        if request.method == "POST":
            try:
                signups.check_in_by_token(actor=request.user, token=token,
                                          direction=request.POST.get("direction", "in"))
            except DomainError as exc:
                if exc.code == "not_found":
                    raise Http404 from None
                error = str(exc.message)
            else:
                messages.success(request, _("Checked out. Thank you!") if request.POST.get("direction") == "out"
                                 else _("Checked in."))
                return redirect("volunteering:check_in", token)
        mine = sel.my_signup(request.user, item)
    return render(request, "volunteering/phone/check_in.html", {
        "activity": item, "mine": mine, "error": error, "token": token,
    }, status=400 if error else 200)


@login_required
@require_POST
def check_in_location(request, pk):
    try:
        signups.check_in_by_location(actor=request.user, activity_id=pk, lat=request.POST.get("lat"),
                                     lng=request.POST.get("lng"), direction=request.POST.get("direction", "in"))
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Checked out. Thank you!") if request.POST.get("direction") == "out"
                         else _("Checked in."))
    return redirect("volunteering:activity", pk)


@login_required
@require_GET
def my_hours(request):
    standing = hours_sel.total_of(request.user)
    return render(request, "volunteering/phone/my_hours.html", {
        "standing": standing, "page": paginate(request, hours_sel.my_hours(request.user), per_page=20),
        "certified": HoursStatus.CERTIFIED, "form": CorrectionForm(),
        "certificates": honour_sel.my_certificates(request.user)[:5],
    })


@login_required
@require_POST
def correction_request(request, pk):
    hours_sel.hours_record_for(request.user, pk, A.SERVE)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the hours you served and why."))
        return redirect("volunteering:my_hours")
    try:
        certification.request_correction(actor=request.user, hours_id=pk, reason=form.cleaned_data["reason"],
                                         proposed_hours=form.cleaned_data["proposed_hours"])
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from None
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your request was sent to the organiser."))
    return redirect("volunteering:my_hours")


@login_required
@require_POST
def certificate(request):
    """The certificate of my hours as a PDF (the same number while nothing new is certified)."""
    try:
        cert = honours.issue_certificate(actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("volunteering:my_hours")
    verify_url = request.build_absolute_uri(reverse("volunteering:verify")) + f"?number={cert.number}"
    response = HttpResponse(render_certificate(cert, verify_url=verify_url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    _server(request.user)
    current = vol_sel.my_volunteer(request.user)
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.register_self(actor=request.user, community_id=form.cleaned_data["community"].pk,
                                     skills=form.cleaned_skills())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Registered. The community will approve your registration."))
            return redirect("volunteering:register")
    return render(request, "volunteering/phone/register.html", {
        "volunteer": current, "form": form, "leave_form": ReasonForm(),
        "standing": hours_sel.total_of(request.user) if current else None,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def leave(request):
    _server(request.user)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            volunteers.leave(actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("You are no longer registered as a volunteer."))
    else:
        messages.error(request, _("Give a reason."))
    return redirect("volunteering:register")
