"""No-shows: the dispatcher records that a taker did not come (the order goes back to be dispatched
again); the taker may dispute it, and the dispatcher decides — the no-show stands, or is withdrawn
and the order goes back to where it was."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import scope
from gongzhi.core.errors import DomainError

from ..choices import OrderStatus, TakerStatus
from ..models import OrderTaker
from .base import check_version, event, for_dispatch, lock, record, require_status, save, snapshot, tell, text, visible


@transaction.atomic
def mark_no_show(*, actor, order_id, taker_id, reason: str, expected_version: int | None = None):
    order = for_dispatch(actor, order_id)
    check_version(order, expected_version)
    require_status(order, {OrderStatus.DISPATCHED, OrderStatus.TAKEN}, _("marked as a no-show"))
    row = _serving(order, taker_id)
    reason = text(reason, _("Reason"))
    before = snapshot(order)
    row.status, row.no_show_reason = TakerStatus.NO_SHOW, reason
    row.save(update_fields=["status", "no_show_reason"])
    order.resume_status = order.status
    if not OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED).exists():
        order.status = OrderStatus.NO_SHOW
    save(order, ["status", "resume_status"])
    event(order, "no_show", actor=actor, name=str(row.user), reason=reason)
    record(order, "order_no_show", actor=actor, before=before, reason=reason)
    tell([row.user], verb="service.no_show", values={"number": order.number, "reason": reason},
         title=gettext_lazy("You were recorded as not coming to service order %(number)s"),
         body=gettext_lazy("%(reason)s — if this is wrong, dispute it on the order's page."), order=order)
    return order


def _blank(value) -> None:
    if value in (None, ""):
        raise DomainError(_("Choose the taker."), details={"taker_id": _("required")})


def _serving(order, user_id) -> OrderTaker:
    """The order's assigned taker named by a user id (the same refusal for anyone else)."""
    _blank(user_id)
    rows = {row.user_id: row for row in OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED)
            .select_related("user")}
    try:
        return rows[int(user_id)]
    except (KeyError, TypeError, ValueError):
        raise scope.NotInScope() from None


@transaction.atomic
def dispute_no_show(*, actor, order_id, reason: str):
    """The taker says they did come (or could not, for a reason): the dispatcher decides."""
    order = lock(visible(actor, order_id).pk)
    row = OrderTaker.objects.filter(order=order, user=actor).first()
    if row is None:
        raise PermissionDenied(_("Only the taker recorded as not coming disputes it."))
    if row.status != TakerStatus.NO_SHOW:
        raise DomainError(_("There is no no-show of yours to dispute on this order."), code="conflict")
    reason = text(reason, _("Reason"), limit=500)
    before = snapshot(order)
    row.status, row.dispute_reason = TakerStatus.DISPUTED, reason
    row.save(update_fields=["status", "dispute_reason"])
    if order.status == OrderStatus.NO_SHOW:
        order.status = OrderStatus.DISPUTED
    save(order, ["status"])
    event(order, "no_show_disputed", actor=actor, name=str(actor), reason=reason)
    record(order, "order_no_show_dispute", actor=actor, before=before, reason=reason)
    from .orders import _dispatchers

    tell(_dispatchers(order), verb="service.no_show_disputed", values={"number": order.number},
         title=gettext_lazy("A no-show on service order %(number)s is disputed"), order=order)
    return order


@transaction.atomic
def decide_dispute(*, actor, order_id, taker_id, upheld: bool, note: str = ""):
    order = for_dispatch(actor, order_id)
    _blank(taker_id)
    rows = {r.user_id: r for r in OrderTaker.objects.filter(order=order, status=TakerStatus.DISPUTED)
            .select_related("user")}
    try:
        row = rows[int(taker_id)]
    except (KeyError, TypeError, ValueError):
        raise scope.NotInScope() from None
    note = text(note, _("Note"), required=False)
    before = snapshot(order)
    if upheld:
        row.status = TakerStatus.NO_SHOW
        if order.status == OrderStatus.DISPUTED:
            order.status = OrderStatus.NO_SHOW
    else:
        row.status = TakerStatus.ASSIGNED
        if order.status in (OrderStatus.DISPUTED, OrderStatus.NO_SHOW):
            order.status = order.resume_status or OrderStatus.DISPATCHED
    row.decision_note = note
    row.save(update_fields=["status", "decision_note"])
    save(order, ["status"])
    event(order, "no_show_upheld" if upheld else "no_show_withdrawn", actor=actor, name=str(row.user), note=note)
    record(order, "order_no_show_decide", actor=actor, before=before, reason=note)
    tell([row.user], verb="service.no_show_decided", values={"number": order.number},
         title=(gettext_lazy("The no-show on service order %(number)s stands") if upheld
                else gettext_lazy("The no-show on service order %(number)s was withdrawn")), order=order)
    return order

