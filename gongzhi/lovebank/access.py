"""The love bank's grants and territories (gongzhi.core.roles, gongzhi.core.scope)."""

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import BankMember, Deposit, Exchange, Relation, Transfer
from .permissions import BankAction as A

roles.register_actions({a: a.label for a in A})
roles.grant(Role.CITY_ADMIN, {A.VIEW, A.MANAGE, A.RULES, A.EXPORT})
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW, A.RULES, A.EXPORT})
roles.grant(Role.STREET_OFFICER, {A.VIEW, A.MANAGE, A.EXPORT})
roles.grant(Role.COMMUNITY_SECRETARY, {A.VIEW, A.MANAGE, A.EXPORT})
roles.grant(Role.COMMUNITY_STAFF, {A.VIEW, A.MANAGE})
roles.grant(Role.AUDITOR, {A.VIEW, A.EXPORT})

# A member and an exchange lie in their community; the rest where their member lies.
scope.register_territory(BankMember)
scope.register_territory(Exchange)
scope.register_territory(Deposit, via="member__")
scope.register_territory(Relation, via="holder__")
scope.register_territory(Transfer, via="sender__")
