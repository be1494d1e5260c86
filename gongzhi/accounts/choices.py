from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_SECRETARY = "community_secretary", _("Community party secretary")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    RESIDENT = "resident", _("Resident")
    AUDITOR = "auditor", _("Auditor")


class Action(models.TextChoices):
    """What a role may do inside the divisions it covers; the one vocabulary scope checks use."""

    VIEW = "view", _("See divisions, grids and maps")
    MANAGE_GRIDS = "manage_grids", _("Edit, split and merge grids")
    MANAGE_DIVISIONS = "manage_divisions", _("Rename and re-draw divisions, import division lists")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    MANAGE_USERS = "manage_users", _("Grant and revoke roles")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset(Action.values),
    Role.DISTRICT_OFFICER: frozenset({Action.VIEW, Action.MANAGE_GRIDS, Action.MANAGE_DIVISIONS}),
    Role.STREET_OFFICER: frozenset({Action.VIEW, Action.MANAGE_GRIDS}),
    Role.COMMUNITY_SECRETARY: frozenset({Action.VIEW, Action.MANAGE_GRIDS}),
    Role.COMMUNITY_STAFF: frozenset({Action.VIEW}),
    Role.GRID_WORKER: frozenset({Action.VIEW}),
    Role.DEPARTMENT_STAFF: frozenset({Action.VIEW}),
    # A resident's own reports and requests are reached through ownership, not division scope.
    Role.RESIDENT: frozenset(),
    Role.AUDITOR: frozenset({Action.VIEW, Action.VIEW_AUDIT}),
}

# Roles whose holders work in the desktop workbench (as opposed to residents on a phone).
STAFF_ROLES = frozenset(ROLE_ACTIONS) - {Role.RESIDENT}
