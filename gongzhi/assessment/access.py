"""Who sees the assessment of which units, and who sets the score weights (gongzhi.core.roles)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core import roles

from .units import AssessmentAction as A

roles.register_actions({
    A.VIEW: _("See the rates and ranking of the units in my area"),
    A.VIEW_OWN_UNIT: _("See my department's rates and ranking"),
    A.EDIT_WEIGHTS: _("Set the score weights of the ranking"),
})
for role in (Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.STREET_OFFICER, Role.COMMUNITY_SECRETARY,
             Role.COMMUNITY_STAFF, Role.AUDITOR):
    roles.grant(role, {A.VIEW})
roles.grant(Role.DEPARTMENT_STAFF, {A.VIEW_OWN_UNIT})
roles.grant(Role.CITY_ADMIN, {A.EDIT_WEIGHTS})
