"""Who may do what to which case: the one chokepoint every case list, detail, API answer and
service goes through.

Division roles act on the cases in their territory (the cached place columns on the case); a
department's staff act on the cases their department holds or was summoned to; residents, and
anyone else following a case, see and rate their own. A missing case and a case out of scope
look the same (404).
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import Role
from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.divisions.choices import LEVELS

from .choices import VERIFYING_FOLLOWERS
from .models import Case, CaseFollower, Summons


class CaseAction:
    """The case vocabulary (kept in this app: gongzhi.accounts.choices.Action is the divisions')."""

    VIEW = "case.view"
    REPORT = "case.report"  # file a report in the territory (patrol, phone-in, walk-in, letter)
    REGISTER = "case.register"  # register or reject a report
    DISPATCH = "case.dispatch"
    HANDLE = "case.handle"  # as the handling unit: accept, work, resolve, ask for a sidestep
    VERIFY = "case.verify"
    CLOSE = "case.close"
    APPROVE = "case.approve"  # decide a handling unit's sidestep, as the dispatching level
    WHISTLE = "case.whistle"
    MERGE = "case.merge"
    RATE = "case.rate"
    CHECK_IN = "case.check_in"  # report in to a whistle
    MANAGE_CATALOGUE = "case.manage_catalogue"
    # See the reporter's whole phone number (an audited step; everyone else sees it masked).
    REVEAL_CONTACT = "case.reveal_contact"

    ALL = frozenset({VIEW, REPORT, REGISTER, DISPATCH, HANDLE, VERIFY, CLOSE, APPROVE, WHISTLE, MERGE, RATE,
                     CHECK_IN, MANAGE_CATALOGUE, REVEAL_CONTACT})


A = CaseAction
# What following a case allows, whatever the roles: its reporter and a merged duplicate's see their
# report, verify and rate; a resident who chose to follow it only rates (gongzhi.cases.services.following).
FOLLOWER_ACTIONS = frozenset({A.VIEW, A.VERIFY, A.RATE})
# What a summons (department or person) allows on the case it was summoned to.
SUMMONED_ACTIONS = frozenset({A.VIEW, A.CHECK_IN})


NOTHING = Q(pk__in=[])


def territory_q(top) -> Q:
    """Cases located in `top`'s subtree (one indexed column of the case)."""
    return scope.subtree_q(top, model=Case)


def _levels_below(level: str) -> list[str]:
    return LEVELS[LEVELS.index(level) + 1:]


def _division_rule(top, action: str) -> Q | None:
    if action == A.HANDLE:
        # A division acts as the handling unit only for cases dispatched to its own office.
        return Q(handling_division_id=top.pk)
    if action == A.APPROVE:
        # The dispatching level decides; a level above it may too.
        return Q(dispatcher_division_id=top.pk) | (territory_q(top) & Q(dispatcher_level__in=_levels_below(top.level)))
    return None


def _department_q(department, action: str) -> Q:
    if action in (A.HANDLE, A.REVEAL_CONTACT):
        return Q(handling_department_id=department.pk)
    summoned = Q(pk__in=Summons.objects.filter(department=department).values("whistle__case_id"))
    if action == A.CHECK_IN:
        return summoned
    return Q(handling_department_id=department.pk) | summoned


def case_rule(assignment, action: str) -> Q | None:
    """The case's own rule for an assignment (the kernel's territory rule): a department reaches
    the cases it holds or was summoned to, not its territory; a division handles and approves only
    what was dispatched to or by it."""
    if assignment.role == Role.DEPARTMENT_STAFF:
        return _department_q(assignment.department, action) if assignment.department is not None else NOTHING
    if assignment.division is None:
        return NOTHING
    return _division_rule(assignment.division, action)


def followed_q(user, action: str) -> Q:
    """Cases reached other than by a role: followed (reported, merged, chosen) or summoned to."""
    q = NOTHING
    if action in FOLLOWER_ACTIONS:
        rows = CaseFollower.objects.filter(user=user)
        if action != A.RATE:
            # Those who chose to follow someone else's report rate it, and see it as the public does.
            rows = rows.filter(kind__in=VERIFYING_FOLLOWERS)
        q |= Q(pk__in=rows.values("case_id"))
    if action in SUMMONED_ACTIONS:
        q |= Q(pk__in=Summons.objects.filter(user=user).values("whistle__case_id"))
    return q


def case_scope_q(user, action: str, *, as_follower: bool = True) -> Q:
    """The condition selecting the cases `user` may do `action` to (by role only, without
    `as_follower`: the staff's view of a case rather than its reporter's)."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    return scope.scope_q(user, action, model=Case, owned=as_follower)


def restrict_cases(queryset: QuerySet, user, action: str) -> QuerySet:
    return queryset.filter(case_scope_q(user, action))


def access_case(user, pk, action: str = A.VIEW, queryset: QuerySet | None = None) -> Case:
    """The case `pk` if `user` may do `action` to it; 404 alike for missing and out of scope."""
    qs = queryset if queryset is not None else Case.objects.all()
    try:
        return restrict_cases(qs, user, action).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may(user, case: Case, action: str) -> bool:
    """Whether `user` may do `action` to `case` (one query; none for a superuser)."""
    if scope.is_global(user):
        return True
    return restrict_cases(Case.objects.filter(pk=case.pk), user, action).exists()


def sees_as_staff(user, case: Case) -> bool:
    """Whether the user sees the case through a role (full timeline, staff notes) rather than only
    as one who reported it (public timeline)."""
    if scope.is_global(user):
        return True
    return Case.objects.filter(case_scope_q(user, A.VIEW, as_follower=False), pk=case.pk).exists()


def require(actor, case: Case, action: str) -> None:
    """Refuse (403) an actor who may see the case but not do this to it. `actor=None` is the
    system itself: commands, the task worker, the demo."""
    if actor is None:
        return
    if not may(actor, case, action):
        raise DomainError(_("You may not do this to case %(number)s.") % {"number": case.tracking_number},
                          code="forbidden")


def may_anywhere(user, action: str) -> bool:
    """Whether the user may do `action` to some case at all (menus, queue tabs)."""
    return scope.may(user, action)


def covers_grid(user, action: str, grid) -> bool:
    """Whether one of the user's divisions holds `grid` for `action` (before any case exists)."""
    if scope.is_global(user):
        return True
    return any(
        a.division is not None and scope.holds(a, action)
        and scope.subtree_contains(a.division, grid)
        for a in scope.assignments(user)
    )


def covering_division(user, action: str, case: Case):
    """The deepest of the user's divisions that covers `case` for `action` (the level acting: a
    community or a street), or None."""
    best = None
    for assignment in scope.assignments(user):
        top = assignment.division
        if top is None or not scope.holds(assignment, action):
            continue
        if scope.subtree_contains(top, case.grid) and (
            best is None or LEVELS.index(top.level) > LEVELS.index(best.level)
        ):
            best = top
    return best
