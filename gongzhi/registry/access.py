"""What each role may do with the grid registry, and where its rows lie (gongzhi.core.scope).
The table of grants is in gongzhi.registry.permissions' docstring."""

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import Placed, Position, ResidentTag, VisitPhoto
from .permissions import RegistryAction as A

roles.register_actions({a: a.label for a in A})

READ = {A.STATISTICS, A.VIEW_PLACES, A.VIEW_PEOPLE}
roles.grant(Role.CITY_ADMIN, READ | {A.EDIT, A.IMPORT, A.EXPORT})
roles.grant(Role.DISTRICT_OFFICER, READ | {A.EXPORT})
roles.grant(Role.STREET_OFFICER, READ | {A.EDIT, A.IMPORT, A.EXPORT})
roles.grant(Role.COMMUNITY_SECRETARY, READ | {A.EDIT, A.VISIT, A.REVEAL, A.IMPORT, A.EXPORT})
roles.grant(Role.COMMUNITY_STAFF, READ | {A.EDIT, A.VISIT, A.IMPORT, A.EXPORT})
roles.grant(Role.GRID_WORKER, READ | {A.EDIT, A.VISIT, A.REVEAL})
roles.grant(Role.DEPARTMENT_STAFF, {A.STATISTICS, A.VIEW_PLACES})
roles.grant(Role.AUDITOR, {A.STATISTICS})

# Every registry row carries its grid and the grid's ancestors (models.base.Placed).
scope.register_territory(Placed)
scope.register_territory(Position, via="organisation__")
scope.register_territory(ResidentTag, via="resident__")
scope.register_territory(VisitPhoto, via="visit__")
