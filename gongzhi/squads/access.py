"""The squads' actions, grants and territories (gongzhi.core.roles, gongzhi.core.scope)."""

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import Alert, AlertLogEntry, AlertResponse, AlertTask, ReadinessCheck, Squad, SquadMember
from .permissions import SquadAction as A
from .permissions import owned_via

roles.register_actions({a: a.label for a in A})
roles.grant(Role.CITY_ADMIN, {A.VIEW, A.MANAGE})
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW})
roles.grant(Role.STREET_OFFICER, {A.VIEW, A.MANAGE, A.REVEAL})
roles.grant(Role.COMMUNITY_SECRETARY, {A.VIEW, A.MANAGE, A.REVEAL})
roles.grant(Role.COMMUNITY_STAFF, {A.VIEW, A.MANAGE, A.REVEAL})
roles.grant(Role.AUDITOR, {A.VIEW})

scope.register_territory(Squad, owned=owned_via(""))
for model, via in ((SquadMember, "squad__"), (ReadinessCheck, "squad__"), (Alert, "squad__"),
                   (AlertResponse, "alert__squad__"), (AlertTask, "alert__squad__"),
                   (AlertLogEntry, "alert__squad__")):
    scope.register_territory(model, via=via, owned=owned_via(f"{via}"))
