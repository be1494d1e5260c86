"""The order loop, written: a resident (or anyone, for a neighbour without a phone) orders help; the
community or a branch dispatches it to members or volunteers, or publishes it for them to take; a
taker does it and records what was done; the resident confirms and rates, and the takers' hours are
certified (gongzhi.volunteering). Each write is one transaction with its timeline and audit rows;
notices leave after commit; every id a request names is checked here against a scoped selector."""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import roles, scope
from gongzhi.core.errors import DomainError
from gongzhi.core.seams import hooks
from gongzhi.workdays.calendar import add_working_time

from ..choices import CANCELLABLE, DISPATCHABLE, OrderStatus, TakerStatus
from ..models import Order, OrderPhoto, OrderTaker
from ..selectors import orders as sel
from ..selectors import takers as taker_sel
from . import photos as photo_files
from .base import (
    A,
    cancel_window,
    check_version,
    event,
    for_dispatch,
    lock,
    record,
    require_status,
    save,
    snapshot,
    tell,
    text,
    visible,
)

MAX_DESCRIPTION = 1000
MAX_HOURS = Decimal("24")
MAX_TAKERS = 10


# --- placing -------------------------------------------------------------------------------------


def place_order(*, actor, kind_id, community_id, description: str, wanted_at: dt.datetime, place: str,
                lng: float | None = None, lat: float | None = None, for_neighbour: bool = False,
                contact_name: str = "", contact_phone: str = "", idempotency_key: str = "",
                from_case=None, resident=None) -> tuple[Order, bool]:
    """Order help in a community the actor may order in (their own, as a resident; their territory,
    at a desk). For a neighbour without a phone the contact is named and the order is not theirs to
    confirm: the dispatcher records the neighbour's answer. The same idempotency key again gives back
    the first order (False: nothing new)."""
    key = (idempotency_key or "").strip()[:64]
    earlier = _earlier(actor, key)
    if earlier is not None:
        return _replay(earlier, description), False
    community = scope.check_id(sel.order_communities(actor), community_id)
    kind = scope.check_id(sel.kinds_for(community), kind_id)
    description = text(description, _("What help is needed"), limit=MAX_DESCRIPTION)
    place = text(place, _("Where"))
    if wanted_at is None:
        raise DomainError(_("Say when the help is wanted."), details={"wanted_at": _("required")})
    if timezone.is_naive(wanted_at):
        wanted_at = timezone.make_aware(wanted_at)
    if from_case is None and wanted_at < timezone.now() - dt.timedelta(minutes=5):
        raise DomainError(_("The time wanted has passed."), details={"wanted_at": _("in the past")})
    if for_neighbour:
        contact_name = text(contact_name, _("Neighbour's name"), limit=64)
        contact_phone = text(contact_phone, _("Neighbour's phone"), required=False, limit=20)
    now = timezone.now()
    order = Order(number=f"tmp-{secrets.token_hex(8)}", kind=kind, description=description, wanted_at=wanted_at,
                  place=place, lng=lng, lat=lat, ordered_by=actor,
                  resident=resident if from_case is not None else (None if for_neighbour else actor),
                  contact_name=contact_name if for_neighbour else "", idempotency_key=key, from_case=from_case,
                  deadline=add_working_time(max(now, wanted_at), kind.working_days, "days"), created_at=now,
                  updated_at=now)
    if for_neighbour:
        order.set_contact_phone(contact_phone)
    order.site_in(community)
    try:
        with transaction.atomic():
            order.save(force_insert=True)
            order.number = f"S{now:%y%m%d}{order.pk:06d}"
            Order.objects.filter(pk=order.pk).update(number=order.number)
            if from_case is not None:
                event(order, "from_case", actor=actor, number=from_case.tracking_number)
            else:
                event(order, "placed_for_neighbour" if for_neighbour else "placed", actor=actor)
            record(order, "order_place", actor=actor)
            tell(_dispatchers(order), verb="service.order_placed", values={"number": order.number},
                 title=gettext_lazy("Service order %(number)s waits for dispatch"), order=order)
    except IntegrityError:
        earlier = _earlier(actor, key)
        if earlier is None:
            raise
        return _replay(earlier, description), False
    return order, True


def _earlier(actor, key: str) -> Order | None:
    if not key or not getattr(actor, "is_authenticated", False):
        return None
    return Order.objects.filter(ordered_by=actor, idempotency_key=key).first()


def _replay(earlier: Order, description: str) -> Order:
    if earlier.description != (description or "").strip():
        raise DomainError(_("This idempotency key was already used for a different order."), code="conflict")
    return earlier


def _dispatchers(order: Order) -> list[User]:
    """Who dispatches the order's community: its desk (a division role with the dispatch action held
    at the community or its street), or whoever dispatched it."""
    holders = roles.holders_of(A.DISPATCH)
    live = RoleAssignment.objects.filter(revoked_at__isnull=True, role__in=holders,
                                         division_id__in=[order.community_id, order.street_id])
    users = list(User.objects.filter(pk__in=live.values("user_id"), is_active=True))
    if order.dispatched_by_id and all(u.pk != order.dispatched_by_id for u in users):
        users.append(order.dispatched_by)
    return users


# --- dispatching ---------------------------------------------------------------------------------


@transaction.atomic
def dispatch(*, actor, order_id, taker_ids, team_name: str = "", expected_version: int | None = None) -> Order:
    """Assign party members or volunteers serving the order's community (a team by name, with its
    people); each id is checked against the community's takers."""
    order = for_dispatch(actor, order_id)
    check_version(order, expected_version)
    require_status(order, DISPATCHABLE, _("dispatched"))
    taker_ids = list(dict.fromkeys(taker_ids or []))
    if not taker_ids:
        raise DomainError(_("Choose who serves the order."), details={"taker_ids": _("required")})
    if len(taker_ids) > MAX_TAKERS:
        raise DomainError(_("At most %(n)d people serve one order.") % {"n": MAX_TAKERS})
    chosen = scope.check_ids(taker_sel.takers_for(order.community), taker_ids)
    before = snapshot(order)
    # Whoever served before (a no-show, an earlier assignment) is released, not deleted.
    OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED).update(status=TakerStatus.RELEASED)
    now = timezone.now()
    for taker in chosen:
        OrderTaker.objects.update_or_create(order=order, user=taker.user, defaults={
            "kind": taker.kind, "status": TakerStatus.ASSIGNED, "assigned_by": actor, "assigned_at": now,
            "accepted_at": None})
    order.status = OrderStatus.DISPATCHED
    order.team_name = text(team_name, _("Team"), required=False, limit=100)
    order.dispatched_by, order.dispatched_at = actor, now
    save(order, ["status", "team_name", "dispatched_by", "dispatched_at"])
    names = "、".join(t.name for t in chosen)
    event(order, "dispatched", actor=actor, takers=f"{order.team_name}（{names}）" if order.team_name else names)
    record(order, "order_dispatch", actor=actor, before=before)
    tell([t.user for t in chosen], verb="service.order_assigned", values={"number": order.number},
         title=gettext_lazy("Service order %(number)s is yours to serve"), order=order)
    return order


@transaction.atomic
def publish(*, actor, order_id, expected_version: int | None = None) -> Order:
    """Open the order to the community's members and volunteers: the first to take it serves it."""
    order = for_dispatch(actor, order_id)
    check_version(order, expected_version)
    require_status(order, {OrderStatus.PLACED, OrderStatus.NO_SHOW}, _("published"))
    before = snapshot(order)
    OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED).update(status=TakerStatus.RELEASED)
    order.status = OrderStatus.PUBLISHED
    order.dispatched_by, order.dispatched_at = actor, timezone.now()
    save(order, ["status", "dispatched_by", "dispatched_at"])
    event(order, "published", actor=actor)
    record(order, "order_publish", actor=actor, before=before)
    tell([t.user for t in taker_sel.takers_for(order.community)], verb="service.order_published",
         values={"number": order.number, "kind": order.kind.name_zh},
         title=gettext_lazy("A service order to take: %(kind)s (%(number)s)"), order=order)
    return order


# --- taking and doing ----------------------------------------------------------------------------


def take(*, actor, order_id, expected_version: int | None = None) -> Order:
    """A published order: the first member or volunteer serving its community to take it wins (a
    conditional UPDATE: of two at the same moment, one changes the row, the other is told it is
    gone). A dispatched order: an assigned taker accepts it."""
    try:
        order = visible(actor, order_id)
    except scope.NotInScope:
        # Gone from the pool a moment ago: the takers of its community are told so, no one else.
        pk = int(order_id) if str(order_id).isdigit() and len(str(order_id)) < 19 else None
        if pk and Order.objects.filter(pk=pk, community_id__in=taker_sel.taker_community_ids(actor),
                                       events__code="published").exists():
            raise DomainError(_("Someone else took this order first."), code="conflict") from None
        raise
    check_version(order, expected_version)
    if order.status == OrderStatus.PUBLISHED:
        taker = taker_sel.taker_for(actor, order.community)
        if taker is None:
            raise PermissionDenied(_("Only party members and volunteers serving this community take its orders."))
        with transaction.atomic():
            won = Order.objects.filter(pk=order.pk, status=OrderStatus.PUBLISHED, version=order.version).update(
                status=OrderStatus.TAKEN, version=F("version") + 1, updated_at=timezone.now())
            if not won:
                raise DomainError(_("Someone else took this order first."), code="conflict")
            order = lock(order.pk)
            now = timezone.now()
            OrderTaker.objects.update_or_create(order=order, user=actor, defaults={
                "kind": taker.kind, "status": TakerStatus.ASSIGNED, "assigned_at": now, "accepted_at": now})
            event(order, "taken", actor=actor, name=taker.name)
            record(order, "order_take", actor=actor)
        return order
    with transaction.atomic():
        order = lock(order.pk)
        check_version(order, expected_version)
        row = OrderTaker.objects.filter(order=order, user=actor, status=TakerStatus.ASSIGNED).first()
        if row is None:
            raise PermissionDenied(_("This order was not assigned to you."))
        require_status(order, {OrderStatus.DISPATCHED, OrderStatus.TAKEN}, _("accepted"))
        if row.accepted_at is not None:
            raise DomainError(_("You have accepted this order already."), code="conflict")
        before = snapshot(order)
        row.accepted_at = timezone.now()
        row.save(update_fields=["accepted_at"])
        order.status = OrderStatus.TAKEN
        save(order, ["status"])
        event(order, "accepted", actor=actor, name=str(actor))
        record(order, "order_accept", actor=actor, before=before)
    return order


def clean_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Hours must be a number."), details={"hours": _("Hours must be a number.")}) from None
    if not Decimal("0") < hours <= MAX_HOURS:
        raise DomainError(_("Hours must be more than 0 and at most 24."),
                          details={"hours": _("Hours must be more than 0 and at most 24.")})
    return hours


def record_done(*, actor, order_id, note: str, hours, photos=(), expected_version: int | None = None) -> Order:
    """A taker records what was done, how long it took, and photos of it; the resident is asked to
    confirm. Photos are checked before anything is written."""
    order = visible(actor, order_id)
    note = text(note, _("What was done"), limit=2000)
    hours = clean_hours(hours)
    prepared = photo_files.prepare_all(photos)
    with photo_files.written() as written, transaction.atomic():
        order = lock(order.pk)
        check_version(order, expected_version)
        if not OrderTaker.objects.filter(order=order, user=actor, status=TakerStatus.ASSIGNED).exists():
            raise PermissionDenied(_("This order was not assigned to you."))
        require_status(order, {OrderStatus.TAKEN, OrderStatus.DISPATCHED}, _("recorded as done"))
        before = snapshot(order)
        OrderTaker.objects.filter(order=order, user=actor, accepted_at__isnull=True).update(accepted_at=timezone.now())
        order.status, order.done_note, order.hours, order.done_at = OrderStatus.DONE, note, hours, timezone.now()
        save(order, ["status", "done_note", "hours", "done_at"])
        for content in prepared:
            photo_files.save(OrderPhoto(order=order, uploaded_by=actor), content, written)
        event(order, "done", actor=actor, hours=str(hours), name=str(actor))
        record(order, "order_done", actor=actor, before=before)
        tell([order.resident] if order.resident_id else [], verb="service.order_done",
             values={"number": order.number}, title=gettext_lazy("Service order %(number)s is done: please confirm "
                                                                 "and rate it"), order=order)
    return order


# --- confirming ----------------------------------------------------------------------------------


@transaction.atomic
def confirm_and_rate(*, actor, order_id, rating, comment: str = "", expected_version: int | None = None) -> Order:
    """The resident confirms the service and rates it (for a neighbour without a phone, the dispatcher
    records their answer); each taker's hours are certified and the order is announced closed."""
    order = visible(actor, order_id)
    order = lock(order.pk)
    if order.resident_id is not None:
        if order.resident_id != actor.pk:
            raise PermissionDenied(_("Only the resident who ordered the help confirms it."))
    elif not sel.may_dispatch(actor, order):
        raise PermissionDenied(_("Only the dispatcher records a neighbour's confirmation."))
    check_version(order, expected_version)
    require_status(order, {OrderStatus.DONE}, _("confirmed"))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError(_("Rate from 1 to 5 stars."), details={"rating": _("Rate from 1 to 5 stars.")})
    before = snapshot(order)
    order.status, order.rating = OrderStatus.CONFIRMED, rating
    order.rating_comment = text(comment, _("Comment"), required=False, limit=500)
    order.confirmed_at, order.confirmed_by = timezone.now(), actor
    save(order, ["status", "rating", "rating_comment", "confirmed_at", "confirmed_by"])
    event(order, "confirmed", actor=actor, rating=rating)
    serving = [row for row in sel.assignments(order) if row.serving]
    certified = _certify(actor, order, serving)
    if certified:
        event(order, "hours_certified", actor=actor, hours=str(order.hours),
              names="、".join(str(row.user) for row in serving))
    record(order, "order_confirm", actor=actor, before=before)
    # What the points app reads of a closed order (contracts: .takers is the list of users).
    order.takers = [row.user for row in serving]
    hooks.announce("service.order_closed", order=order)
    tell(order.takers, verb="service.order_confirmed", values={"number": order.number, "rating": rating},
         title=gettext_lazy("Service order %(number)s confirmed: rated %(rating)s of 5"), order=order)
    return order


def _certify(actor, order: Order, serving: list[OrderTaker]) -> int:
    """Certify each taker's hours (谁组织谁记录: the order's confirmation is the record)."""
    try:
        from gongzhi.volunteering.services.hours import certify_hours
    except ImportError:  # a deployment without volunteer hours
        return 0
    served_on = timezone.localdate(order.done_at or timezone.now())
    for row in serving:
        certify_hours(actor=actor, person=row.user, hours=order.hours, served_on=served_on, community=order.community,
                      source="order", source_id=order.pk, by_group=bool(order.team_name), group_name=order.team_name,
                      key=f"order.{order.pk}.{row.user_id}")
    return len(serving)


# --- cancelling ----------------------------------------------------------------------------------


@transaction.atomic
def cancel(*, actor, order_id, reason: str, expected_version: int | None = None) -> Order:
    """The resident (or who ordered it) calls the order off; later than the cancellation window before
    the time wanted it is still cancelled, and the dispatcher is alerted. The desk may cancel too."""
    order = visible(actor, order_id)
    order = lock(order.pk)
    own = actor.pk in (order.resident_id, order.ordered_by_id)
    if not own and not sel.may_dispatch(actor, order):
        raise PermissionDenied(_("Only who ordered the help, or the desk, cancels it."))
    check_version(order, expected_version)
    require_status(order, CANCELLABLE, _("cancelled"))
    reason = text(reason, _("Reason"))
    before = snapshot(order)
    window = cancel_window()
    late = own and order.status != OrderStatus.PLACED and timezone.now() > order.wanted_at - window
    order.status, order.cancelled_at, order.cancel_reason, order.cancelled_late = (
        OrderStatus.CANCELLED, timezone.now(), reason, late)
    save(order, ["status", "cancelled_at", "cancel_reason", "cancelled_late"])
    OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED).update(status=TakerStatus.RELEASED)
    if late:
        event(order, "cancelled_late", actor=actor, reason=reason, window=f"{window.total_seconds() / 3600:g}")
    else:
        event(order, "cancelled", actor=actor, reason=reason)
    record(order, "order_cancel", actor=actor, before=before, reason=reason)
    takers = [row.user for row in sel.assignments(order)]
    if late:
        tell(_dispatchers(order) + takers, verb="service.order_cancelled_late",
             values={"number": order.number, "reason": reason},
             title=gettext_lazy("Service order %(number)s cancelled at short notice"), body=gettext_lazy("%(reason)s"),
             order=order, sms=True)
    elif takers:
        tell(takers, verb="service.order_cancelled", values={"number": order.number, "reason": reason},
             title=gettext_lazy("Service order %(number)s cancelled"), body=gettext_lazy("%(reason)s"), order=order)
    return order
