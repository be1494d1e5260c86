"""Volunteering's grants and territories (gongzhi.core.scope); the table is in permissions.py.

Rows of a community (volunteers, hours, activities, honour lists) are reached by a grant over the
community or above it. A party secretary's post reaches the activities of their organisation and
those under it. What is a person's own (their registration, hours, sign-ups, corrections) they
reach themselves; a published activity is a public call for volunteers: everyone who may serve
sees it."""

from django.db.models import Q

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope
from gongzhi.party.permissions import PartyRole

from .choices import ActivityStatus
from .models import Activity, Certificate, Correction, HonourEntry, HonourList, ServiceHours, SignUp, Slot, Volunteer
from .permissions import VolunteeringAction as A

roles.register_actions({a: a.label for a in A})
roles.grant(Role.CITY_ADMIN, {A.VIEW, A.MANAGE, A.ORGANISE})
roles.grant(Role.DISTRICT_OFFICER, {A.VIEW})
roles.grant(Role.STREET_OFFICER, {A.VIEW, A.MANAGE, A.ORGANISE})
roles.grant(Role.COMMUNITY_SECRETARY, {A.VIEW, A.MANAGE, A.ORGANISE})
roles.grant(Role.COMMUNITY_STAFF, {A.VIEW, A.MANAGE, A.ORGANISE})
roles.grant(Role.GRID_WORKER, {A.VIEW})
roles.grant(Role.AUDITOR, {A.VIEW})
roles.grant(Role.RESIDENT, {A.SERVE})
roles.grant(PartyRole.SECRETARY, {A.VIEW, A.ORGANISE})
roles.grant(PartyRole.MEMBER, {A.SERVE})

COMMUNITY = {"community": "community_id", "street": "street_id", "district": "district_id", "city": "city_id",
             "province": "city__province_id"}
SEEN_PUBLISHED = (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)


def community_rule(prefix: str = "", *, posts: bool = False):
    """Rows whose community lies under a division grant; with `posts`, also the activities of a
    party secretary's organisation tree (through `prefix`)."""

    def rule(assignment, action):
        if action == A.SERVE:
            # Serving reaches only what is one's own, and published activities (`owned`): never a
            # whole community's rows.
            return scope.NOTHING
        post = getattr(assignment, "party_organisation", None)
        if post is not None:
            if posts and assignment.role == PartyRole.SECRETARY:
                return Q(**{f"{prefix}party_organisation__path__startswith": post.path})
            return scope.NOTHING
        q = scope.NOTHING
        for top in scope.anchors(assignment):
            column = COMMUNITY.get(top.level)
            if column:
                q |= Q(**{f"{prefix}{column}": top.pk})
            elif top.level == "grid" and top.community_id:
                # Volunteering is the community's: a grid worker sees their community's.
                q |= Q(**{f"{prefix}community_id": top.community_id})
        return q

    return rule


def _own(field: str):
    def owned(user, action):
        return Q(**{field: user}) if action in (A.VIEW, A.SERVE) else scope.NOTHING

    return owned


def _activity_owned(prefix: str = ""):
    def owned(user, action):
        q = scope.NOTHING
        if action in (A.VIEW, A.ORGANISE):
            q |= Q(**{f"{prefix}organiser": user})
        if action == A.SERVE and scope.may(user, A.SERVE):
            q |= Q(**{f"{prefix}status__in": SEEN_PUBLISHED})
            q |= Q(**{f"{prefix}pk__in": SignUp.objects.filter(person=user).values("activity_id")})
        return q

    return owned


def _signup_owned(prefix: str = ""):
    def owned(user, action):
        q = Q(**{f"{prefix}person": user}) if action in (A.VIEW, A.SERVE) else scope.NOTHING
        if action in (A.VIEW, A.ORGANISE):
            q |= Q(**{f"{prefix}activity__organiser": user})
        return q

    return owned


def _correction_owned(user, action):
    q = Q(requested_by=user) if action in (A.VIEW, A.SERVE) else scope.NOTHING
    if action in (A.VIEW, A.ORGANISE):
        q |= Q(activity__organiser=user)
    return q


scope.register_territory(Volunteer, rule=community_rule(), owned=_own("user"))
scope.register_territory(ServiceHours, rule=community_rule(), owned=_own("person"))
scope.register_territory(Activity, rule=community_rule(posts=True), owned=_activity_owned())
scope.register_territory(Slot, via="activity__", rule=community_rule("activity__", posts=True),
                         owned=_activity_owned("activity__"))
scope.register_territory(SignUp, via="activity__", rule=community_rule("activity__", posts=True),
                         owned=_signup_owned())
scope.register_territory(Correction, via="activity__", rule=community_rule("activity__", posts=True),
                         owned=_correction_owned)
scope.register_territory(HonourList, rule=community_rule())
scope.register_territory(HonourEntry, via="honour_list__", rule=community_rule("honour_list__"))
# A certificate is its holder's; anyone verifies one by its number (selectors.honours.verify).
scope.register_territory(Certificate, rule=lambda assignment, action: scope.NOTHING, owned=_own("person"))
