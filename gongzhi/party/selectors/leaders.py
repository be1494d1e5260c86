"""Scoped reads of the linked leaders (挂点联系): links, visits and the problems taken on."""

from django.db.models import Count, Q, QuerySet

from gongzhi.core import scope
from gongzhi.divisions.models import Division

from ..choices import ProblemStatus
from ..models import LeaderLink, LeaderProblem, LeaderVisit
from ..permissions import PartyAction

A = PartyAction


def links_for(user, *, division=None, current_only: bool = True, action: str = A.VIEW) -> QuerySet[LeaderLink]:
    """Links in the user's scope (of the streets and communities under `division`), with how many
    visits and open and solved problems each has."""
    qs = scope.restrict(LeaderLink.objects.all(), user, action)
    if division is not None and division.level != "grid":
        qs = qs.filter(Q(division=division) | Q(**{f"{division.level}_id": division.pk}))
    if current_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.select_related("division__parent", "user").annotate(
        visit_count=Count("visits", distinct=True),
        open_problems=Count("problems", filter=~Q(problems__status=ProblemStatus.SOLVED), distinct=True),
        solved_problems=Count("problems", filter=Q(problems__status=ProblemStatus.SOLVED), distinct=True),
    ).order_by("division__code", "name", "pk")


def link_for(user, pk, action: str = A.VIEW) -> LeaderLink:
    return scope.get_in_scope(LeaderLink.objects.select_related("division__parent", "user"), user, action, pk=pk)


def visits_of(link: LeaderLink) -> QuerySet[LeaderVisit]:
    return link.visits.select_related("recorded_by").order_by("-visited_on", "-id")


def problems_of(link: LeaderLink) -> QuerySet[LeaderProblem]:
    return link.problems.select_related("case", "visit").order_by("status", "-taken_on", "-id")


def problem_for(user, pk, action: str = A.VIEW) -> LeaderProblem:
    return scope.get_in_scope(LeaderProblem.objects.select_related("link__division", "case"), user, action, pk=pk)


def linkable_divisions(user) -> QuerySet[Division]:
    """The streets and communities the user may link a leader to (PartyAction.LEADERS over them)."""
    return scope.restrict(Division.objects.filter(level__in=("street", "community"), is_active=True), user,
                          A.LEADERS).select_related("parent").order_by("code")


def linkable_users(user) -> QuerySet:
    """The platform users the user may name as a linked leader: those holding a live role inside the
    user's LEADERS scope (a district's leaders hold their roles in the district)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.accounts.selectors import assignment_scope_q

    held = RoleAssignment.objects.filter(assignment_scope_q(user, A.LEADERS), user=OuterRef("pk"),
                                         revoked_at__isnull=True)
    return get_user_model().objects.filter(Exists(held), is_active=True)


def link_areas(user) -> QuerySet[Division]:
    """The districts and streets the list may be narrowed to."""
    return scope.restrict(Division.objects.filter(level__in=("district", "street"), is_active=True), user,
                          A.VIEW).order_by("code")


def leader_links_of_user(user) -> QuerySet[LeaderLink]:
    """The user's own current links, when they are a linked leader with an account."""
    return LeaderLink.objects.filter(user=user, ended_on__isnull=True).select_related("division")
