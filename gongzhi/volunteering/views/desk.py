"""The desk pages: activities and their editor, an activity's roster with check-ins, its QR code
and the certify form; correction requests; volunteers; honour lists."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate

from ..choices import ActivityStatus, CorrectionStatus, SignUpStatus, VolunteerStatus
from ..forms import ActivityForm, HonourForm, ReasonForm, RegisterForForm
from ..permissions import VolunteeringAction as A
from ..qr import check_in_code
from ..selectors import activities as sel
from ..selectors import honours as honour_sel
from ..selectors import volunteers as vol_sel
from ..services import activities as services
from ..services import certification, honours, volunteers
from ..services.certification import suggested_hours


def _may(user, *actions) -> None:
    if not any(scope.may(user, a) for a in actions):
        raise PermissionDenied(_("You may not do this."))


def _refused(request, exc: DomainError):
    if exc.code == "not_found":
        raise Http404 from None
    messages.error(request, str(exc.message))


# --- activities ------------------------------------------------------------------------------------


@login_required
@require_GET
def activities(request):
    _may(request.user, A.VIEW, A.ORGANISE)
    status = request.GET.get("status", "")
    status = status if status in ActivityStatus.values else ""
    query = (request.GET.get("q") or "").strip()[:40]
    items = sel.activities_for(request.user, status=status, query=query)
    return render(request, "volunteering/desk/activities.html", {
        "page": paginate(request, items), "status": status, "q": query, "statuses": ActivityStatus.choices,
        "may_organise": scope.may(request.user, A.ORGANISE),
    })


def _editor(request, activity=None):
    _may(request.user, A.ORGANISE)
    initial = ActivityForm.initial_for(activity) if activity else {}
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if activity is None:
                activity, _created = services.create_activity(actor=request.user, data=form.data_for_service(),
                                                              idempotency_key=form.cleaned_data["idempotency_key"])
            else:
                services.update_activity(actor=request.user, activity_id=activity.pk, data=form.data_for_service(),
                                         expected_version=form.cleaned_data.get("expected_version"))
        except DomainError as exc:
            if exc.code == "not_found":
                raise Http404 from None
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteering:roster", activity.pk)
    return render(request, "volunteering/desk/editor.html", {"form": form, "activity": activity},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    return _editor(request)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    _may(request.user, A.ORGANISE)
    return _editor(request, sel.activity_for(request.user, pk, A.ORGANISE))


@login_required
@require_GET
def roster(request, pk):
    _may(request.user, A.VIEW, A.ORGANISE)
    activity = sel.activity_for(request.user, pk, A.VIEW)
    organises = sel.activities_for(request.user, action=A.ORGANISE).filter(pk=activity.pk).exists()
    people = list(sel.roster(activity))
    for s in people:
        s.suggested = suggested_hours(s) if s.status == SignUpStatus.CONFIRMED and not s.hours_id else None
    return render(request, "volunteering/desk/roster.html", {
        "activity": activity, "people": people, "organises": organises, "reason_form": ReasonForm(),
        "confirmed": SignUpStatus.CONFIRMED, "corrections": sel.corrections_for(
            request.user, action=A.VIEW).filter(activity=activity)[:20],
    })


@login_required
@require_GET
def qr_code(request, pk):
    """The big code the organiser holds up on site; the page renews itself before the code expires."""
    _may(request.user, A.ORGANISE)
    activity = sel.activity_for(request.user, pk, A.ORGANISE)
    code = check_in_code(request, activity)
    return render(request, "volunteering/desk/qr.html", {
        "activity": activity, "code": code, "refresh": max(code["expires_in"] // 2, 30),
    })


def _transition(request, pk, fn, **kwargs):
    _may(request.user, A.ORGANISE)
    try:
        fn(actor=request.user, activity_id=pk, **kwargs)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("volunteering:roster", pk)


@login_required
@require_POST
def activity_publish(request, pk):
    return _transition(request, pk, services.publish_activity)


@login_required
@require_POST
def activity_finish(request, pk):
    return _transition(request, pk, services.finish_activity)


@login_required
@require_POST
def activity_cancel(request, pk):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _may(request.user, A.ORGANISE)
        sel.activity_for(request.user, pk, A.ORGANISE)
        messages.error(request, _("Give a reason."))
        return redirect("volunteering:roster", pk)
    return _transition(request, pk, services.cancel_activity, reason=form.cleaned_data["reason"])


@login_required
@require_POST
def certify(request, pk):
    """The roster's certify form: hours for each participant ticked."""
    _may(request.user, A.ORGANISE)
    chosen = {}
    for key in request.POST.getlist("signup"):
        try:
            chosen[int(key)] = Decimal(request.POST.get(f"hours-{key}") or "0")
        except (ValueError, InvalidOperation):
            messages.error(request, _("Hours must be a number."))
            return redirect("volunteering:roster", pk)
    if not chosen:
        sel.activity_for(request.user, pk, A.ORGANISE)
        messages.error(request, _("Tick the people whose hours you certify."))
        return redirect("volunteering:roster", pk)
    try:
        records = certification.certify_many(actor=request.user, activity_id=pk, hours=chosen)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Hours certified for %(count)d people.") % {"count": len(records)})
    return redirect("volunteering:roster", pk)


# --- corrections -------------------------------------------------------------------------------


@login_required
@require_GET
def corrections(request):
    _may(request.user, A.VIEW, A.ORGANISE)
    status = request.GET.get("status", CorrectionStatus.OPEN)
    status = status if status in CorrectionStatus.values else ""
    return render(request, "volunteering/desk/corrections.html", {
        "page": paginate(request, sel.corrections_for(request.user, status=status, action=A.VIEW)),
        "status": status, "statuses": CorrectionStatus.choices,
    })


@login_required
@require_GET
def correction(request, pk):
    _may(request.user, A.VIEW, A.ORGANISE)
    item = sel.correction_for(request.user, pk, A.VIEW)
    decides = sel.corrections_for(request.user).filter(pk=item.pk).exists()
    return render(request, "volunteering/desk/correction.html", {
        "correction": item, "decides": decides, "reason_form": ReasonForm(),
    })


@login_required
@require_POST
def correction_accept(request, pk):
    _may(request.user, A.ORGANISE)
    try:
        certification.accept_correction(actor=request.user, correction_id=pk)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Corrected: the old hours are voided and the new ones certified."))
    return redirect("volunteering:correction", pk)


@login_required
@require_POST
def correction_refuse(request, pk):
    _may(request.user, A.ORGANISE)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            sel.correction_for(request.user, pk, A.ORGANISE)
            raise DomainError(_("Give a reason."))
        certification.refuse_correction(actor=request.user, correction_id=pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Refused."))
    return redirect("volunteering:correction", pk)


# --- volunteers --------------------------------------------------------------------------------


@login_required
@require_GET
def volunteer_list(request):
    _may(request.user, A.VIEW)
    status = request.GET.get("status", "")
    status = status if status in VolunteerStatus.values else ""
    query = (request.GET.get("q") or "").strip()[:40]
    return render(request, "volunteering/desk/volunteers.html", {
        "page": paginate(request, vol_sel.volunteers_for(request.user, status=status, query=query)),
        "status": status, "q": query, "statuses": VolunteerStatus.choices,
        "manages": scope.may(request.user, A.MANAGE), "reason_form": ReasonForm(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_new(request):
    _may(request.user, A.MANAGE)
    form = RegisterForForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.register_for(actor=request.user, user_id=form.cleaned_data["person"].pk,
                                    community_id=form.cleaned_data["community"].pk, skills=form.cleaned_skills())
        except DomainError as exc:
            if exc.code == "not_found":
                raise Http404 from None
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Registered as a volunteer."))
            return redirect("volunteering:volunteers")
    return render(request, "volunteering/desk/volunteer_new.html", {"form": form},
                  status=400 if form.errors else 200)


VOLUNTEER_STEPS = {"approve": (volunteers.approve, False), "decline": (volunteers.decline, True),
                   "suspend": (volunteers.suspend, True), "reinstate": (volunteers.reinstate, False),
                   "remove": (volunteers.remove, True)}


@login_required
@require_POST
def volunteer_step(request, pk, step):
    _may(request.user, A.MANAGE)
    if step not in VOLUNTEER_STEPS:
        raise PermissionDenied(_("You may not do this."))
    fn, needs_reason = VOLUNTEER_STEPS[step]
    kwargs = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    try:
        fn(actor=request.user, volunteer_id=pk, expected_version=request.POST.get("version") or None, **kwargs)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("volunteering:volunteers")


# --- honour lists -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def honour_lists(request):
    _may(request.user, A.VIEW)
    manages = scope.may(request.user, A.MANAGE)
    form = HonourForm(request.POST or None, user=request.user) if manages else None
    if request.method == "POST":
        _may(request.user, A.MANAGE)
        if form.is_valid():
            try:
                honour = honours.publish_honour_list(actor=request.user, community_id=form.cleaned_data["community"].pk,
                                                     year=form.cleaned_data["year"], top=form.cleaned_data["top"])
            except DomainError as exc:
                if exc.code == "not_found":
                    raise Http404 from None
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Published on notice until %(date)s.")
                                 % {"date": honour.notice_ends_on.strftime("%Y-%m-%d")})
                return redirect("volunteering:honours")
    return render(request, "volunteering/desk/honours.html", {
        "page": paginate(request, honour_sel.honour_lists_for(request.user)), "form": form, "manages": manages,
        "reason_form": ReasonForm(),
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def honour_withdraw(request, pk):
    _may(request.user, A.MANAGE)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            honour_sel.honour_list_for(request.user, pk, A.MANAGE)
            raise DomainError(_("Give a reason."))
        honours.withdraw_honour_list(actor=request.user, honour_list_id=pk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("volunteering:honours")
