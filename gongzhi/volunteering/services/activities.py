"""Activities: drafted, published, edited, cancelled (with a reason, telling who signed up) and
finished. Who may: ORGANISE over the activity's community, a party secretary over their
organisation's, or the activity's own organiser."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from ..choices import ActivityStatus, Publisher, SignUpStatus
from ..models import Activity, SignUp, Slot
from ..models.activities import LIVE
from ..permissions import VolunteeringAction as A
from ..selectors import activities as sel
from .base import check_version, locked, require, tell, text

FIELDS = ["title", "place", "community", "publisher", "party_organisation", "organisation", "organiser",
          "starts_at", "ends_at", "lat", "lng", "checkin_radius_m", "status", "status_reason"]
S = ActivityStatus
MAX_SLOTS = 12
MAX_CAPACITY = 1000
MAX_LENGTH = dt.timedelta(hours=24)


@dataclass
class ActivityData:
    title: str
    place: str
    community_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    slots: list = field(default_factory=list)  # [(role, capacity)] or [{"role":…, "capacity":…}]
    description: str = ""
    publisher: str = Publisher.COMMUNITY
    party_organisation_id: int | None = None
    organisation_id: int | None = None
    lat: float | None = None
    lng: float | None = None
    checkin_radius_m: int = 300


def _slots(raw) -> list[tuple[str, int]]:
    slots = []
    for item in raw or []:
        role, capacity = (item.get("role"), item.get("capacity")) if isinstance(item, dict) else item
        role = text(role, _("Role"), max_length=64)
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            raise DomainError(_("Places must be a whole number.")) from None
        if not 1 <= capacity <= MAX_CAPACITY:
            raise DomainError(_("Places must be between 1 and %(max)d.") % {"max": MAX_CAPACITY})
        slots.append((role, capacity))
    if not slots:
        raise DomainError(_("An activity needs at least one role with places."))
    if len(slots) > MAX_SLOTS:
        raise DomainError(_("An activity has at most %(max)d roles.") % {"max": MAX_SLOTS})
    return slots


def _times(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_("The activity must end after it starts."))
    if ends_at - starts_at > MAX_LENGTH:
        raise DomainError(_("An activity lasts at most a day; publish one for each day."))


def _point(lat, lng) -> tuple[float | None, float | None]:
    if lat is None and lng is None:
        return None, None
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise DomainError(_("Give both latitude and longitude, or neither.")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(_("The location is not on the map."))
    return lat, lng


def _publisher(actor, data: ActivityData, community) -> dict:
    """The publisher fields, every id checked against what the actor may name."""
    if data.publisher == Publisher.BRANCH:
        if not data.party_organisation_id:
            raise DomainError(_("Choose the party organisation that publishes it."))
        org = scope.check_id(sel.organising_party_organisations(actor), data.party_organisation_id)
        return {"publisher": Publisher.BRANCH, "party_organisation": org, "organisation": None}
    if data.publisher == Publisher.ORGANISATION:
        if not data.organisation_id:
            raise DomainError(_("Choose the organisation that publishes it."))
        org = scope.check_id(sel.organising_registered_organisations(actor), data.organisation_id)
        if org.community_id != community.pk:
            raise DomainError(_("The organisation is not in this community."))
        return {"publisher": Publisher.ORGANISATION, "party_organisation": None, "organisation": org}
    if data.publisher != Publisher.COMMUNITY:
        raise DomainError(_("Unknown publisher."))
    return {"publisher": Publisher.COMMUNITY, "party_organisation": None, "organisation": None}


def _radius(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("The check-in radius must be a whole number of metres.")) from None
    if not 20 <= value <= 5000:
        raise DomainError(_("The check-in radius must be between 20 and 5,000 metres."))
    return value


@transaction.atomic
def create_activity(*, actor, data: ActivityData, idempotency_key: str = "") -> tuple[Activity, bool]:
    """A draft activity; (activity, created). The same idempotency key again returns the first."""
    require(actor, A.ORGANISE)
    key = (idempotency_key or "").strip()[:64] or None
    if key:
        existing = Activity.objects.filter(idempotency_key=key, created_by=actor).first()
        if existing is not None:
            return existing, False
    community = scope.check_id(sel.organising_communities(actor), data.community_id)
    _times(data.starts_at, data.ends_at)
    slots = _slots(data.slots)
    lat, lng = _point(data.lat, data.lng)
    activity = Activity(title=text(data.title, _("Title"), max_length=100),
                        description=text(data.description, _("Description"), max_length=4000, required=False),
                        place=text(data.place, _("Place")), starts_at=data.starts_at, ends_at=data.ends_at,
                        lat=lat, lng=lng, checkin_radius_m=_radius(data.checkin_radius_m), organiser=actor,
                        created_by=actor, idempotency_key=key, **_publisher(actor, data, community))
    activity.site_in(community)
    try:
        with transaction.atomic():
            activity.save(force_insert=True)
    except IntegrityError:
        existing = Activity.objects.filter(idempotency_key=key).first()
        if existing is not None and existing.created_by_id == actor.pk:
            return existing, False
        raise DomainError(_("This was already submitted."), code="duplicate") from None
    Slot.objects.bulk_create(Slot(activity=activity, role=role, capacity=cap, order=i)
                             for i, (role, cap) in enumerate(slots))
    audit.record(actor=actor, action="volunteering.activity_create", obj=activity, division=community,
                 after={**audit.snapshot(activity, FIELDS), "slots": slots})
    return activity, True


def _mine(actor, activity_id) -> Activity:
    seen = scope.check_id(sel.activities_for(actor, action=A.ORGANISE), activity_id)
    return locked(Activity, seen.pk)


@transaction.atomic
def update_activity(*, actor, activity_id, data: ActivityData, expected_version=None) -> Activity:
    """Edit an activity. Once published, its times stay (people planned around them) and a role's
    places only grow or shrink down to those taken; freed places go to the waiting list."""
    activity = _mine(actor, activity_id)
    check_version(activity, expected_version)
    if activity.status not in (S.DRAFT, S.PUBLISHED):
        raise DomainError(_("A cancelled or finished activity cannot be edited."), code="conflict")
    before = {**audit.snapshot(activity, FIELDS), "slots": [(s.role, s.capacity) for s in activity.slots.all()]}
    community = scope.check_id(sel.organising_communities(actor), data.community_id) \
        if data.community_id != activity.community_id else activity.community
    _times(data.starts_at, data.ends_at)
    published = activity.status == S.PUBLISHED
    if published and (data.starts_at != activity.starts_at or data.ends_at != activity.ends_at
                      or community.pk != activity.community_id):
        raise DomainError(_("The time and community of a published activity cannot change; cancel it and "
                            "publish another."), code="conflict")
    slots = _slots(data.slots)
    for name, value in _publisher(actor, data, community).items():
        setattr(activity, name, value)
    activity.title = text(data.title, _("Title"), max_length=100)
    activity.description = text(data.description, _("Description"), max_length=4000, required=False)
    activity.place = text(data.place, _("Place"))
    activity.starts_at, activity.ends_at = data.starts_at, data.ends_at
    activity.lat, activity.lng = _point(data.lat, data.lng)
    activity.checkin_radius_m = _radius(data.checkin_radius_m)
    activity.site_in(community)
    activity.version += 1
    activity.save()
    _resize(activity, slots)
    audit.record(actor=actor, action="volunteering.activity_update", obj=activity, division=community,
                 before=before, after={**audit.snapshot(activity, FIELDS), "slots": slots})
    return activity


def _resize(activity: Activity, slots: list[tuple[str, int]]) -> None:
    """Slots by position: existing ones take the new role and places, new ones are added; a slot
    with people in it cannot go, nor shrink below those confirmed."""
    from .signups import promote

    existing = list(Slot.objects.select_for_update().filter(activity=activity).order_by("order", "id"))
    for i, slot in enumerate(existing):
        taken = slot.signups.filter(status=SignUpStatus.CONFIRMED).count()
        if i >= len(slots):
            if slot.signups.filter(status__in=LIVE).exists():
                raise DomainError(_("The role %(role)s has people signed up; it cannot be removed.")
                                  % {"role": slot.role})
            slot.capacity = 0
            slot.save(update_fields=["capacity"])
            continue
        role, capacity = slots[i]
        if capacity < taken:
            raise DomainError(_("%(role)s already has %(taken)d people; it cannot have fewer places.")
                              % {"role": slot.role, "taken": taken})
        slot.role, slot.capacity = role, capacity
        slot.save(update_fields=["role", "capacity"])
        promote(slot)
    for i, (role, capacity) in enumerate(slots[len(existing):], start=len(existing)):
        Slot.objects.create(activity=activity, role=role, capacity=capacity, order=i)


@transaction.atomic
def publish_activity(*, actor, activity_id, expected_version=None) -> Activity:
    activity = _mine(actor, activity_id)
    check_version(activity, expected_version)
    if activity.status != S.DRAFT:
        raise DomainError(_("Only a draft can be published."), code="conflict")
    if activity.ends_at <= timezone.now():
        raise DomainError(_("This activity is already over."))
    before = audit.snapshot(activity, FIELDS)
    activity.status, activity.published_at = S.PUBLISHED, timezone.now()
    activity.version += 1
    activity.save(update_fields=["status", "published_at", "version"])
    audit.record(actor=actor, action="volunteering.activity_publish", obj=activity, division=activity.community,
                 before=before, after=audit.snapshot(activity, FIELDS))
    return activity


@transaction.atomic
def cancel_activity(*, actor, activity_id, reason: str, expected_version=None) -> Activity:
    """Cancel with a reason; everyone signed up or waiting is told."""
    activity = _mine(actor, activity_id)
    check_version(activity, expected_version)
    if activity.status not in (S.DRAFT, S.PUBLISHED):
        raise DomainError(_("Only a draft or a published activity can be cancelled."), code="conflict")
    if activity.signups.filter(hours__isnull=False).exists():
        raise DomainError(_("Hours were certified for this activity; it cannot be cancelled."), code="conflict")
    reason = text(reason, _("Reason"))
    before = audit.snapshot(activity, FIELDS)
    people = [s.person for s in activity.signups.filter(status__in=LIVE).select_related("person")]
    SignUp.objects.filter(activity=activity, status__in=LIVE).update(status=SignUpStatus.CANCELLED)
    activity.status, activity.status_reason = S.CANCELLED, reason
    activity.version += 1
    activity.save(update_fields=["status", "status_reason", "version"])
    audit.record(actor=actor, action="volunteering.activity_cancel", obj=activity, division=activity.community,
                 before=before, after=audit.snapshot(activity, FIELDS), reason=reason)
    tell(people, verb="volunteering.activity_cancelled", title=_l("Activity cancelled: %(title)s"),
         body=_l("Reason: %(reason)s"), values={"title": activity.title, "reason": reason}, subject=activity,
         url=f"/volunteering/activities/{activity.pk}/")
    return activity


@transaction.atomic
def finish_activity(*, actor, activity_id, expected_version=None) -> Activity:
    activity = _mine(actor, activity_id)
    check_version(activity, expected_version)
    if activity.status != S.PUBLISHED:
        raise DomainError(_("Only a published activity can be finished."), code="conflict")
    if activity.starts_at > timezone.now():
        raise DomainError(_("This activity has not started yet."))
    before = audit.snapshot(activity, FIELDS)
    activity.status = S.FINISHED
    activity.version += 1
    activity.save(update_fields=["status", "version"])
    # Those still waiting will not get a place now.
    SignUp.objects.filter(activity=activity, status=SignUpStatus.WAITING).update(status=SignUpStatus.CANCELLED)
    audit.record(actor=actor, action="volunteering.activity_finish", obj=activity, division=activity.community,
                 before=before, after=audit.snapshot(activity, FIELDS))
    return activity
