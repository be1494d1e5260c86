"""/api/v1/lovebank/me…: a holder's own account, statement, relatives and transfers."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from .. import books
from .. import selectors as sel
from ..choices import Kinship
from ..services import exchanges, relations
from ..services.common import today
from .common import LIST, PAGE_SIZE, WRITE, EntryOut, RelationOut, key_of

router = Router(tags=["lovebank: my account"])


class BankMyRulesOut(Schema):
    daily_cap: Decimal
    account_cap: Decimal
    redeem_age: int
    hardship_age: int
    transfer_age: int


class AccountOut(Schema):
    member: bool
    balance: Decimal
    community: str | None
    birth_date_known: bool
    hardship: bool
    may_draw_help: bool
    rules: BankMyRulesOut | None


@router.get("/me", response={200: AccountOut, **LIST}, summary="My love-bank account")
def my_account(request):
    user = request.auth
    member = sel.my_member(user)
    rules = sel.rules_for(member.community) if member else None
    return {"member": member is not None, "balance": books.balance_of(user.pk),
            "community": member.community.name if member else None,
            "birth_date_known": bool(member and member.birth_date), "hardship": bool(member and member.hardship),
            "may_draw_help": bool(member and exchanges.eligible(member, rules, today())), "rules": rules}


@router.get("/me/statement", response={200: list[EntryOut], **LIST}, summary="My statement, newest first")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def my_statement(request):
    return sel.statement(request.auth)


@router.get("/me/relations", response={200: list[RelationOut], **LIST}, summary="The relatives I named")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def my_relations(request):
    return sel.my_relations(request.auth)


class RelationIn(Schema):
    kinship: Kinship
    relative_name: str = Field(..., max_length=64)
    relative_phone: str = Field(..., max_length=20)


@router.post("/me/relations", response={201: RelationOut, **WRITE},
             summary="Name a spouse or close relative (the community verifies)")
def request_relation(request, data: RelationIn):
    """403 before the first deposit opens the account; 409 `duplicate` for a relative already named."""
    return Status(201, relations.request_relation(actor=request.auth, kinship=data.kinship,
                                                  relative_name=data.relative_name,
                                                  relative_phone=data.relative_phone))


class TransferIn(Schema):
    relation_id: int
    credits: Decimal = Field(..., gt=0, max_digits=8, decimal_places=2)
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


class TransferOut(Schema):
    id: int
    credits: Decimal
    at: dt.datetime
    recipient: str

    @staticmethod
    def resolve_recipient(obj):
        return str(obj.recipient)


@router.post("/me/transfers", response={200: TransferOut, 201: TransferOut, **WRITE},
             summary="Give credits to a verified relative")
def transfer(request, data: TransferIn):
    """201 new; 200 the first transfer when the key repeats; 404 for a relation not mine; 400 when
    the relative is under the transfer age or my credits are too few."""
    row, created = relations.transfer(actor=request.auth, relation_id=data.relation_id, credits=data.credits,
                                      key=key_of(request, data.idempotency_key))
    return Status(201 if created else 200, row)
