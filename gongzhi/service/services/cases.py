"""Orders and cases: an order that is really a problem for a department becomes a case (the intake
files it at the desk, and the order keeps the link); a case that needs a person's help spawns an
order in its community."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Category
from gongzhi.cases.permissions import CaseAction
from gongzhi.cases.selectors import cases_for
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.divisions.choices import Level
from gongzhi.divisions.models import Division

from ..choices import OPEN, OrderStatus, TakerStatus
from ..models import OrderTaker
from .base import check_version, event, for_dispatch, record, require_status, save, snapshot, text
from .orders import place_order


def case_categories():
    return Category.objects.filter(parent__isnull=False, is_active=True).order_by("code")


def _where(order) -> tuple[float, float]:
    if order.lng is not None and order.lat is not None:
        return order.lng, order.lat
    grid = (Division.objects.filter(community_id=order.community_id, level=Level.GRID, is_active=True)
            .exclude(geometry=None).order_by("code").first())
    geometry = grid.geometry if grid is not None else order.community.geometry
    if not geometry:
        raise DomainError(_("The order has no place on the map: the case cannot be filed."))
    point = shape(geometry).representative_point()
    return point.x, point.y


@transaction.atomic
def turn_into_case(*, actor, order_id, category_id, expected_version: int | None = None):
    """File the order as a case at the desk (a phone-in on the resident's behalf) and close the order
    with the link kept."""
    order = for_dispatch(actor, order_id)
    check_version(order, expected_version)
    require_status(order, OPEN, _("turned into a case"))
    if category_id in (None, ""):
        raise DomainError(_("Choose the kind of problem."), details={"category_id": _("required")})
    category = scope.check_id(case_categories(), category_id)
    lng, lat = _where(order)
    contact = order.resident
    intake = submit_case(actor=actor, report=Report(
        description=f"[{order.number}] {order.description}", lng=lng, lat=lat, channel=Channel.PHONE,
        address=order.place, category=category,
        contact_name=order.contact_name or (str(contact) if contact else ""),
        contact_phone=order.contact_phone or (getattr(contact, "phone", "") if contact else ""),
        idempotency_key=f"service-order-{order.pk}"))
    before = snapshot(order)
    order.status, order.case = OrderStatus.CASE, intake.case
    order.cancelled_at = timezone.now()
    save(order, ["status", "case", "cancelled_at"])
    OrderTaker.objects.filter(order=order, status=TakerStatus.ASSIGNED).update(status=TakerStatus.RELEASED)
    event(order, "turned_into_case", actor=actor, number=intake.case.tracking_number)
    record(order, "order_to_case", actor=actor, before=before)
    return order


def case_by_number(actor, number: str):
    """The case with this tracking number, if the actor sees it; else NotInScope, as for a missing one."""
    case = cases_for(actor, CaseAction.VIEW).filter(tracking_number=(number or "").strip()[:20]).first()
    if case is None:
        raise scope.NotInScope()
    return case


def order_from_case(*, actor, case_id, kind_id, wanted_at, description: str = "", idempotency_key: str = ""):
    """An order for a case's reporter (or its contact) in the case's community; the actor must see the
    case and order help in its community."""
    case = scope.check_id(cases_for(actor, CaseAction.VIEW), case_id)
    description = text(description, _("What help is needed"), required=False, limit=1000) or case.description[:1000]
    reporter = case.reporter if case.reporter_id and not case.is_anonymous else None
    return place_order(actor=actor, kind_id=kind_id, community_id=case.community_id, description=description,
                       wanted_at=wanted_at, place=case.address or case.community.name, lng=case.lng, lat=case.lat,
                       for_neighbour=reporter is None, contact_name=case.contact_name or _("Reporter of the case"),
                       contact_phone=case.contact_phone, idempotency_key=idempotency_key or f"case-{case.pk}",
                       from_case=case, resident=reporter)
