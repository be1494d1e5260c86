"""The access kernel: the one place that decides what a user may see and touch.

A role assignment gives its holder the actions its role is granted (gongzhi.core.roles) over a
division's subtree, or, for a role held through a department, over the divisions the department
serves. Each model declares once where its territory is (`register_territory`): the path to the
row that carries the cached division columns, a per-action rule where the model needs one (a case's
handling unit, say), and access that comes from the object rather than a role (a case's reporter).

Every list, detail, form choice, export, search and API answer narrows its queryset through
`restrict`, fetches single objects through `get_in_scope`, and every id that arrives in a request
is checked with `check_id` / `check_ids` — so a missing object and an object outside the user's
scope look the same (404, or the same refusal). A model with no declared territory is refused,
never left unrestricted.

Core knows no domain: the assignments come from a source the accounts app registers, and the
territories and roles from each app's own `access.py`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import roles as role_registry
from .errors import DomainError

NOTHING = Q(pk__in=[])

_assignment_source: Callable | None = None
# Further sources: roles that come from a post rather than a grant (a branch secretary is one
# because the branch elected them; gongzhi.party.access).
_more_sources: list[Callable] = []


def set_assignment_source(loader: Callable) -> None:
    """`loader(user) -> list` of the user's live assignments, each with `.role`, `.division` (a row
    with `.level` and cached ancestor columns) and `.department` (with `.serves`)."""
    global _assignment_source
    _assignment_source = loader


def add_assignment_source(loader: Callable) -> None:
    """Another `loader(user) -> list` of assignments of the same shape; a territory's `rule` may read
    whatever else its own source's assignments carry."""
    if loader not in _more_sources:
        _more_sources.append(loader)


def assignments(user) -> list:
    """The user's live role assignments, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongzhi_assignments", None)
    if cached is None:
        if _assignment_source is None:
            raise ImproperlyConfigured("no assignment source is registered with the access kernel")
        cached = list(_assignment_source(user))
        for source in _more_sources:
            cached.extend(source(user))
        user._gongzhi_assignments = cached
    return cached


def forget_assignments(user) -> None:
    user.__dict__.pop("_gongzhi_assignments", None)


def roles(user) -> set[str]:
    return {a.role for a in assignments(user)}


def is_global(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def holds(assignment, action: str) -> bool:
    return action in role_registry.actions_of(assignment.role)


def anchors(assignment) -> list:
    """The divisions at the top of the subtrees an assignment covers."""
    spec = role_registry.role(assignment.role)
    if spec is not None and spec.by_department:
        return list(assignment.department.serves.all()) if assignment.department is not None else []
    return [assignment.division] if assignment.division is not None else []


def covered_divisions(user, action: str) -> list:
    """The divisions at the top of each subtree in which `user` may do `action`."""
    tops = []
    for a in assignments(user):
        if holds(a, action):
            tops.extend(anchors(a))
    return tops


def may(user, action: str) -> bool:
    """Whether the user may do `action` anywhere at all (navigation, 403 before a whole list)."""
    return is_global(user) or any(holds(a, action) for a in assignments(user))


def subtree_contains(top, division) -> bool:
    """Whether `division` is `top` or lies under it (no query: cached ancestor columns)."""
    if division.pk == top.pk:
        return True
    return top.level != "grid" and getattr(division, f"{top.level}_id", None) == top.pk


def covers(user, action: str, division) -> bool:
    """Whether `division` lies inside the user's scope for `action`, without a query."""
    if is_global(user):
        return True
    return any(subtree_contains(top, division) for top in covered_divisions(user, action))


# --- territories -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Territory:
    """Where a model's rows lie.

    `via`: the lookup path to the row carrying the division columns ("" when the model carries them
    itself: a division, a case, a registry row); `rule(assignment, action) -> Q | None` replaces the
    division rule for some assignments and actions (None: use the division rule); `owned(user,
    action) -> Q` adds rows reached other than by a role (what a user owns or follows)."""

    via: str = ""
    rule: Callable | None = None
    owned: Callable | None = None


_territories: dict[type[Model], Territory] = {}


def register_territory(model: type[Model], territory: Territory | None = None, **kwargs) -> Territory:
    territory = territory or Territory(**kwargs)
    _territories[model] = territory
    return territory


def territory_of(model: type[Model]) -> Territory:
    for klass in model.__mro__:
        if klass in _territories:
            return _territories[klass]
    raise ImproperlyConfigured(f"{model._meta.label} has no territory registered with the access kernel")


def has_territory(model: type[Model]) -> bool:
    return any(klass in _territories for klass in model.__mro__)


@cache
def _target(model: type[Model], via: str) -> type[Model]:
    """The model at the end of a lookup path."""
    for name in filter(None, via.split("__")):
        model = model._meta.get_field(name).related_model
    return model


@cache
def _has_field(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def subtree_q(division, via: str = "", model: type[Model] | None = None, *, target: type[Model] | None = None) -> Q:
    """Rows of `model` (or rows reached through `via`, of the `target` model) lying in `division`'s
    subtree: one cached column. Without either, the rows are divisions.

    Rows that cache their grid (cases, registry rows) match it by column; a division is its own
    grid. Rows that cache only from the city down reach a province through their city."""
    level = division.level
    if target is None and model is not None:
        target = _target(model, via)
    if target is None or _has_field(target, level):
        if target is None and level == "grid":
            return Q(**{f"{via}pk": division.pk})
        return Q(**{f"{via}{level}_id": division.pk})
    if level == "province" and _has_field(target, "city"):
        return Q(**{f"{via}city__province_id": division.pk})
    if level == "grid":
        return Q(**{f"{via}pk": division.pk})
    raise ImproperlyConfigured(f"{target._meta.label} has no column for {level}")


def scope_q(user, action: str, via: str | None = None, *, model: type[Model] | None = None,
            target: type[Model] | None = None, owned: bool = True) -> Q:
    """The condition selecting the rows of `model` (or, with an explicit `via`, of the row at its
    end) that `user` may do `action` to; without `owned`, only what the user's roles reach."""
    if is_global(user):
        return Q()
    if via is None:
        territory = territory_of(model) if model is not None else Territory()
        path = territory.via
    else:
        # An explicit path reaches the division columns of a related row; the model's own rules
        # (rule, owned) are not applied to it.
        territory, path = Territory(), via
    q = NOTHING
    for a in assignments(user):
        if not holds(a, action):
            continue
        ruled = territory.rule(a, action) if territory.rule is not None else None
        if ruled is not None:
            q |= ruled
            continue
        for top in anchors(a):
            q |= subtree_q(top, path, model, target=target)
    if owned and territory.owned is not None and getattr(user, "is_authenticated", False):
        q |= territory.owned(user, action)
    return q


def restrict(queryset: QuerySet, user, action: str, via: str | None = None) -> QuerySet:
    """The rows of `queryset` the user may do `action` to. Without `via`, the model's declared
    territory decides; a model without one is refused."""
    if via is None:
        return queryset.filter(scope_q(user, action, model=queryset.model))
    return queryset.filter(scope_q(user, action, via, model=queryset.model))


def get_in_scope(queryset: QuerySet, user, action: str, via: str | None = None, **lookup):
    """One object the user may act on, or 404 — never a hint that it exists elsewhere."""
    try:
        return restrict(queryset, user, action, via).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class NotInScope(DomainError):
    """An id named in a request that is missing or outside the actor's scope: both read alike,
    in the very words of a missing object's 404."""

    def __init__(self):
        super().__init__(_("Not found."), code="not_found")


def check_id(choices, pk):
    """The object `pk` names, if it is among `choices` — the very selector the page offers its
    choices from (a queryset or a list) — else NotInScope, the same as for a missing id. Services
    call this for every id that arrives in a request."""
    return check_ids(choices, [pk])[0]


def check_ids(choices, pks: Iterable) -> list:
    """Every object the ids name, in the order given, or NotInScope if any is missing or out of
    scope; nothing is half-accepted."""
    wanted = [_coerce(pk) for pk in dict.fromkeys(pks)]
    if any(isinstance(pk, int) and not BIGINT[0] <= pk <= BIGINT[1] for pk in wanted):
        raise NotInScope()  # no row has it; SQLite would not even take it as a parameter
    if isinstance(choices, QuerySet):
        try:
            found = choices.in_bulk(wanted)
        except (ValueError, TypeError):
            raise NotInScope() from None
    else:
        found = {obj.pk: obj for obj in choices}
    if any(pk not in found for pk in wanted):
        raise NotInScope()
    return [found[pk] for pk in wanted]


BIGINT = (-(2**63), 2**63 - 1)


def _coerce(pk):
    if hasattr(pk, "pk"):
        return pk.pk
    try:
        return int(pk)
    except (TypeError, ValueError):
        return pk
