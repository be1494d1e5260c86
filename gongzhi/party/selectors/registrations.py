"""Scoped reads of the double report-in (双报到): units' registrations and their projects, members'
report-ins, the service record, feedback cards, and the report-in rates of the dashboard.

Pages and the API read these rows only through here; every list goes through
`gongzhi.core.scope.restrict` with the party action it is read for."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core import scope
from gongzhi.divisions.models import Division

from .. import periods
from ..choices import Line, MemberCategory, MemberState, OrganisationStatus, RegistrationStatus
from ..models import (
    FeedbackCard,
    Member,
    MemberRegistration,
    Organisation,
    Policy,
    Project,
    ServiceEntry,
    UnitRegistration,
)
from ..permissions import BY_COMMUNITY, HOME, SITED, PartyAction, PartyRole, site_q

A = PartyAction
LIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


# --- the policy and its periods ------------------------------------------------------------------


def current_policy() -> Policy:
    """The deployment's report-in rules; the defaults (unsaved) while nobody has set them."""
    return Policy.objects.order_by("pk").first() or Policy()


def may_set_policy(user) -> bool:
    """The rules are the city's: whoever may manage the party tree over the whole city sets them."""
    return scope.is_global(user) or any(d.level in ("city", "province")
                                        for d in scope.covered_divisions(user, A.MANAGE))


def member_period(day: dt.date | None = None, policy: Policy | None = None) -> periods.Period:
    """The report-in period holding `day` (today by default)."""
    return periods.period_of(day, (policy or current_policy()).period_months)


def feedback_period(day: dt.date | None = None, policy: Policy | None = None) -> periods.Period:
    """The feedback-card period (a quarter by default) holding `day`."""
    return periods.period_of(day, (policy or current_policy()).feedback_months)


def feedback_period_due(day: dt.date | None = None, policy: Policy | None = None) -> periods.Period:
    """The last complete feedback period: the one whose cards are due now."""
    return periods.previous(feedback_period(day, policy))


# --- communities ---------------------------------------------------------------------------------


def report_in_communities(query: str = "") -> QuerySet[Division]:
    """The communities a member may report in to: every active community (their names are public;
    the member picks where they live)."""
    qs = Division.objects.filter(level="community", is_active=True).select_related("parent").order_by("code")
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(parent__name__contains=query) | Q(code__startswith=query))
    return qs


def community_by_code(code: str) -> Division | None:
    return report_in_communities().filter(code=code).first()


def desk_communities(user) -> QuerySet[Division]:
    """The communities whose report-in desk the user keeps (PartyAction.CONFIRM over them)."""
    return scope.restrict(Division.objects.filter(level="community", is_active=True), user, A.CONFIRM).order_by("code")


def dashboard_divisions(user) -> QuerySet[Division]:
    """The divisions (community and up) whose report-in dashboard the user may read."""
    return scope.restrict(Division.objects.filter(level__in=list(HOME), is_active=True), user,
                          A.VIEW_MEMBERS).order_by("code")


def default_dashboard_division(user) -> Division | None:
    """The user's widest division for the dashboard (the city for the city, their community for a
    community secretary), or None."""
    tops = [d for d in scope.covered_divisions(user, A.VIEW_MEMBERS) if d.level in HOME]
    if scope.is_global(user):
        return Division.objects.filter(level="city", is_active=True).order_by("code").first()
    order = ["province", "city", "district", "street", "community"]
    tops.sort(key=lambda d: (order.index(d.level), d.code))
    return tops[0] if tops else None


def dashboard_division(user, pk) -> Division:
    """A division (community or above) in the user's VIEW_MEMBERS scope, or 404."""
    return scope.get_in_scope(Division.objects.filter(level__in=list(HOME)).select_related("parent"), user,
                              A.VIEW_MEMBERS, pk=pk)


def confirm_division(user, pk) -> Division:
    """A community whose desk the user keeps, or 404 (the QR code page)."""
    return scope.get_in_scope(Division.objects.filter(level="community").select_related("parent"), user,
                              A.CONFIRM, pk=pk)


# --- the member's own ---------------------------------------------------------------------------


def my_member(user) -> Member | None:
    """The user's own party member record (relation held here), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (Member.objects.filter(user=user, state=MemberState.ACTIVE)
            .select_related("organisation__division", "home_community").first())


def my_registrations(member: Member) -> QuerySet[MemberRegistration]:
    return member.registrations.select_related("community__parent", "decided_by").order_by("-period_start", "-id")


def live_registration(member: Member, period: periods.Period) -> MemberRegistration | None:
    """The member's pending or confirmed report-in of `period`."""
    return (member.registrations.filter(period_start=period.start, status__in=LIVE)
            .select_related("community__parent").first())


def my_service(member: Member) -> QuerySet[ServiceEntry]:
    return member.service_entries.filter(voided_at__isnull=True).select_related("community")


def my_cards(member: Member) -> QuerySet[FeedbackCard]:
    return member.feedback_cards.select_related("community", "organisation")


# --- units ---------------------------------------------------------------------------------------


def unit_registrations_for(user, *, community=None, active_only: bool = False,
                           action: str = A.VIEW) -> QuerySet[UnitRegistration]:
    qs = scope.restrict(UnitRegistration.objects.all(), user, action)
    if community is not None:
        qs = qs.filter(community=community)
    if active_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.select_related("organisation", "community__parent").annotate(
        project_count=Count("projects")).order_by("community__code", "organisation__name", "pk")


def unit_registration(user, pk, action: str = A.VIEW) -> UnitRegistration:
    return scope.get_in_scope(UnitRegistration.objects.select_related("organisation", "community__parent"), user,
                              action, pk=pk)


def projects_of(registration: UnitRegistration) -> QuerySet[Project]:
    return registration.projects.order_by("-year", "id")


def project_for(user, pk, action: str = A.VIEW) -> Project:
    return scope.get_in_scope(Project.objects.select_related("registration__organisation",
                                                             "registration__community"), user, action, pk=pk)


def unit_secretary_posts(user) -> list:
    """The unit organisations whose committee the user sits on as secretary or deputy."""
    return [a.party_organisation for a in scope.assignments(user)
            if a.role == PartyRole.UNIT_SECRETARY and getattr(a, "party_organisation", None) is not None]


def registrable_units(user) -> QuerySet[Organisation]:
    """The units' organisations the user may register with a community: the units' organisations
    they see (a community desk), and their own unit's (a unit secretary)."""
    qs = Organisation.objects.filter(line=Line.UNIT, status=OrganisationStatus.ACTIVE)
    own = [o.pk for o in unit_secretary_posts(user)]
    if scope.may(user, A.CONFIRM):
        return scope.restrict(qs, user, A.VIEW).order_by("name") | qs.filter(pk__in=own)
    return qs.filter(pk__in=own).order_by("name")


def unit_desk_registrations(user) -> QuerySet[UnitRegistration]:
    """The registrations the user may keep (projects, end): their communities' desks', and their own
    unit's."""
    own = [o.pk for o in unit_secretary_posts(user)]
    return (UnitRegistration.objects.filter(community__in=desk_communities(user)) |
            UnitRegistration.objects.filter(organisation_id__in=own))


# --- members' report-ins -------------------------------------------------------------------------


def registrations_for(user, *, action: str = A.VIEW_MEMBERS, community=None, status: str = "",
                      period_start: dt.date | None = None, query: str = "") -> QuerySet[MemberRegistration]:
    qs = scope.restrict(MemberRegistration.objects.all(), user, action)
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    if period_start is not None:
        qs = qs.filter(period_start=period_start)
    if query:
        qs = qs.filter(Q(member__name__startswith=query) | Q(member__name_initials__startswith=query.lower()))
    return qs.select_related("member__organisation", "community__parent", "decided_by").order_by(
        "status", "-reported_at", "-id")


def registration_for(user, pk, action: str = A.VIEW_MEMBERS) -> MemberRegistration:
    return scope.get_in_scope(MemberRegistration.objects.select_related("member", "community"), user, action, pk=pk)


def confirmable_registrations(user) -> QuerySet[MemberRegistration]:
    """Report-ins at the desks the user keeps (any status: a decided one is refused as decided)."""
    return scope.restrict(MemberRegistration.objects.all(), user, A.CONFIRM).filter(
        community__in=desk_communities(user))


def desk_members(user) -> QuerySet[Member]:
    """Members a desk may register on their behalf: active members living in its communities."""
    return scope.restrict(Member.objects.filter(state=MemberState.ACTIVE), user, A.VIEW_MEMBERS).filter(
        home_community__in=desk_communities(user)).order_by("name", "pk")


def pending_count(user) -> int:
    if not scope.may(user, A.CONFIRM):
        return 0
    return confirmable_registrations(user).filter(status=RegistrationStatus.PENDING).order_by().count()


# --- service and cards ---------------------------------------------------------------------------


def service_entries_for(user, *, community=None, member=None, include_voided: bool = False,
                        action: str = A.VIEW_MEMBERS) -> QuerySet[ServiceEntry]:
    qs = scope.restrict(ServiceEntry.objects.all(), user, action)
    if community is not None:
        qs = qs.filter(community=community)
    if member is not None:
        qs = qs.filter(member=member)
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return qs.select_related("member", "community", "recorded_by").order_by("-served_on", "-id")


def service_entry_for(user, pk, action: str = A.VIEW_MEMBERS) -> ServiceEntry:
    return scope.get_in_scope(ServiceEntry.objects.select_related("member", "community"), user, action, pk=pk)


def serviceable_members(user) -> QuerySet[Member]:
    """Members a desk may record service for: those with a confirmed report-in at its communities."""
    confirmed = MemberRegistration.objects.filter(status=RegistrationStatus.CONFIRMED,
                                                  community__in=desk_communities(user))
    return scope.restrict(Member.objects.filter(state=MemberState.ACTIVE), user, A.VIEW_MEMBERS).filter(
        pk__in=confirmed.values("member_id")).order_by("name", "pk")


def feedback_cards_for(user, *, community=None, organisation=None, period_start=None,
                       status: str = "") -> QuerySet[FeedbackCard]:
    qs = scope.restrict(FeedbackCard.objects.all(), user, A.VIEW_MEMBERS)
    if community is not None:
        qs = qs.filter(community=community)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if period_start is not None:
        qs = qs.filter(period_start=period_start)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "community", "organisation").order_by("-period_start", "community__code",
                                                                             "member__name", "pk")


def feedback_card_for(user, pk) -> FeedbackCard:
    return scope.get_in_scope(FeedbackCard.objects.select_related("member", "community", "organisation"), user,
                              A.VIEW_MEMBERS, pk=pk)


def acknowledgeable_cards(user) -> QuerySet[FeedbackCard]:
    """Cards sent to an organisation on whose committee the user is secretary (or a unit's
    secretary), or under it: theirs to acknowledge."""
    q = scope.NOTHING
    for a in scope.assignments(user):
        org = getattr(a, "party_organisation", None)
        if org is not None and a.role in (PartyRole.SECRETARY, PartyRole.UNIT_SECRETARY,
                                          PartyRole.ORGANISATION_MEMBER):
            q |= Q(organisation__path__startswith=org.path)
    return FeedbackCard.objects.filter(q)


def cards_due(user, community, period: periods.Period) -> list[Member]:
    """The members confirmed in `community` in the report-in period(s) overlapping `period` who have
    no card for it yet."""
    return list(_card_members(community, period).exclude(
        feedback_cards__community=community, feedback_cards__period_start=period.start).order_by("name", "pk"))


def _card_members(community, period: periods.Period) -> QuerySet[Member]:
    confirmed = MemberRegistration.objects.filter(
        community=community, status=RegistrationStatus.CONFIRMED, period_start__lte=period.end,
        period_end__gte=period.start)
    return Member.objects.filter(pk__in=confirmed.values("member_id")).select_related("organisation")


def cards_due_count(user) -> int:
    """How many members of the user's desks still wait for the last quarter's card."""
    if not scope.may(user, A.CONFIRM):
        return 0
    period = feedback_period_due()
    confirmed = MemberRegistration.objects.filter(
        community__in=desk_communities(user), status=RegistrationStatus.CONFIRMED, period_start__lte=period.end,
        period_end__gte=period.start)
    carded = FeedbackCard.objects.filter(member_id=OuterRef("member_id"), community_id=OuterRef("community_id"),
                                         period_start=period.start)
    return confirmed.filter(~Exists(carded)).values("member_id", "community_id").distinct().order_by().count()


# --- the dashboard -------------------------------------------------------------------------------


@dataclass
class RateRow:
    """One community's or unit's report-in figures for the period."""

    pk: int
    name: str
    confirmed: int
    eligible: int
    pending: int = 0
    flagged: bool = False
    parent: str = ""

    @property
    def rate(self) -> float | None:
        return None if not self.eligible else self.confirmed / self.eligible

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass
class ReportInRates:
    division: Division
    period: periods.Period
    line_percent: int
    confirmed: int = 0
    pending: int = 0
    eligible: int = 0
    served: int = 0
    never: int = 0
    communities: list[RateRow] = field(default_factory=list)
    units: list[RateRow] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return None if not self.eligible else self.confirmed / self.eligible

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def flagged_units(self) -> list[RateRow]:
        return [u for u in self.units if u.flagged]


ELIGIBLE = {"state": MemberState.ACTIVE, "category": MemberCategory.EMPLOYED}


def report_in_rates(user, division, *, period_start: dt.date | None = None) -> ReportInRates:
    """The report-in figures of `division` (community, street, district, city or province) for the
    period beginning `period_start` (this period by default): confirmed ÷ active employed members
    living there, per community; confirmed ÷ active employed members, per unit organisation sited
    there, a unit under the policy's line flagged. A handful of GROUP BY queries whatever the size;
    404 unless the user may read the division's members."""
    if division.level not in HOME or not scope.covers(user, A.VIEW_MEMBERS, division):
        raise Http404
    policy = current_policy()
    period = (periods.period_starting(period_start, policy.period_months) if period_start
              else member_period(policy=policy))
    out = ReportInRates(division=division, period=period, line_percent=policy.unit_line_percent)

    current = period.start == member_period(policy=policy).start
    # One pass over the members living there (an index-only range of party_mem_living: counting an
    # indexed column, as the primary key is not in the index), counting per
    # community the eligible, those never confirmed and, this period, those who served (the day of
    # their latest service is on each member's row).
    eligible, never, served = {}, 0, 0
    living = Member.objects.filter(_area(division, HOME), **ELIGIBLE).values_list("home_community_id").annotate(
        n=Count("home_community"), never=Count("home_community", filter=Q(first_reported_on__isnull=True)),
        served=Count("home_community", filter=Q(last_served_on__range=(period.start, period.end)))).order_by()
    for community_id, n, not_yet, did_serve in living:
        eligible[community_id] = n
        never += not_yet
        served += did_serve
    # The period's report-ins are its record: counted as they were made (party_memreg_* indexes).
    regs = MemberRegistration.objects.filter(_area(division, BY_COMMUNITY), period_start=period.start,
                                             status__in=LIVE)
    counts: dict[int, dict[str, int]] = {}
    for community_id, status, n in regs.values_list("community_id", "status").annotate(n=Count("pk")).order_by():
        counts.setdefault(community_id, {})[status] = n
    communities = Division.objects.filter(level="community", is_active=True).filter(
        **({"pk": division.pk} if division.level == "community" else {f"{division.level}_id": division.pk}))
    for pk, name, parent in communities.values_list("pk", "name", "parent__name").order_by("code"):
        c = counts.get(pk, {})
        out.communities.append(RateRow(pk, name, c.get(RegistrationStatus.CONFIRMED, 0), eligible.get(pk, 0),
                                       c.get(RegistrationStatus.PENDING, 0), parent=parent or ""))
    out.eligible = sum(eligible.values())
    out.confirmed = sum(c.get(RegistrationStatus.CONFIRMED, 0) for c in counts.values())
    out.pending = sum(c.get(RegistrationStatus.PENDING, 0) for c in counts.values())
    out.never = never

    # Units: their own employed members, wherever those report in.
    units = Organisation.objects.filter(site_q(division, "", SITED), line=Line.UNIT,
                                        status=OrganisationStatus.ACTIVE)
    members = Member.objects.filter(organisation__in=units, **ELIGIBLE).values_list("organisation_id").order_by()
    if current:
        # This period: each member's row says whether they reported in (Member.reported_period).
        unit_eligible, unit_confirmed = {}, {}
        for pk, n, confirmed in members.annotate(n=Count("organisation"), confirmed=Count(
                "organisation", filter=Q(reported_period=period.start))):
            unit_eligible[pk], unit_confirmed[pk] = n, confirmed
    else:
        unit_eligible = dict(members.annotate(n=Count("pk")))
        unit_confirmed = dict(MemberRegistration.objects.filter(
            member__organisation__in=units, member__state=MemberState.ACTIVE,
            member__category=MemberCategory.EMPLOYED, period_start=period.start,
            status=RegistrationStatus.CONFIRMED)
            .values_list("member__organisation_id").annotate(n=Count("member_id", distinct=True)).order_by())
    for pk, name in units.values_list("pk", "name").order_by("name", "pk"):
        row = RateRow(pk, name, unit_confirmed.get(pk, 0), unit_eligible.get(pk, 0))
        row.flagged = row.eligible > 0 and row.confirmed * 100 < row.eligible * policy.unit_line_percent
        out.units.append(row)

    out.served = served if current else (
        ServiceEntry.objects.filter(_service_site(division), voided_at__isnull=True,
                                    served_on__range=(period.start, period.end))
        .values("member_id").distinct().order_by().count())
    return out


def _area(division, columns: dict) -> Q:
    """Rows sited in `division` by their cached columns; a city or province through its districts'
    ids (a short list), so no row is joined to its division."""
    if division.level in ("city", "province"):
        districts = Division.objects.filter(level="district", **{f"{division.level}_id": division.pk})
        return Q(**{f"{columns['district']}__in": list(districts.values_list("pk", flat=True))})
    return site_q(division, "", columns)


def _service_site(division) -> Q:
    if division.level == "community":
        return Q(community_id=division.pk)
    communities = Division.objects.filter(level="community", **{f"{division.level}_id": division.pk})
    return Q(community_id__in=list(communities.values_list("pk", flat=True)))


def never_reported(division) -> QuerySet[Member]:
    """Active employed members living in `division` who have never had a report-in confirmed: for
    the member review (民主评议)."""
    return Member.objects.filter(_area(division, HOME), **ELIGIBLE, first_reported_on__isnull=True)


def dashboard_members(user, division, kind: str, period: periods.Period) -> QuerySet[Member]:
    """The members behind one figure of the dashboard, as far as the user may see them: confirmed,
    pending (this period), served (this period) or never reported in."""
    base = scope.restrict(Member.objects.all(), user, A.VIEW_MEMBERS).select_related("organisation",
                                                                                     "home_community")
    if kind == "never":
        return base.filter(pk__in=never_reported(division).values("pk")).order_by("name", "pk")
    if kind == "served" and period.start == member_period().start:
        # As the figure counts them: the eligible members living there whose latest service is this period's.
        return base.filter(_area(division, HOME), **ELIGIBLE, last_served_on__range=(period.start, period.end)
                           ).order_by("name", "pk")
    if kind == "served":
        served = ServiceEntry.objects.filter(_service_site(division), voided_at__isnull=True,
                                             served_on__range=(period.start, period.end))
        return base.filter(pk__in=served.values("member_id")).order_by("name", "pk")
    status = RegistrationStatus.PENDING if kind == "pending" else RegistrationStatus.CONFIRMED
    regs = MemberRegistration.objects.filter(_area(division, BY_COMMUNITY), period_start=period.start,
                                             status=status)
    return base.filter(pk__in=regs.values("member_id")).order_by("name", "pk")


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class MyBranch:
    organisation: Organisation
    secretary: object | None
    committee: list
    facilities: list


def my_branch(member: Member) -> MyBranch:
    """The organisation holding the member's relation, as the member sees it: its current
    committee (the secretary first) and its positions (阵地). The member's own organisation is theirs
    to see (gongzhi.party.access: a member sees their own organisation)."""
    from ..choices import Position
    from ..models import Facility, Seat

    org = member.organisation
    seats = list(Seat.objects.filter(term__organisation=org, term__ended_on__isnull=True, ended_on__isnull=True)
                 .order_by("position", "id"))
    order = [Position.SECRETARY, Position.DEPUTY, Position.MEMBER, Position.PART_TIME]
    seats.sort(key=lambda s: (order.index(s.position) if s.position in order else 9, s.pk))
    secretary = next((s for s in seats if s.position == Position.SECRETARY), None)
    facilities = list(Facility.objects.filter(organisation=org, archived_at__isnull=True).order_by("kind", "id"))
    return MyBranch(org, secretary, seats, facilities)
