"""The party organisation's roles, grants and territories (gongzhi.core.scope, gongzhi.core.roles),
and the roles that come from a post: a committee seat or a member's own record
(see gongzhi.party.permissions for the table)."""

from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, Q, Subquery, When

from gongzhi.accounts.choices import Role
from gongzhi.core import roles, scope
from gongzhi.divisions.choices import Level

from .choices import Duty, Line, MemberState, Position
from .models import (
    Facility,
    FeedbackCard,
    LeaderLink,
    LeaderProblem,
    LeaderVisit,
    Meeting,
    MeetingAttendance,
    Member,
    MemberRegistration,
    Organisation,
    OrganisationChange,
    Project,
    Seat,
    ServiceEntry,
    Term,
    Transfer,
    UnitRegistration,
)
from .permissions import BY_COMMUNITY, COMMUNITY_ROW, HOME, LINKED, SITED, PartyRole, own_member_q, party_rule
from .permissions import PartyAction as A

roles.register_actions({a: a.label for a in A})

_levels = (Level.STREET, Level.COMMUNITY, Level.GRID)
for order, (role, levels, desk) in enumerate([
    (PartyRole.SECRETARY, _levels, True),
    (PartyRole.ORGANISATION_MEMBER, _levels, True),
    (PartyRole.UNIT_SECRETARY, (), True),
    (PartyRole.COMMITTEE_MEMBER, (), True),
    (PartyRole.MEMBER, (), False),
]):
    roles.register_role(role, role.label, order=200 + order * 10, desk=desk, levels=levels)

READ = {A.VIEW, A.VIEW_MEMBERS}
roles.grant(Role.CITY_ADMIN, READ | {A.MANAGE, A.EDIT_MEMBERS, A.EXPORT, A.CONFIRM, A.LEADERS})
roles.grant(Role.DISTRICT_OFFICER, READ | {A.MANAGE, A.EXPORT, A.LEADERS})
roles.grant(Role.STREET_OFFICER, READ | {A.MANAGE, A.EDIT_MEMBERS, A.EXPORT, A.CONFIRM, A.LEADERS})
roles.grant(Role.COMMUNITY_SECRETARY, READ | {A.MANAGE, A.EDIT_MEMBERS, A.EXPORT, A.REVEAL, A.CONFIRM})
roles.grant(Role.COMMUNITY_STAFF, READ | {A.CONFIRM})
roles.grant(Role.GRID_WORKER, {A.VIEW})
roles.grant(Role.AUDITOR, {A.VIEW})
roles.grant(PartyRole.SECRETARY, READ | {A.EDIT_MEMBERS, A.EXPORT, A.REVEAL, A.CONFIRM})
roles.grant(PartyRole.ORGANISATION_MEMBER, READ | {A.EDIT_MEMBERS, A.EXPORT})
roles.grant(PartyRole.UNIT_SECRETARY, READ | {A.EXPORT})
roles.grant(PartyRole.COMMITTEE_MEMBER, {A.VIEW})
roles.grant(PartyRole.MEMBER, {A.REPORT_IN})

# --- territories ---------------------------------------------------------------------------------


def _own_organisation(user, action):
    # A member sees their own organisation ("my branch"), whatever their roles.
    if action != A.VIEW:
        return scope.NOTHING
    return Q(pk__in=Member.objects.filter(user=user, state=MemberState.ACTIVE).values("organisation_id"))


scope.register_territory(Organisation, rule=party_rule(("", SITED), tree=""), owned=_own_organisation)
for model, via in ((OrganisationChange, "organisation__"), (Facility, "organisation__"), (Term, "organisation__"),
                   (Seat, "term__organisation__"), (Meeting, "term__organisation__"),
                   (MeetingAttendance, "meeting__term__organisation__")):
    scope.register_territory(model, via=via, rule=party_rule((via, SITED), tree=via))
# A member lies where their relation is held and where they live.
scope.register_territory(Member, rule=party_rule(("", SITED), ("", HOME), tree="organisation__"),
                         owned=own_member_q(""))
scope.register_territory(Transfer, via="member__", rule=party_rule(("member__", SITED), ("member__", HOME),
                                                                   tree="member__organisation__"))
# A unit's registration is its co-building community's, and its own organisation's.
scope.register_territory(UnitRegistration, rule=party_rule(("", BY_COMMUNITY), ("organisation__", SITED),
                                                           tree="organisation__"))
scope.register_territory(Project, via="registration__", rule=party_rule(
    ("registration__", BY_COMMUNITY), ("registration__organisation__", SITED), tree="registration__organisation__"))
scope.register_territory(MemberRegistration, rule=party_rule(("", BY_COMMUNITY), ("member__", SITED),
                                                             tree="member__organisation__"),
                         owned=own_member_q("member__"))
# What a member did in a community, and the card about it: the community's, and the member's own
# organisation's (the card is sent there).
for model in (ServiceEntry, FeedbackCard):
    scope.register_territory(model, rule=party_rule(("", COMMUNITY_ROW), ("member__", SITED),
                                                    tree="member__organisation__"),
                             owned=own_member_q("member__"))
scope.register_territory(LeaderLink, rule=party_rule(("", LINKED), tree=None))
for model, via in ((LeaderVisit, "link__"), (LeaderProblem, "link__")):
    scope.register_territory(model, via=via, rule=party_rule((via, LINKED), tree=None))


# --- roles from posts ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    """A role that comes from a post, shaped like a role assignment (gongzhi.core.scope): held over
    `party_organisation` and everything under it."""

    role: str
    party_organisation: Organisation
    pk: None = None
    department = None
    department_id = None

    @property
    def division(self):
        return self.party_organisation.division

    @property
    def division_id(self):
        return self.party_organisation.division_id


def _role_of(org: Organisation, position: str | None, duty: str | None) -> str:
    if position in (Position.SECRETARY, Position.DEPUTY):
        return PartyRole.UNIT_SECRETARY if org.line == Line.UNIT else PartyRole.SECRETARY
    if duty == Duty.ORGANISATION:
        return PartyRole.ORGANISATION_MEMBER
    return PartyRole.COMMITTEE_MEMBER


def posts_of(user) -> list[Post]:
    """The user's seats on current committees of active organisations, and their own membership —
    one query on every request, whoever the user is: the organisations where either is held, each
    with the user's seat on it (the highest, if several) and whether the user is a member there."""
    seats = Seat.objects.filter(user=user, ended_on__isnull=True, term__ended_on__isnull=True)
    membership = Member.objects.filter(user=user, state=MemberState.ACTIVE)
    # The seat that gives the most, if a user holds several on one committee.
    rank = Case(When(position__in=[Position.SECRETARY, Position.DEPUTY], then=0),
                When(duty=Duty.ORGANISATION, then=1), default=2)
    mine = seats.filter(term__organisation=OuterRef("pk")).order_by(rank)
    orgs = (Organisation.objects.filter(Q(pk__in=seats.values("term__organisation_id"))
                                        | Q(pk__in=membership.values("organisation_id")))
            .annotate(seat_position=Subquery(mine.values("position")[:1]),
                      seat_duty=Subquery(mine.values("duty")[:1]),
                      is_member=Exists(membership.filter(organisation=OuterRef("pk"))))
            .select_related("division"))
    posts = []
    for org in orgs:
        if org.seat_position is not None and org.status == "active":
            posts.append(Post(_role_of(org, org.seat_position, org.seat_duty), org))
        if org.is_member:
            posts.append(Post(PartyRole.MEMBER, org))
    return posts


scope.add_assignment_source(posts_of)
