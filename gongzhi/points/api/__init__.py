"""/api/v1/points/: the rules table, awards and reversals, a person's balance and statement, the
half-yearly publications and appeals, the shop and redemptions."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, DivisionRef, ErrorOut, ProblemsOut

from .. import memos
from .. import selectors as sel
from ..choices import AppealStatus, AwardStatus, Basis, CapPeriod, Evidence, MerchantKind, Source
from ..permissions import PointsAction as A
from ..services import awards, periods, rules, shop

router = Router(tags=["points"])
PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied(_("You may not do this."))


class PointsPersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


# --- rules ---------------------------------------------------------------------------------------


class PointsRuleOut(Schema):
    id: int
    district: DivisionRef
    code: str
    name: str
    points: Decimal
    basis: str
    cap: Decimal | None
    cap_period: str
    awarders: list[str]
    evidence: str
    source: str
    active: bool
    version: int


class PointsRuleIn(Schema):
    district_id: int
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    points: Decimal
    basis: Basis = Basis.OCCURRENCE
    cap: Decimal | None = None
    cap_period: CapPeriod = CapPeriod.YEAR
    awarders: list[str] = []
    evidence: Evidence = Evidence.NONE
    source: Source = Source.MANUAL


class PointsRulePatch(Schema):
    version: int | None = Field(None, description="the version you read; a stale edit is refused (409)")
    name: str | None = Field(None, max_length=100)
    points: Decimal | None = None
    basis: Basis | None = None
    cap: Decimal | None = None
    cap_period: CapPeriod | None = None
    awarders: list[str] | None = None
    evidence: Evidence | None = None
    active: bool | None = None


@router.get("/rules", response={200: list[PointsRuleOut], **LIST}, summary="The rules tables of your districts")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_rules(request):
    require_may(request.auth, A.VIEW)
    return sel.rules_for(request.auth)


@router.post("/rules", response={201: PointsRuleOut, **WRITE}, summary="Add an item to a district's rules table")
def create_rule(request, data: PointsRuleIn):
    values = data.dict(exclude={"district_id"})
    return Status(201, rules.create_rule(actor=request.auth, district_id=data.district_id, **values))


@router.patch("/rules/{rule_id}", response={200: PointsRuleOut, **WRITE}, summary="Change an item of a rules table")
def update_rule(request, rule_id: int, data: PointsRulePatch):
    changes = data.dict(exclude_unset=True)
    version = changes.pop("version", None)
    return rules.update_rule(actor=request.auth, rule_id=rule_id, expected_version=version, **changes)


class PointsSchemeOut(Schema):
    district: DivisionRef
    pass_mark: Decimal
    conduct_base: Decimal
    review_points: Decimal
    service_minimum_hours: Decimal
    appeal_days: int
    version: int


class PointsSchemePatch(Schema):
    version: int | None = Field(None, description="the version you read; a stale edit is refused (409)")
    pass_mark: Decimal | None = None
    conduct_base: Decimal | None = None
    review_points: Decimal | None = None
    service_minimum_hours: Decimal | None = None
    appeal_days: int | None = Field(None, ge=1, le=30)


@router.get("/schemes", response={200: list[PointsSchemeOut], **LIST}, summary="The points schemes of your districts")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_schemes(request):
    require_may(request.auth, A.VIEW)
    return sel.schemes_for(request.auth)


@router.patch("/schemes/{district_id}", response={200: PointsSchemeOut, **WRITE},
              summary="Change a district's points scheme")
def update_scheme(request, district_id: int, data: PointsSchemePatch):
    changes = data.dict(exclude_unset=True)
    version = changes.pop("version", None)
    return rules.update_scheme(actor=request.auth, district_id=district_id, expected_version=version, **changes)


# --- my balance and statement --------------------------------------------------------------------


class PointsEntryOut(Schema):
    id: int
    at: dt.datetime
    amount: Decimal
    balance_after: Decimal
    memo: str
    reversal: bool

    @staticmethod
    def resolve_at(obj):
        return obj.transaction.at

    @staticmethod
    def resolve_memo(obj) -> str:
        return memos.render(obj.transaction.memo_code, obj.transaction.memo_params)

    @staticmethod
    def resolve_reversal(obj) -> bool:
        return obj.transaction.reverses_id is not None


class PointsBalanceOut(Schema):
    balance: Decimal


@router.get("/me", response={200: PointsBalanceOut, **NOT_FOUND}, summary="Your points balance")
def my_balance(request):
    return {"balance": sel.balance_of(request.auth)}


@router.get("/me/statement", response={200: list[PointsEntryOut], **LIST}, summary="Your points statement")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def my_statement(request):
    return sel.statement_of(request.auth)


# --- awards --------------------------------------------------------------------------------------


class PointsAwardOut(Schema):
    id: int
    person: PointsPersonRef
    rule: str
    community: DivisionRef | None
    points: Decimal
    capped: Decimal
    occurred_on: dt.date
    source: str
    status: str
    evidence: str
    reason: str
    reverse_reason: str
    awarded_at: dt.datetime

    @staticmethod
    def resolve_rule(obj) -> str:
        return obj.rule.name if obj.rule_id else str(obj.get_kind_display())


class PointsAwardIn(Schema):
    person_id: int
    rule_id: int
    community_id: int
    occurred_on: dt.date | None = None
    evidence: str = Field("", max_length=1000)
    reason: str = Field("", max_length=200)
    idempotency_key: str = Field(..., max_length=64, description="the same key again returns the first award")


class PointsReasonIn(Schema):
    reason: str = Field("", max_length=200, description="required: why")


class PointsAwardFilters(Schema):
    status: AwardStatus | None = None


@router.get("/awards", response={200: list[PointsAwardOut], **LIST}, summary="Awards in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_awards(request, filters: Query[PointsAwardFilters]):
    require_may(request.auth, A.VIEW)
    return sel.awards_for(request.auth, status=filters.status or "")


@router.post("/awards", response={201: PointsAwardOut, 200: PointsAwardOut, **WRITE},
             summary="Award points by hand")
def create_award(request, data: PointsAwardIn):
    award = awards.award_by_hand(actor=request.auth, person_id=data.person_id, rule_id=data.rule_id,
                                 community_id=data.community_id, occurred_on=data.occurred_on,
                                 evidence=data.evidence, reason=data.reason, idempotency_key=data.idempotency_key)
    return Status(201, award)


@router.post("/awards/{award_id}/reverse", response={200: PointsAwardOut, **WRITE}, summary="Reverse an award")
def reverse_award(request, award_id: int, data: PointsReasonIn):
    return awards.reverse_award(actor=request.auth, award_id=award_id, reason=data.reason)


# --- periods and appeals -------------------------------------------------------------------------


class PointsPeriodOut(Schema):
    id: int
    district: DivisionRef
    year: int
    half: int
    status: str
    pass_mark: Decimal
    service_minimum_hours: Decimal
    appeal_until: dt.date
    published_at: dt.datetime


class PointsPeriodIn(Schema):
    district_id: int
    year: int = Field(..., ge=2000, le=2100)
    half: int = Field(..., ge=1, le=2)


class PointsStandingOut(Schema):
    id: int
    person: PointsPersonRef
    community: DivisionRef | None
    points: Decimal
    passed: bool
    hours: Decimal
    hours_met: bool


@router.get("/periods", response={200: list[PointsPeriodOut], **LIST}, summary="Published half-years")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_periods(request):
    require_may(request.auth, A.VIEW)
    return sel.periods_for(request.auth)


@router.post("/periods", response={201: PointsPeriodOut, **WRITE}, summary="Publish a district's half-year")
def publish_period(request, data: PointsPeriodIn):
    return Status(201, periods.publish_period(actor=request.auth, district_id=data.district_id, year=data.year,
                                              half=data.half))


@router.get("/periods/{period_id}/standings", response={200: list[PointsStandingOut], **LIST},
            summary="A publication's standings")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_standings(request, period_id: int):
    require_may(request.auth, A.VIEW)
    period = sel.period_in_scope(request.auth, period_id)
    return sel.standings_for(request.auth, period)


@router.post("/periods/{period_id}/finalise", response={200: PointsPeriodOut, **WRITE},
             summary="Make a publication final")
def finalise_period(request, period_id: int):
    return periods.finalise_period(actor=request.auth, period_id=period_id)


class PointsAppealOut(Schema):
    id: int
    standing_id: int
    person: PointsPersonRef
    reason: str
    status: str
    correction: Decimal
    decision_reason: str
    filed_at: dt.datetime


class PointsAppealIn(Schema):
    standing_id: int
    reason: str = Field(..., max_length=1000)


class PointsDecisionIn(Schema):
    uphold: bool = False
    reason: str = Field("", max_length=500, description="required: why, whether upheld or rejected")
    correction: Decimal | None = Field(None, description="points added (or, negative, taken) when upheld")


class PointsAppealFilters(Schema):
    status: AppealStatus | None = None


@router.get("/appeals", response={200: list[PointsAppealOut], **LIST}, summary="Appeals in your scope, or your own")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_appeals(request, filters: Query[PointsAppealFilters]):
    return sel.appeals_for(request.auth, status=filters.status or "")


@router.post("/appeals", response={201: PointsAppealOut, **WRITE}, summary="Appeal your published result")
def file_appeal(request, data: PointsAppealIn):
    return Status(201, periods.file_appeal(actor=request.auth, standing_id=data.standing_id, reason=data.reason))


@router.post("/appeals/{appeal_id}/decide", response={200: PointsAppealOut, **WRITE}, summary="Decide an appeal")
def decide_appeal(request, appeal_id: int, data: PointsDecisionIn):
    return periods.decide_appeal(actor=request.auth, appeal_id=appeal_id, uphold=data.uphold, reason=data.reason,
                                 correction=data.correction)


# --- the shop ------------------------------------------------------------------------------------


class PointsMerchantOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    active: bool


class PointsItemOut(Schema):
    id: int
    merchant: PointsMerchantOut
    name: str
    description: str
    cost: Decimal
    stock: int
    version: int


class PointsMerchantIn(Schema):
    division_id: int = Field(..., description="a community or a street")
    name: str = Field(..., max_length=100)
    kind: MerchantKind = MerchantKind.PARTNER
    address: str = Field("", max_length=200)


class PointsItemIn(Schema):
    merchant_id: int
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=300)
    cost: Decimal
    stock: int = Field(..., ge=0, le=1_000_000)


class PointsRedeemIn(Schema):
    quantity: int = Field(1, ge=1, le=20)
    idempotency_key: str = Field("", max_length=64, description="the same key again returns the first redemption")


class PointsRedemptionOut(Schema):
    id: int
    item: str
    merchant: str
    person: PointsPersonRef
    quantity: int
    points: Decimal
    status: str
    cancel_reason: str
    redeemed_at: dt.datetime

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_merchant(obj) -> str:
        return obj.item.merchant.name


@router.get("/shop/items", response={200: list[PointsItemOut], **LIST}, summary="The points shop")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_items(request):
    return sel.items_on_offer()


@router.post("/shop/items", response={201: PointsItemOut, **WRITE}, summary="Offer an item in the shop")
def create_item(request, data: PointsItemIn):
    return Status(201, shop.create_item(actor=request.auth, merchant_id=data.merchant_id, name=data.name,
                                        description=data.description, cost=data.cost, stock=data.stock))


class PointsItemPatch(Schema):
    version: int | None = Field(None, description="the version you read; a stale edit is refused (409)")
    name: str | None = Field(None, max_length=100)
    cost: Decimal | None = None
    add_stock: int | None = Field(None, ge=-1_000_000, le=1_000_000, description="added to (or taken from) the stock")
    active: bool | None = None


@router.patch("/shop/items/{item_id}", response={200: PointsItemOut, **WRITE}, summary="Change an item or its stock")
def update_item(request, item_id: int, data: PointsItemPatch):
    changes = data.dict(exclude_unset=True)
    version = changes.pop("version", None)
    return shop.update_item(actor=request.auth, item_id=item_id, expected_version=version, **changes)


@router.post("/shop/items/{item_id}/redeem", response={201: PointsRedemptionOut, 200: PointsRedemptionOut, **WRITE},
             summary="Spend your points on an item")
def redeem_item(request, item_id: int, data: PointsRedeemIn):
    redemption, created = shop.redeem(actor=request.auth, item_id=item_id, quantity=data.quantity,
                                      idempotency_key=data.idempotency_key)
    return Status(201 if created else 200, redemption)


@router.get("/shop/merchants", response={200: list[PointsMerchantOut], **LIST}, summary="Merchants you keep")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_merchants(request):
    require_may(request.auth, A.SHOP)
    return sel.merchants_for(request.auth, A.SHOP)


@router.post("/shop/merchants", response={201: PointsMerchantOut, **WRITE}, summary="Add a merchant")
def create_merchant(request, data: PointsMerchantIn):
    return Status(201, shop.create_merchant(actor=request.auth, division_id=data.division_id, name=data.name,
                                            kind=data.kind, address=data.address))


@router.get("/redemptions", response={200: list[PointsRedemptionOut], **LIST},
            summary="Redemptions at the merchants in your scope, or your own")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_redemptions(request):
    return sel.redemptions_for(request.auth)


@router.post("/redemptions/{redemption_id}/cancel", response={200: PointsRedemptionOut, **WRITE},
             summary="Cancel a redemption (points and stock go back)")
def cancel_redemption(request, redemption_id: int, data: PointsReasonIn):
    return shop.cancel_redemption(actor=request.auth, redemption_id=redemption_id, reason=data.reason)
