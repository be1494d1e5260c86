"""What every order write shares: the locked row, the version check, the state check, the timeline
row, the audit row, and telling people after commit."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit

from ..models import Order, OrderEvent
from ..permissions import ServiceAction
from ..selectors import orders as sel

A = ServiceAction
FIELDS = ["status", "kind", "community", "resident", "team_name", "deadline", "hours", "rating", "rating_comment",
          "cancel_reason", "cancelled_late", "case", "version"]


def setting(name: str, default):
    """The deployment's own value (settings.GONGZHI_SERVICE[name]), else the default."""
    return getattr(settings, "GONGZHI_SERVICE", {}).get(name, default)


def cancel_window() -> dt.timedelta:
    return dt.timedelta(hours=float(setting("CANCEL_WINDOW_HOURS", 2)))


def remind_before() -> dt.timedelta:
    return dt.timedelta(hours=float(setting("REMIND_HOURS_BEFORE", 4)))


def text(value, label, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, details={"field": str(label)})
    if len(value) > limit:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": limit})
    return value


def visible(actor, order_id) -> Order:
    """The order if the actor sees it at all, else the 404 of a missing one."""
    return scope.check_id(sel.orders_for(actor, A.VIEW), order_id)


def for_dispatch(actor, order_id) -> Order:
    """The order, locked, if the actor dispatches it; 404 when they do not even see it, 403 when
    they only see it (the resident who ordered it, an auditor)."""
    order = visible(actor, order_id)
    if not sel.may_dispatch(actor, order):
        raise PermissionDenied(_("You may not do this here."))
    return lock(order.pk)


def lock(pk) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("kind", "community").get(pk=pk)


def check_version(order: Order, expected: int | None) -> None:
    if expected is not None and int(expected) != order.version:
        raise StaleEdit(_("Someone else changed this order meanwhile. Reload and try again."))


def require_status(order: Order, allowed, doing) -> None:
    if order.status not in allowed:
        raise DomainError(_("This order is %(status)s: it cannot be %(doing)s now.")
                          % {"status": order.get_status_display(), "doing": doing}, code="conflict")


def save(order: Order, fields: list[str]) -> None:
    """Save the changed fields and move the version on, with the database's own counter."""
    order.updated_at = timezone.now()
    columns = [Order._meta.get_field(f).attname for f in fields]
    Order.objects.filter(pk=order.pk).update(version=F("version") + 1, updated_at=order.updated_at,
                                             **{c: getattr(order, c) for c in columns})
    order.version += 1


def event(order: Order, code: str, *, actor, **params) -> OrderEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return OrderEvent.objects.create(order=order, code=code, params=params, actor=user)


def record(order: Order, action: str, *, actor, before: dict | None = None, reason: str = "") -> None:
    audit.record(actor=actor, action=f"service.{action}", obj=order, division=order.community, before=before,
                 after=audit.snapshot(order, FIELDS), reason=reason)


def snapshot(order: Order) -> dict:
    return audit.snapshot(order, FIELDS)


def tell(users, *, verb: str, title, body="", values: dict, order: Order, url: str = "", sms: bool = False) -> None:
    """Notify after commit, in the site's language (the notice goes to people other than the actor)."""
    users = [u for u in users if u is not None]
    if not users:
        return

    def send():
        from gongzhi.notifications.services import notify

        with translation.override(settings.LANGUAGE_CODE):
            notify(users=users, verb=verb, title=str(title) % values, body=str(body) % values if body else "",
                   subject=order, url=url or f"/service/orders/{order.pk}/", sms=sms)

    transaction.on_commit(send)
