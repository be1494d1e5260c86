"""Reads of activities, their rosters and corrections, always through the access kernel."""

import datetime as dt

from django.db.models import Count, ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core import scope
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division
from gongzhi.party.models import Organisation as PartyOrganisation
from gongzhi.registry.models import Organisation

from ..choices import ActivityStatus, CorrectionStatus, SignUpStatus
from ..models import Activity, Correction, SignUp, Slot
from ..models.activities import LIVE
from ..permissions import VolunteeringAction as A

RELATED = ("community", "party_organisation", "organisation", "organiser")


def _with_slots(qs):
    return qs.select_related(*RELATED).prefetch_related(
        Prefetch("slots", queryset=Slot.objects.annotate(
            taken=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING))).order_by("order", "id")),
    ).annotate(confirmed=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)))


def activities_for(user, *, action: str = A.VIEW, status: str = "", community=None, query: str = "",
                   upcoming: bool = False) -> QuerySet[Activity]:
    qs = scope.restrict(Activity.objects.all(), user, action)
    if status:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(community=community)
    if query:
        qs = qs.filter(title__contains=query)
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.select_related(*RELATED).order_by("-starts_at", "-id")


def open_activities(user, *, lat: float | None = None, lng: float | None = None,
                    community=None) -> QuerySet[Activity]:
    """Published activities not yet over that the user may join, soonest first — or, given where
    the user is, nearest first (a flat-earth distance is enough to order a city's activities)."""
    qs = scope.restrict(Activity.objects.filter(status=ActivityStatus.PUBLISHED, ends_at__gte=timezone.now()),
                        user, A.SERVE)
    if community is not None:
        qs = qs.filter(community=community)
    qs = _with_slots(qs)
    if lat is not None and lng is not None:
        dlat, dlng = F("lat") - lat, F("lng") - lng
        qs = qs.annotate(far=ExpressionWrapper(dlat * dlat + dlng * dlng * 0.75, output_field=FloatField()))
        return qs.order_by(F("far").asc(nulls_last=True), "starts_at", "id")
    return qs.order_by("starts_at", "id")


def activity_for(user, pk, action: str = A.VIEW) -> Activity:
    return scope.get_in_scope(_with_slots(Activity.objects.all()), user, action, pk=pk)


def phone_activity(user, pk) -> Activity:
    """An activity as a volunteer reads it (published, or one they signed up for), or as the staff
    and organisers who may see it."""
    seen = scope.scope_q(user, A.SERVE, model=Activity) | scope.scope_q(user, A.VIEW, model=Activity)
    try:
        return _with_slots(Activity.objects.filter(seen)).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def roster(activity: Activity) -> QuerySet[SignUp]:
    return (activity.signups.select_related("person", "slot", "hours")
            .order_by("slot__order", "slot_id", "status", "signed_up_at", "id"))


def my_signups(user, *, live_only: bool = False) -> QuerySet[SignUp]:
    qs = scope.restrict(SignUp.objects.filter(person=user), user, A.SERVE)
    if live_only:
        qs = qs.filter(status__in=LIVE)
    return qs.select_related("activity", "activity__community", "slot", "hours").order_by("-starts_at", "-id")


def my_signup(user, activity: Activity) -> SignUp | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (activity.signups.filter(person=user, status__in=LIVE).select_related("slot").first()
            or activity.signups.filter(person=user).select_related("slot", "hours").order_by("-id").first())


def signup_for(user, pk, action: str = A.ORGANISE) -> SignUp:
    return scope.get_in_scope(SignUp.objects.select_related("activity", "slot", "person", "hours"), user, action,
                              pk=pk)


def signups_for(user, action: str) -> QuerySet[SignUp]:
    return scope.restrict(SignUp.objects.select_related("activity", "slot", "person", "hours"), user, action)


def waiting_in(slot: Slot) -> QuerySet[SignUp]:
    return slot.signups.filter(status=SignUpStatus.WAITING).order_by("signed_up_at", "id")


def clashes(person, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude_activity=None) -> QuerySet[SignUp]:
    """The person's live sign-ups whose times overlap [starts_at, ends_at)."""
    qs = SignUp.objects.filter(person=person, status__in=LIVE, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_activity is not None:
        qs = qs.exclude(activity=exclude_activity)
    return qs.select_related("activity")


# --- what an activity's form may name ----------------------------------------------------------


def organising_communities(user) -> QuerySet[Division]:
    """The communities where the user may publish an activity: ORGANISE over them, or a party
    secretary's post on an organisation in (or over) them."""
    from gongzhi.party.permissions import PartyRole

    posts = set()
    for a in scope.assignments(user):
        post = getattr(a, "party_organisation", None)
        if post is not None and a.role == PartyRole.SECRETARY and scope.holds(a, A.ORGANISE):
            division = post.division
            posts.add(division.pk if division.level == Level.COMMUNITY else division.community_id)
    communities = Division.objects.filter(level=Level.COMMUNITY, is_active=True)
    q = scope.scope_q(user, A.ORGANISE, model=Division)
    if posts:
        q |= Q(pk__in=[pk for pk in posts if pk])
    return communities.filter(q).order_by("code")


def viewable_community(user, pk, action: str = A.VIEW) -> Division:
    return scope.get_in_scope(Division.objects.filter(level=Level.COMMUNITY), user, action, pk=pk)


def organising_party_organisations(user) -> QuerySet[PartyOrganisation]:
    return scope.restrict(PartyOrganisation.objects.filter(status="active"), user, A.ORGANISE).order_by("path")


def organising_registered_organisations(user) -> QuerySet[Organisation]:
    return scope.restrict(Organisation.objects.filter(archived_at__isnull=True), user, A.ORGANISE).order_by("name")


# --- corrections ---------------------------------------------------------------------------------


def corrections_for(user, *, status: str = "", action: str = A.ORGANISE) -> QuerySet[Correction]:
    qs = scope.restrict(Correction.objects.select_related("activity", "requested_by", "hours", "replacement"),
                        user, action)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


def correction_for(user, pk, action: str = A.ORGANISE) -> Correction:
    return scope.get_in_scope(Correction.objects.select_related("activity", "hours", "requested_by"), user, action,
                              pk=pk)


def open_corrections_count(user) -> int:
    return corrections_for(user, status=CorrectionStatus.OPEN).count()
