"""A squad member's phone pages: my squad and its alerts (acknowledge with an ETA, "I'm here"),
open readiness checks, and my tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import scope
from gongzhi.core.pages import attempt, refuse_form
from gongzhi.core.pagination import paginate

from .. import forms
from .. import selectors as sel
from ..choices import AlertStatus, Attendance
from ..services import alerts as alert_services
from ..services import squads as services


@login_required
@require_GET
def my_squad(request):
    user = request.user
    return render(request, "squads/phone/my.html", {
        "squads": sel.my_squads(user),
        "checks": sel.open_checks_for(user),
        "page": paginate(request, sel.my_responses(user), per_page=10)})


def _mine(user, pk):
    try:
        return sel.my_response(user, pk)
    except scope.NotInScope:
        raise Http404 from None


@login_required
@require_GET
def my_alert(request, pk):
    user = request.user
    response = _mine(user, pk)
    return render(request, "squads/phone/alert.html", {
        "response": response, "alert": response.alert, "live": response.alert.status == AlertStatus.ACTIVE,
        "arrived": response.status == Attendance.ARRIVED,
        "ack_form": forms.AckForm(initial={"eta_minutes": response.eta_minutes or 15}),
        "tasks": sel.my_tasks(user, open_only=False).filter(alert=response.alert)})


@login_required
@require_POST
def my_ack(request, pk):
    user = request.user
    response = _mine(user, pk)
    coming = request.POST.get("coming", "1") != "0"
    form = forms.AckForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form)
    elif coming and form.cleaned_data["eta_minutes"] is None:
        messages.error(request, _("Give your expected arrival in minutes."))
    else:
        attempt(request, lambda: alert_services.acknowledge(
            actor=user, alert_id=response.alert_id, eta_minutes=form.cleaned_data["eta_minutes"], coming=coming),
            _("Thank you: the desk sees you are on the way.") if coming else _("The desk sees you cannot come."))
    return redirect("squads:my_alert", response.alert_id)


@login_required
@require_POST
def my_check_in(request, pk):
    user = request.user
    response = _mine(user, pk)
    attempt(request, lambda: alert_services.check_in(actor=user, alert_id=response.alert_id),
            _("You are counted on site."))
    return redirect("squads:my_alert", response.alert_id)


@login_required
@require_POST
def my_readiness(request, pk):
    user = request.user
    ready = request.POST.get("ready") == "1"
    attempt(request, lambda: services.answer_readiness(actor=user, check_id=pk, ready=ready,
                                                       note=request.POST.get("note", "")), _("Thank you."))
    return redirect("squads:my")


@login_required
@require_GET
def my_tasks(request):
    return render(request, "squads/phone/tasks.html", {"page": paginate(request, sel.my_tasks(request.user))})


@login_required
@require_POST
def my_task_done(request, pk):
    user = request.user
    task = sel.task_for(user, pk)
    if task.member_id is None or task.member.user_id != user.pk:
        raise Http404
    attempt(request, lambda: alert_services.complete_task(actor=user, task_id=task.pk,
                                                          note=request.POST.get("note", "")[:500]),
            _("The task is done."))
    return redirect("squads:my_tasks")
