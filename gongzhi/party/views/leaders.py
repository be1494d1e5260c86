"""Linked leaders (挂点联系): the list per district or street with visits and problems counts, a
leader's page with their visits and the problems they took on, and the forms to keep them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import scope
from gongzhi.core.pages import attempt, refuse_form
from gongzhi.core.pagination import paginate

from ..forms_registrations import EndForm, LeaderLinkForm, ProblemForm, ProblemUpdateForm, VisitForm
from ..permissions import PartyAction
from ..selectors import leaders as sel
from ..selectors import registrations as reg_sel
from ..selectors.reading import as_read_by, read_page
from ..services import leaders as services

A = PartyAction


@login_required
@require_GET
def leaders(request):
    user = request.user
    if not scope.may(user, A.VIEW):
        raise PermissionDenied
    division = None
    raw = request.GET.get("division") or ""
    if raw:
        if not raw.isdigit():
            raise Http404
        division = reg_sel.dashboard_division(user, int(raw))
    links = sel.links_for(user, division=division, current_only=request.GET.get("ended") != "1")
    return render(request, "party/leaders/list.html", {
        "page": paginate(request, links), "division": division, "areas": sel.link_areas(user)[:60],
        "may_link": scope.may(user, A.LEADERS)})


@login_required
@require_http_methods(["GET", "POST"])
def leader_new(request):
    user = request.user
    if not scope.may(user, A.LEADERS):
        raise PermissionDenied
    form = LeaderLinkForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = {}

        def run():
            result["link"] = services.link_leader(actor=user, division_id=data["division"].pk, name=data["name"],
                                                  title=data["title"], started_on=data["started_on"])

        if attempt(request, run, _("The leader is linked.")):
            return redirect("party:leader", result["link"].pk)
    return render(request, "party/leaders/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def leader(request, pk):
    user = request.user
    link = sel.link_for(user, pk)
    keeps = sel.links_for(user, current_only=False, action=A.LEADERS).filter(pk=link.pk).exists()
    problems = [(p, ProblemUpdateForm(initial={"status": p.status, "resolution": p.resolution, "version": p.version},
                                      prefix=f"q{p.pk}")) for p in sel.problems_of(link)]
    # The edit forms take the text as written (gongzhi.party.selectors.reading), the page shows it as read.
    as_read_by(user, [p for p, _form in problems])
    return render(request, "party/leaders/detail.html", {
        "link": link, "keeps": keeps and link.ended_on is None,
        "visits": read_page(user, paginate(request, sel.visits_of(link))),
        "problems": problems, "visit_form": VisitForm(), "problem_form": ProblemForm(), "end_form": EndForm()})


def _keeping(user, pk):
    link = sel.link_for(user, pk)
    if not scope.may(user, A.LEADERS) or not sel.links_for(user, current_only=False, action=A.LEADERS).filter(
            pk=link.pk).exists():
        raise PermissionDenied
    return link


def _on_link(request, pk, form_class, run, done: str):
    """A form posted about one link the user keeps: the service's refusal or the form's errors
    shown as messages, then back to the link's page."""
    link = _keeping(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        attempt(request, lambda: run(link, form.cleaned_data), done)
    else:
        refuse_form(request, form)
    return redirect("party:leader", link.pk)


@login_required
@require_POST
def leader_end(request, pk):
    return _on_link(request, pk, EndForm, lambda link, data: services.end_link(
        actor=request.user, link_id=link.pk, reason=data["reason"]), _("The link has ended."))


@login_required
@require_POST
def leader_visit(request, pk):
    return _on_link(request, pk, VisitForm, lambda link, data: services.record_visit(
        actor=request.user, link_id=link.pk, **data), _("The visit is recorded."))


@login_required
@require_POST
def leader_problem(request, pk):
    return _on_link(request, pk, ProblemForm, lambda link, data: services.take_problem(
        actor=request.user, link_id=link.pk, **data), _("The problem is taken on."))


@login_required
@require_POST
def leader_problem_update(request, pk):
    user = request.user
    problem = sel.problem_for(user, pk)
    _keeping(user, problem.link_id)
    form = ProblemUpdateForm(request.POST, prefix=f"q{problem.pk}")
    if form.is_valid():
        data = form.cleaned_data
        attempt(request, lambda: services.update_problem(actor=user, problem_id=problem.pk, status=data["status"],
                                                         resolution=data["resolution"],
                                                         expected_version=data["version"]),
                _("The problem is updated."))
    else:
        refuse_form(request, form)
    return redirect("party:leader", problem.link_id)
