"""The points shop (积分兑换): merchants and their items, kept by the community or street; a person
redeems an item with their points (a transfer to the merchant's account, or back to the source for
a community service), the stock taken in the same transaction with a conditional update so two
people can never buy the last one twice; a cancellation reverses the posting and returns the stock."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.core import audit, ledger, scope
from gongzhi.core.errors import DomainError

from .. import selectors as sel
from ..choices import MerchantKind, RedemptionStatus
from ..models import Item, Merchant, Redemption
from ..permissions import PointsAction as A
from .common import (
    CENT,
    KIND,
    amount,
    check_version,
    client_key,
    merchant_account,
    person_account,
    required,
    text,
    whole,
)

REDEEM_MEMO = "points.redeem"
ITEM_FIELDS = ["name", "description", "cost", "stock", "active"]


def _require(actor, action):
    if not scope.may(actor, action):
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def create_merchant(*, actor, division_id, name: str, kind: str = MerchantKind.PARTNER, address: str = "") -> Merchant:
    _require(actor, A.SHOP)
    division = scope.check_id(sel.merchant_divisions(actor), required(division_id, _("where the merchant is")))
    if kind not in MerchantKind.values:
        raise DomainError(_("Unknown value: %(value)s") % {"value": kind})
    merchant = Merchant(name=text(name, _("Name"), limit=100), kind=kind, address=text(address, _("Address"),
                                                                                         required=False))
    merchant.site(division)
    merchant.save(force_insert=True)
    audit.record(actor=actor, action="points.merchant_create", obj=merchant, division=division,
                 after={"name": merchant.name, "kind": kind})
    return merchant


@transaction.atomic
def create_item(*, actor, merchant_id, name: str, cost, stock: int, description: str = "") -> Item:
    _require(actor, A.SHOP)
    merchant = scope.check_id(sel.merchants_for(actor, A.SHOP).filter(active=True), merchant_id)
    stock = whole(stock, _("In stock"))
    if stock < 0:
        raise DomainError(_("The stock cannot be negative."))
    item = Item.objects.create(merchant=merchant, name=text(name, _("Item"), limit=100),
                               description=text(description, _("Description"), required=False, limit=300),
                               cost=amount(cost, _("Points")), stock=stock)
    audit.record(actor=actor, action="points.item_create", obj=item, division=merchant.community or merchant.street,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def update_item(*, actor, item_id, expected_version=None, **changes) -> Item:
    _require(actor, A.SHOP)
    seen = scope.check_id(sel.items_for(actor, A.SHOP), item_id)
    item = Item.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=seen.pk)
    if not changes:
        raise DomainError(_("Nothing to change."))
    check_version(item, expected_version)
    before = audit.snapshot(item, ITEM_FIELDS)
    fields = []
    if "name" in changes:
        item.name = text(changes["name"], _("Item"), limit=100)
        fields.append("name")
    if "cost" in changes:
        item.cost = amount(changes["cost"], _("Points"))
        fields.append("cost")
    if "add_stock" in changes:
        added = whole(changes["add_stock"], _("Stock"))
        if item.stock + added < 0:
            raise DomainError(_("The stock cannot be negative."))
        item.stock += added
        fields.append("stock")
    if "active" in changes:
        item.active = bool(changes["active"])
        fields.append("active")
    item.version += 1
    item.save(update_fields=[*fields, "version"])
    audit.record(actor=actor, action="points.item_update", obj=item,
                 division=item.merchant.community or item.merchant.street, before=before,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


def redeem(*, actor, item_id, quantity: int = 1, idempotency_key: str) -> tuple[Redemption, bool]:
    """Spend the actor's points on an item. The same key again answers the first redemption (False)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    scope.check_id(sel.items_on_offer(), item_id)  # a missing item reads as missing, whatever else is wrong
    key = client_key(actor, idempotency_key, "redeem")
    first = _repeat(actor, key)
    if first is not None:
        return first, False
    try:
        with transaction.atomic():
            return _redeem(actor, item_id, quantity, key), True
    except IntegrityError:
        first = _repeat(actor, key)
        if first is None:
            raise
        return first, False


def _repeat(actor, key):
    first = Redemption.objects.filter(key=key).select_related("item").first()
    if first is not None and first.person_id != actor.pk:
        raise DomainError(_("This key was already used for a different redemption."), code="conflict")
    return first


def _redeem(actor, item_id, quantity, key) -> Redemption:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise DomainError(_("Quantity must be a whole number.")) from None
    if not 1 <= quantity <= 20:
        raise DomainError(_("Redeem 1 to 20 at a time."))
    item = scope.check_id(sel.items_on_offer(), item_id)
    # The stock is taken by a conditional update: of two racing buyers of the last one, the second
    # updates no row and is refused.
    if not Item.objects.filter(pk=item.pk, stock__gte=quantity, active=True).update(stock=F("stock") - quantity):
        raise DomainError(_("%(item)s is out of stock.") % {"item": item.name}, code="conflict")
    points = (item.cost * quantity).quantize(CENT)
    merchant = item.merchant
    to = ledger.source_account(KIND) if merchant.kind == MerchantKind.COMMUNITY else merchant_account(merchant)
    account = person_account(actor)
    division = merchant.community or merchant.street
    try:
        posting = ledger.post(actor=actor, key=key, lines=[(account, -points), (to, points)], memo_code=REDEEM_MEMO,
                              memo_params={"item": item.name, "merchant": merchant.name, "quantity": quantity},
                              allow_negative=[ledger.source_account(KIND)], division=division)
    except DomainError as exc:
        if exc.code == "insufficient":
            raise DomainError(_("You do not have enough points for this (%(points)s needed).") % {"points": points},
                              code="insufficient") from None
        raise
    redemption = Redemption(key=key, item=item, person=actor, quantity=quantity, points=points, posting=posting)
    redemption.city_id, redemption.district_id = merchant.city_id, merchant.district_id
    redemption.street_id, redemption.community_id = merchant.street_id, merchant.community_id
    redemption.save(force_insert=True)
    audit.record(actor=actor, action="points.redeem", obj=redemption, division=division,
                 after={"item": item.pk, "quantity": quantity, "points": points})
    return redemption


@transaction.atomic
def cancel_redemption(*, actor, redemption_id, reason: str) -> Redemption:
    """The shop cancels a redemption: the points go back (a reversal) and so does the stock."""
    _require(actor, A.SHOP)
    seen = scope.check_id(sel.redemptions_for(actor, A.SHOP), redemption_id)
    reason = text(reason, _("Reason"))
    redemption = Redemption.objects.select_for_update(of=("self",)).select_related("item__merchant").get(pk=seen.pk)
    if redemption.status != RedemptionStatus.DONE:
        raise DomainError(_("This redemption is already cancelled."), code="conflict")
    merchant = redemption.item.merchant
    division = merchant.community or merchant.street
    try:
        redemption.reversal = ledger.reverse(actor=actor, transaction_or_id=redemption.posting_id, reason=reason,
                                             key=f"points.unredeem.{redemption.pk}",
                                             allow_negative=[ledger.source_account(KIND)], division=division)
    except DomainError as exc:
        if exc.code == "insufficient":
            raise DomainError(_("The merchant's points were already settled; this cannot be cancelled here."),
                              code="insufficient") from None
        raise
    Item.objects.filter(pk=redemption.item_id).update(stock=F("stock") + redemption.quantity)
    redemption.status, redemption.cancel_reason, redemption.cancelled_by = RedemptionStatus.CANCELLED, reason, actor
    redemption.save(update_fields=["status", "cancel_reason", "cancelled_by", "reversal"])
    audit.record(actor=actor, action="points.redeem_cancel", obj=redemption, division=division,
                 before={"status": RedemptionStatus.DONE}, after={"status": RedemptionStatus.CANCELLED}, reason=reason)
    return redemption
