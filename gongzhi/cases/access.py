"""What each role may do to cases, and where a case lies (gongzhi.core.scope)."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope

from .models import Case
from .permissions import CaseAction as A
from .permissions import case_rule, followed_q

roles.register_actions({
    A.VIEW: _("See cases"),
    A.REPORT: _("File reports from patrol, the phone or the desk"),
    A.REGISTER: _("Register or reject reports"),
    A.DISPATCH: _("Dispatch cases to handling units"),
    A.HANDLE: _("Handle cases dispatched to my unit"),
    A.VERIFY: _("Verify handled cases"),
    A.CLOSE: _("Close cases"),
    A.APPROVE: _("Approve returns, transfers, extensions and suspensions"),
    A.WHISTLE: _("Blow the whistle: summon departments and people to a case"),
    A.MERGE: _("Merge duplicate reports"),
    A.RATE: _("Rate the result of my report"),
    A.CHECK_IN: _("Check in to a whistle"),
    A.MANAGE_CATALOGUE: _("Edit the case catalogue"),
    A.REVEAL_CONTACT: _("See a reporter's whole phone number (audited)"),
})

# The people who work on a case in the place — its desk, its handling office, its grid worker —
# may call the reporter back: they see the whole number on asking (audited). A department sees it
# only while it holds the case; district officers and auditors never (they read it masked).
_DESK = {A.VIEW, A.REPORT, A.REGISTER, A.DISPATCH, A.CLOSE, A.WHISTLE, A.MERGE, A.REVEAL_CONTACT}
roles.grant(Role.CITY_ADMIN, A.ALL - {A.RATE, A.CHECK_IN})
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW, A.REGISTER, A.DISPATCH, A.APPROVE, A.CLOSE, A.MERGE})
# The street office registers, dispatches, approves its dispatches' sidesteps, blows the whistle,
# and is the handling unit of last resort.
roles.grant(Role.STREET_OFFICER, _DESK | {A.HANDLE, A.APPROVE})
roles.grant(Role.COMMUNITY_SECRETARY, _DESK | {A.HANDLE, A.APPROVE, A.VERIFY})
roles.grant(Role.COMMUNITY_STAFF, _DESK | {A.HANDLE, A.VERIFY})
roles.grant(Role.GRID_WORKER, {A.VIEW, A.REPORT, A.VERIFY, A.REVEAL_CONTACT})
roles.grant(Role.DEPARTMENT_STAFF, {A.VIEW, A.HANDLE, A.CHECK_IN, A.REVEAL_CONTACT})
roles.grant(Role.AUDITOR, {A.VIEW})
# Residents reach their own reports by following them (the territory's `owned`), not by a role.

scope.register_territory(Case, rule=case_rule, owned=followed_q)
