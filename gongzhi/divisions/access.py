"""Who may see and re-draw divisions and grids, and where a division lies (its own cached columns)."""

from gongzhi.accounts.choices import Action, Role
from gongzhi.core import roles, scope

from .models import Division

roles.register_actions({a: a.label for a in (Action.VIEW, Action.MANAGE_GRIDS, Action.MANAGE_DIVISIONS)})
roles.grant(Role.CITY_ADMIN, {Action.VIEW, Action.MANAGE_GRIDS, Action.MANAGE_DIVISIONS})
roles.grant(Role.DISTRICT_OFFICER, {Action.VIEW, Action.MANAGE_GRIDS, Action.MANAGE_DIVISIONS})
roles.grant(Role.STREET_OFFICER, {Action.VIEW, Action.MANAGE_GRIDS})
roles.grant(Role.COMMUNITY_SECRETARY, {Action.VIEW, Action.MANAGE_GRIDS})
for role in (Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.AUDITOR):
    roles.grant(role, {Action.VIEW})

scope.register_territory(Division)
