"""The kernel's registry of roles and actions.

Core knows no domain: each app declares, in its own `access.py` (imported when the apps are ready,
see CoreConfig.ready), the roles it brings and the actions it grants to roles — its own or
another app's. A later domain (party members, volunteers, squad leaders, fund committees) adds a
role and its grants there, without editing a central table.

Actions are plain strings: an app namespaces its own ("case.dispatch", "registry.reveal"); the
divisions' original vocabulary ("view", "manage_grids", …) keeps its short codes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class RoleSpec:
    code: str
    label: str | Promise
    # The order roles are listed in (forms, "my roles"); lower first.
    order: int = 100
    # Whether the role's assignment names a department (its scope: the divisions the department
    # serves) rather than a division.
    by_department: bool = False
    # Whether holders work at the desk workbench (not residents on a phone).
    desk: bool = True
    # The division levels the role is held at ("street", "community" …); none for a department role.
    levels: tuple[str, ...] = ()


_roles: dict[str, RoleSpec] = {}
_actions: dict[str, str | Promise] = {}
# Frozen: `actions_of` is asked on every scope check and answers without copying.
_grants: dict[str, frozenset[str]] = {}


def register_role(code: str, label, *, order: int = 100, by_department: bool = False, desk: bool = True,
                  levels: tuple[str, ...] = ()) -> RoleSpec:
    spec = RoleSpec(str(code), label, order, by_department, desk, tuple(str(lv) for lv in levels))
    existing = _roles.get(spec.code)
    if existing is not None and existing != spec:
        raise ValueError(f"role {spec.code!r} is registered twice, differently")
    _roles[spec.code] = spec
    _grants.setdefault(spec.code, frozenset())
    return spec


def register_actions(actions: Mapping[str, str | Promise]) -> None:
    """Declare actions with the plain words shown to a user ("what I may do")."""
    for code, label in actions.items():
        _actions[str(code)] = label


def grant(role: str, actions: Iterable[str]) -> None:
    """Let `role` do `actions` inside its scope. Actions must be declared first."""
    role = str(role)
    if role not in _roles:
        raise ValueError(f"grant to unknown role {role!r}")
    actions = {str(a) for a in actions}
    unknown = actions - set(_actions)
    if unknown:
        raise ValueError(f"grant of undeclared actions {sorted(unknown)}")
    _grants[role] = _grants[role] | actions


def revoke_grant(role: str, actions: Iterable[str]) -> None:
    """Take actions away from a role (a deployment's own policy module, and tests)."""
    role = str(role)
    _grants[role] = _grants[role] - {str(a) for a in actions}


def actions_of(role: str) -> frozenset[str]:
    return _grants.get(role, frozenset())


def holders_of(action: str) -> list[str]:
    """The roles granted `action`, in role order."""
    return [r.code for r in all_roles() if action in _grants.get(r.code, ())]


def all_roles() -> list[RoleSpec]:
    return sorted(_roles.values(), key=lambda r: (r.order, r.code))


def role(code: str) -> RoleSpec | None:
    return _roles.get(code)


def role_label(code: str):
    spec = _roles.get(code)
    return spec.label if spec else code


def role_choices() -> list[tuple[str, str | Promise]]:
    """Choices for a role field: every registered role (a callable, so the field needs no migration
    when a domain adds one)."""
    return [(r.code, r.label) for r in all_roles()]


def all_actions() -> dict[str, str | Promise]:
    return dict(_actions)


def desk_roles() -> frozenset[str]:
    return frozenset(r.code for r in _roles.values() if r.desk)
