"""Points' actions, grants and territories (see gongzhi.points.permissions for the table)."""

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import Appeal, Award, Item, Merchant, Period, Redemption, Rule, Scheme, Standing
from .permissions import PointsAction as A
from .permissions import district_rule, own

roles.register_actions({a: a.label for a in A})
roles.grant(Role.CITY_ADMIN, set(A))
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW, A.RULES, A.PUBLISH})
roles.grant(Role.STREET_OFFICER, {A.VIEW, A.AWARD, A.SHOP})
roles.grant(Role.COMMUNITY_SECRETARY, {A.VIEW, A.AWARD, A.SHOP})
roles.grant(Role.COMMUNITY_STAFF, {A.VIEW, A.AWARD})
roles.grant(Role.AUDITOR, {A.VIEW})

# A district's rules, scheme and publications are read by everyone working inside it.
scope.register_territory(Rule, rule=district_rule())
scope.register_territory(Scheme, rule=district_rule())
scope.register_territory(Period, rule=district_rule())
# What happened to a person lies where it happened; the person reads their own.
scope.register_territory(Award, owned=own())
scope.register_territory(Standing, owned=own())
scope.register_territory(Appeal, owned=own())
scope.register_territory(Merchant)
scope.register_territory(Item, via="merchant__")
scope.register_territory(Redemption, owned=own())
