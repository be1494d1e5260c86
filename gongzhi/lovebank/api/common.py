import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Schema

from gongzhi.core import scope
from gongzhi.core.masking import mask_phone
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import books

PAGE_SIZE = 50
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}
LIST = {403: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


def require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied(_("You may not do this."))


def key_of(request, body_key: str) -> str:
    return request.headers.get("Idempotency-Key", "") or body_key


class BankMemberRef(Schema):
    id: int
    name: str
    community: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.name


class VersionIn(Schema):
    expected_version: int | None = None


class BankReasonIn(VersionIn):
    reason: str


class EntryOut(Schema):
    id: int
    at: dt.datetime
    amount: Decimal
    balance_after: Decimal
    memo_code: str
    memo: str
    reversed_transaction: int | None

    @staticmethod
    def resolve_at(obj):
        return obj.transaction.at

    @staticmethod
    def resolve_memo_code(obj):
        return obj.transaction.memo_code

    @staticmethod
    def resolve_memo(obj):
        return books.memo_text(obj.transaction.memo_code, obj.transaction.memo_params)

    @staticmethod
    def resolve_reversed_transaction(obj):
        return obj.transaction.reverses_id


class RelationOut(Schema):
    id: int
    kinship: str
    kinship_label: str
    relative_name: str
    relative_phone: str
    status: str
    status_label: str
    reason: str
    version: int

    @staticmethod
    def resolve_kinship_label(obj):
        return str(obj.get_kinship_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_relative_phone(obj):
        return mask_phone(obj.relative_phone)


class ExchangeOut(Schema):
    id: int
    requester: BankMemberRef
    provider: BankMemberRef | None
    service_kind: str
    service_label: str
    description: str
    credits: Decimal
    wanted_on: dt.date
    status: str
    status_label: str
    requester_confirmed: bool
    provider_confirmed: bool
    dispute_reason: str
    resolution: str
    version: int

    @staticmethod
    def resolve_service_label(obj):
        return str(obj.get_service_kind_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_requester_confirmed(obj):
        return obj.requester_confirmed_at is not None

    @staticmethod
    def resolve_provider_confirmed(obj):
        return obj.provider_confirmed_at is not None
