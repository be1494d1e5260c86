"""The desk: squads and the roster editor, readiness checks, raising an alert or drill, the alert
console (live counts by htmx polling, tasks, log, headcount, stand-down, report) and figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.pages import attempt, refuse_form
from gongzhi.core.pagination import paginate

from .. import forms
from .. import log as alert_log
from .. import selectors as sel
from ..choices import AlertKind, AlertStatus
from ..permissions import SquadAction
from ..services import alerts as alert_services
from ..services import squads as services

A = SquadAction




def _desk(user) -> None:
    if not scope.may(user, A.VIEW):
        raise PermissionDenied


def _managed_squad(user, pk):
    squad = sel.squad_for(user, pk)
    if not sel.manages(user, squad):
        raise PermissionDenied
    return squad


def _managed_alert(user, pk):
    alert = sel.alert_for(user, pk)
    if not sel.manages(user, alert.squad):
        raise PermissionDenied
    return alert


@login_required
@require_GET
def squad_list(request):
    user = request.user
    _desk(user)
    return render(request, "squads/desk/list.html", {
        "page": paginate(request, sel.squads_for(user)), "may_manage": scope.may(user, A.MANAGE)})


@login_required
@require_http_methods(["GET", "POST"])
def squad_new(request):
    user = request.user
    if not scope.may(user, A.MANAGE):
        raise PermissionDenied
    form = forms.SquadForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data, result = form.cleaned_data, {}

        def run():
            result["squad"] = services.create_squad(actor=user, division_id=data["division"].pk, name=data["name"],
                                                    kind=data["kind"], muster_point=data["muster_point"])

        if attempt(request, run, _("The squad is founded.")):
            return redirect("squads:detail", result["squad"].pk)
    return render(request, "squads/desk/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def squad_detail(request, pk):
    user = request.user
    _desk(user)
    squad = sel.squad_for(user, pk)
    manages = sel.manages(user, squad) and squad.is_active
    members = sel.roster(user, squad)
    return render(request, "squads/desk/detail.html", {
        "squad": squad, "manages": manages, "members": members,
        "member_forms": [(m, forms.MemberEditForm(initial={"role": m.role, "skills": ", ".join(m.skills),
                                                           "phone": m.phone, "version": m.version},
                                                  prefix=f"m{m.pk}")) for m in members] if manages else [],
        "add_form": forms.MemberForm(actor=user, squad=squad) if manages else None,
        "edit_form": forms.SquadEditForm(initial={"name": squad.name, "kind": squad.kind,
                                                  "muster_point": squad.muster_point, "version": squad.version}),
        "readiness_form": forms.ReadinessForm(), "checks": sel.readiness_of(squad, limit=5),
        "alerts": sel.alerts_for(user, squad=squad)[:10], "reason_form": forms.ReasonForm()})


@login_required
@require_POST
def squad_edit(request, pk):
    user = request.user
    squad = _managed_squad(user, pk)
    form = forms.SquadEditForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        attempt(request, lambda: services.update_squad(actor=user, squad_id=squad.pk, name=d["name"], kind=d["kind"],
                                                       muster_point=d["muster_point"], expected_version=d["version"]),
                _("The squad is saved."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", squad.pk)


@login_required
@require_POST
def squad_disband(request, pk):
    user = request.user
    squad = _managed_squad(user, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.disband_squad(actor=user, squad_id=squad.pk,
                                                        reason=form.cleaned_data["reason"]),
                _("The squad is disbanded."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", squad.pk)


@login_required
@require_POST
def member_add(request, pk):
    user = request.user
    squad = _managed_squad(user, pk)
    form = forms.MemberForm(request.POST, actor=user, squad=squad)
    if form.is_valid():
        d = form.cleaned_data
        attempt(request, lambda: services.enrol_member(actor=user, squad_id=squad.pk, user_id=d["user"].pk,
                                                       role=d["role"], skills=d["skills"], phone=d["phone"]),
                _("The member is enrolled."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", squad.pk)


def _managed_member(user, pk):
    member = sel.member_for(user, pk)
    if not sel.manages(user, member.squad):
        raise PermissionDenied
    return member


@login_required
@require_POST
def member_update(request, pk):
    user = request.user
    member = _managed_member(user, pk)
    form = forms.MemberEditForm(request.POST, prefix=f"m{member.pk}")
    if form.is_valid():
        d = form.cleaned_data
        attempt(request, lambda: services.update_member(actor=user, member_id=member.pk, role=d["role"],
                                                        skills=d["skills"], phone=d["phone"],
                                                        expected_version=d["version"]), _("The member is saved."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", member.squad_id)


@login_required
@require_POST
def member_remove(request, pk):
    user = request.user
    member = _managed_member(user, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.remove_member(actor=user, member_id=member.pk,
                                                        reason=form.cleaned_data["reason"]),
                _("The member is off the roster."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", member.squad_id)


@login_required
@require_POST
def readiness_start(request, pk):
    user = request.user
    squad = _managed_squad(user, pk)
    form = forms.ReadinessForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.start_readiness_check(actor=user, squad_id=squad.pk,
                                                                hours=form.cleaned_data["hours"]),
                _("The members are asked whether they are ready."))
    else:
        refuse_form(request, form)
    return redirect("squads:detail", squad.pk)


@login_required
@require_http_methods(["GET", "POST"])
def alert_new(request, pk):
    user = request.user
    squad = _managed_squad(user, pk)
    form = forms.AlertForm(request.POST or None, initial={"kind": request.GET.get("kind") or AlertKind.EMERGENCY,
                                                          "case_number": request.GET.get("case", "")[:20]})
    if request.method == "POST" and form.is_valid():
        d, result = form.cleaned_data, {}

        def run():
            case = sel.case_by_number(user, d["case_number"])
            # A case the street has blown the whistle on calls the squad out from that whistle.
            whistle = sel.whistle_of(user, case) if case else None
            result["alert"] = alert_services.raise_alert(
                actor=user, squad_id=squad.pk, title=d["title"], details=d["details"], kind=d["kind"],
                case_id=None if whistle or not case else case.pk, whistle_id=whistle.pk if whistle else None,
                muster_point=d["muster_point"], key=d["key"])

        if attempt(request, run, _("The squad is called out.")):
            return redirect("squads:alert", result["alert"].pk)
    return render(request, "squads/desk/alert_new.html", {"form": form, "squad": squad},
                  status=400 if form.errors else 200)


@login_required
@require_GET
def alert_list(request):
    user = request.user
    _desk(user)
    kind = request.GET.get("kind") or ""
    if kind not in ("", *AlertKind.values):
        raise Http404
    return render(request, "squads/desk/alerts.html", {
        "page": paginate(request, sel.alerts_for(user, kind=kind)), "kind": kind, "kinds": AlertKind.choices})


def _console(user, alert) -> dict:
    return {"alert": alert, "figures": sel.alert_figures(alert), "responses": sel.responses_of(alert),
            "live": alert.status == AlertStatus.ACTIVE}


@login_required
@require_GET
def alert_console(request, pk):
    user = request.user
    _desk(user)
    alert = sel.alert_for(user, pk)
    manages = sel.manages(user, alert.squad)
    log = [(row, alert_log.render(row.code, row.params)) for row in sel.log_of(alert)]
    return render(request, "squads/desk/alert.html", {
        **_console(user, alert), "manages": manages, "tasks": sel.tasks_of(alert), "log": log,
        "task_form": forms.TaskForm(squad=alert.squad), "note_form": forms.NoteForm(),
        "stand_down_form": forms.StandDownForm(initial={"version": alert.version}),
        "report_form": forms.ReportForm(initial={"report": alert.report, "version": alert.version}),
        "reason_form": forms.ReasonForm()})


@login_required
@require_GET
def alert_counts(request, pk):
    """The console's live counts (htmx polls this every few seconds while the alert is active)."""
    user = request.user
    _desk(user)
    return render(request, "squads/desk/_counts.html", _console(user, sel.alert_for(user, pk)))


def _alert_post(request, pk, form_class, call, success):
    user = request.user
    alert = _managed_alert(user, pk)
    form = form_class(request.POST, **({"squad": alert.squad} if form_class is forms.TaskForm else {}))
    if form.is_valid():
        attempt(request, lambda: call(user, alert, form.cleaned_data), success)
    else:
        refuse_form(request, form)
    return redirect("squads:alert", alert.pk)


@login_required
@require_POST
def alert_task(request, pk):
    return _alert_post(request, pk, forms.TaskForm, lambda u, a, d: alert_services.add_task(
        actor=u, alert_id=a.pk, title=d["title"], member_id=d["member"].pk if d["member"] else None),
        _("The task is set."))


@login_required
@require_POST
def alert_note(request, pk):
    return _alert_post(request, pk, forms.NoteForm, lambda u, a, d: alert_services.add_note(
        actor=u, alert_id=a.pk, note=d["note"]), _("The note is in the log."))


@login_required
@require_POST
def alert_stand_down(request, pk):
    return _alert_post(request, pk, forms.StandDownForm, lambda u, a, d: alert_services.stand_down(
        actor=u, alert_id=a.pk, note=d["note"], expected_version=d["version"]), _("The squad is stood down."))


@login_required
@require_POST
def alert_report(request, pk):
    return _alert_post(request, pk, forms.ReportForm, lambda u, a, d: alert_services.file_report(
        actor=u, alert_id=a.pk, report=d["report"], expected_version=d["version"]), _("The report is saved."))


@login_required
@require_POST
def alert_muster(request, pk):
    user = request.user
    alert = _managed_alert(user, pk)
    member = request.POST.get("member") or ""
    if not member.isdigit():
        messages.error(request, _("Choose the member seen on site."))
    else:
        attempt(request, lambda: alert_services.mark_arrived(actor=user, alert_id=alert.pk, member_id=int(member)),
                _("Marked on site."))
    return redirect("squads:alert", alert.pk)


@login_required
@require_POST
def task_cancel(request, pk):
    user = request.user
    task = sel.task_for(user, pk)
    if not sel.manages(user, task.alert.squad):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: alert_services.cancel_task(actor=user, task_id=task.pk,
                                                            reason=form.cleaned_data["reason"]),
                _("The task is cancelled."))
    else:
        refuse_form(request, form)
    return redirect("squads:alert", task.alert_id)


@login_required
@require_GET
def squad_figures(request, pk):
    user = request.user
    _desk(user)
    squad = sel.squad_for(user, pk)
    return render(request, "squads/desk/figures.html", {"squad": squad, "figures": sel.squad_figures(squad),
                                                         "checks": sel.readiness_of(squad)})
