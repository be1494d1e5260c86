"""The service orders' grants and territories (gongzhi.core.roles, gongzhi.core.scope); see
gongzhi.service.permissions for the table."""

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import Order
from .permissions import DISPATCHING_POSTS, order_owned, order_rule
from .permissions import ServiceAction as A

roles.register_actions({a: a.label for a in A})

DESK = {A.VIEW, A.DISPATCH, A.ORDER}
roles.grant(Role.CITY_ADMIN, DESK)
roles.grant(Role.STREET_OFFICER, DESK)
roles.grant(Role.COMMUNITY_SECRETARY, DESK)
roles.grant(Role.COMMUNITY_STAFF, DESK)
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW})
roles.grant(Role.AUDITOR, {A.VIEW})
roles.grant(Role.RESIDENT, {A.ORDER})
# Party posts (gongzhi.party.access registers the roles; it is imported first, by INSTALLED_APPS order).
for post in DISPATCHING_POSTS:
    roles.grant(post, {A.VIEW, A.DISPATCH})

# Takers, photos and the timeline are read through their order, never on their own.
scope.register_territory(Order, rule=order_rule, owned=order_owned)
