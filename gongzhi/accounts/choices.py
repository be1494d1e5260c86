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
    """What a role may do inside the divisions it covers (granted in each app's access.py)."""

    VIEW = "view", _("See divisions, grids and maps")
    MANAGE_GRIDS = "manage_grids", _("Edit, split and merge grids")
    MANAGE_DIVISIONS = "manage_divisions", _("Rename and re-draw divisions, import division lists")
    VIEW_AUDIT = "view_audit", _("Read the audit trail")
    MANAGE_USERS = "manage_users", _("Grant and revoke roles")
