"""Signing up for an activity, the waiting list, withdrawing, and checking in and out on site.

A place is taken under a lock on its slot (capacity), and a person's sign-ups are serialised by a
lock on their account row (no two overlapping sign-ups, even sent at the same instant). A place
freed — by a withdrawal or more places — goes to the first on the slot's waiting list, who is told.

Check-in: the organiser's phone shows a QR code of a signed check-in URL that expires
(django.core.signing, conf.checkin_token_seconds); or the volunteer's phone sends where it is,
accepted within the activity's radius of its point."""

import datetime as dt
import math

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.party.choices import MemberState

from .. import conf
from ..choices import ActivityStatus, SignUpStatus
from ..models import Activity, SignUp, Slot
from ..models.activities import LIVE
from ..permissions import VolunteeringAction as A
from ..selectors import activities as sel
from ..selectors.volunteers import active_volunteer
from .base import locked, require, tell, text

FIELDS = ["activity", "slot", "person", "status", "group_name", "checked_in_at", "checked_out_at",
          "check_in_method", "hours"]
TOKEN_SALT = "gongzhi.volunteering.checkin"  # noqa: S105 — a signing salt, not a secret
# Check-in opens this long before the start and stays open this long after the end.
WINDOW = dt.timedelta(hours=2)


def may_serve(user) -> bool:
    """Registered volunteers and party members serve in activities."""
    if active_volunteer(user) is not None:
        return True
    member = getattr(user, "party_member", None)
    return member is not None and member.state == MemberState.ACTIVE


def _lock_person(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _snapshot(signup: SignUp) -> dict:
    return audit.snapshot(signup, FIELDS)


@transaction.atomic
def sign_up(*, actor, activity_id, slot_id=None, group_name: str = "", idempotency_key: str = "",
            ) -> tuple[SignUp, bool]:
    """Take a place in a slot (the first with room if none is named), or join its waiting list
    when it is full; (signup, created). The same idempotency key again returns the first answer."""
    require(actor, A.SERVE)
    key = (idempotency_key or "").strip()[:64] or None
    if key:
        existing = SignUp.objects.filter(idempotency_key=key, person=actor).first()
        if existing is not None:
            return existing, False
    activity = scope.check_id(sel.open_activities(actor), activity_id)
    if not may_serve(actor):
        raise DomainError(_("Register as a volunteer of your community first."), code="forbidden")
    _lock_person(actor)
    if key:
        # The same tap sent twice at once: the second waited for the first's lock.
        existing = SignUp.objects.filter(idempotency_key=key, person=actor).first()
        if existing is not None:
            return existing, False
    slots = list(Slot.objects.select_for_update().filter(activity=activity, capacity__gt=0).order_by("order", "id"))
    if slot_id not in (None, ""):
        slot = scope.check_id(slots, slot_id)
    else:
        slot = next((s for s in slots if _taken(s) < s.capacity), slots[0] if slots else None)
        if slot is None:
            raise DomainError(_("This activity has no places."))
    if SignUp.objects.filter(activity=activity, person=actor, status__in=LIVE).exists():
        raise DomainError(_("You are already signed up for this activity."), code="duplicate")
    clash = sel.clashes(actor, activity.starts_at, activity.ends_at).first()
    if clash is not None:
        raise DomainError(_("You are signed up for “%(title)s” at the same time.") % {"title": clash.activity.title},
                          code="conflict")
    status = SignUpStatus.CONFIRMED if _taken(slot) < slot.capacity else SignUpStatus.WAITING
    signup = SignUp(activity=activity, slot=slot, person=actor, status=status,
                    group_name=text(group_name, _("Team"), max_length=100, required=False),
                    starts_at=activity.starts_at, ends_at=activity.ends_at, idempotency_key=key)
    try:
        with transaction.atomic():
            signup.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("You are already signed up for this activity."), code="duplicate") from None
    audit.record(actor=actor, action="volunteering.signup", obj=signup, division=activity.community,
                 after=_snapshot(signup))
    return signup, True


def _taken(slot: Slot) -> int:
    return slot.signups.filter(status=SignUpStatus.CONFIRMED).count()


def promote(slot: Slot) -> list[SignUp]:
    """Give the slot's free places to the first on its waiting list (the caller holds the slot's
    lock); each promoted person is told."""
    free = slot.capacity - _taken(slot)
    promoted = []
    for signup in sel.waiting_in(slot).select_related("person", "activity")[:max(free, 0)]:
        before = _snapshot(signup)
        signup.status, signup.promoted_at = SignUpStatus.CONFIRMED, timezone.now()
        signup.save(update_fields=["status", "promoted_at"])
        audit.record(actor=None, actor_label="system", action="volunteering.signup_promote", obj=signup,
                     division=signup.activity.community, before=before, after=_snapshot(signup))
        tell([signup.person], verb="volunteering.promoted", title=_l("You have a place: %(title)s"),
             body=_l("A place came free and is yours. Starts %(start)s."),
             values={"title": signup.activity.title,
                     "start": timezone.localtime(signup.activity.starts_at).strftime("%Y-%m-%d %H:%M")},
             subject=signup.activity, url=f"/volunteering/activities/{signup.activity_id}/")
        promoted.append(signup)
    return promoted


@transaction.atomic
def withdraw(*, actor, signup_id) -> SignUp:
    """Give up one's place (or leave the waiting list); the place goes to the next in line."""
    seen = scope.check_id(sel.my_signups(actor, live_only=True), signup_id)
    slot = locked(Slot, seen.slot_id)
    signup = locked(SignUp, seen.pk)
    if signup.status not in LIVE:
        raise DomainError(_("This sign-up is no longer active."), code="conflict")
    if signup.checked_in_at is not None:
        raise DomainError(_("You have already checked in; ask the organiser."), code="conflict")
    before = _snapshot(signup)
    signup.status, signup.withdrawn_at = SignUpStatus.WITHDRAWN, timezone.now()
    signup.save(update_fields=["status", "withdrawn_at"])
    audit.record(actor=actor, action="volunteering.withdraw", obj=signup, division=signup.activity.community,
                 before=before, after=_snapshot(signup))
    if seen.activity.status == ActivityStatus.PUBLISHED:
        promote(slot)
    return signup


# --- check-in ------------------------------------------------------------------------------------


def checkin_token(activity: Activity) -> str:
    """The signed, timestamped token the organiser's QR code carries."""
    return signing.dumps({"a": activity.pk}, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> int:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=conf.checkin_token_seconds())
    except signing.SignatureExpired:
        raise DomainError(_("This check-in code has expired. Scan the organiser's code again.")) from None
    except signing.BadSignature:
        # A code we never signed names nothing: it reads as missing.
        raise DomainError(_("This check-in code is not valid."), code="not_found") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise DomainError(_("This check-in code is not valid."), code="not_found")
    return payload["a"]


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _check(actor, activity: Activity, direction: str, method: str) -> SignUp:
    if activity.status != ActivityStatus.PUBLISHED:
        raise DomainError(_("This activity is not open for check-in."), code="conflict")
    now = timezone.now()
    if not activity.starts_at - WINDOW <= now <= activity.ends_at + WINDOW:
        raise DomainError(_("Check-in opens two hours before the activity and closes two hours after it."))
    seen = activity.signups.filter(person=actor, status=SignUpStatus.CONFIRMED).first()
    if seen is None:
        raise DomainError(_("You have no place in this activity."))
    signup = locked(SignUp, seen.pk)
    before = _snapshot(signup)
    if direction == "out":
        if signup.checked_in_at is None:
            raise DomainError(_("Check in first."))
        if signup.checked_out_at is not None:
            return signup
        signup.checked_out_at = now
    elif direction == "in":
        if signup.checked_in_at is not None:
            return signup
        signup.checked_in_at, signup.check_in_method = now, method
    else:
        raise DomainError(_("Check in or check out?"))
    signup.save(update_fields=["checked_in_at", "checked_out_at", "check_in_method"])
    audit.record(actor=actor, action=f"volunteering.check_{direction}", obj=signup, division=activity.community,
                 before=before, after=_snapshot(signup))
    return signup


@transaction.atomic
def check_in_by_token(*, actor, token: str, direction: str = "in") -> SignUp:
    """Check in (or out) with the organiser's QR code. A forged or expired code changes nothing."""
    require(actor, A.SERVE)
    activity_id = read_token(token)
    activity = scope.check_id(sel.activities_for(actor, action=A.SERVE), activity_id)
    return _check(actor, activity, direction, "qr")


@transaction.atomic
def check_in_by_location(*, actor, activity_id, lat, lng, direction: str = "in") -> SignUp:
    """Check in (or out) by where the phone is: within the activity's radius of its point."""
    require(actor, A.SERVE)
    activity = scope.check_id(sel.activities_for(actor, action=A.SERVE), activity_id)
    if activity.lat is None or activity.lng is None:
        raise DomainError(_("This activity has no location; scan the organiser's code."))
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise DomainError(_("Your location could not be read.")) from None
    distance = metres_between(lat, lng, activity.lat, activity.lng)
    if distance > activity.checkin_radius_m:
        raise DomainError(_("You are %(distance)d m from the activity; check in within %(radius)d m.")
                          % {"distance": distance, "radius": activity.checkin_radius_m})
    return _check(actor, activity, direction, "location")
