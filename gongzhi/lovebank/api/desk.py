"""/api/v1/lovebank/…: the community's desk — members and hardship flags, relations to verify,
the district's rules and the yearly report."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from .. import reports
from .. import selectors as sel
from ..choices import RelationStatus
from ..permissions import BankAction as A
from ..services import members, relations, rules
from .common import LIST, PAGE_SIZE, WRITE, BankMemberRef, BankReasonIn, RelationOut, VersionIn, require_may

router = Router(tags=["lovebank: desk"])


class MemberOut(BankMemberRef):
    birth_date: dt.date | None
    hardship: bool
    hardship_reason: str
    resident_id: int | None
    version: int


class MemberFilters(Schema):
    q: str | None = Field(None, max_length=40, description="start of the member's name")
    hardship: bool | None = None


@router.get("/members", response={200: list[MemberOut], **LIST}, summary="Bank members in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_members(request, filters: Query[MemberFilters]):
    require_may(request.auth, A.VIEW)
    return sel.members_for(request.auth, A.VIEW, query=(filters.q or "").strip(), hardship=filters.hardship)


class HardshipIn(BankReasonIn):
    hardship: bool


@router.post("/members/{member_id}/hardship", response={200: MemberOut, **WRITE},
             summary="Flag or unflag a member in hardship (with a reason)")
def flag_hardship(request, member_id: int, data: HardshipIn):
    require_may(request.auth, A.MANAGE)
    return members.flag_hardship(actor=request.auth, member_id=member_id, hardship=data.hardship,
                                 reason=data.reason, expected_version=data.expected_version)


class DetailsIn(VersionIn):
    birth_date: dt.date | None = None
    resident_id: int | None = None


@router.post("/members/{member_id}/details", response={200: MemberOut, **WRITE},
             summary="Record a member's birth date or link their registry resident")
def set_details(request, member_id: int, data: DetailsIn):
    require_may(request.auth, A.MANAGE)
    return members.set_details(actor=request.auth, member_id=member_id, birth_date=data.birth_date,
                               resident_id=data.resident_id, expected_version=data.expected_version)


class DeskRelationOut(RelationOut):
    holder: BankMemberRef


class RelationFilters(Schema):
    status: RelationStatus | None = None


@router.get("/relations", response={200: list[DeskRelationOut], **LIST}, summary="Relations named by members")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_relations(request, filters: Query[RelationFilters]):
    require_may(request.auth, A.VIEW)
    return sel.relations_for(request.auth, A.VIEW, status=filters.status or "")


class ConfirmRelationIn(BankReasonIn):
    birth_date: dt.date | None = Field(None, description="the relative's, read from their ID card")


@router.post("/relations/{relation_id}/confirm", response={200: DeskRelationOut, **WRITE},
             summary="Confirm a relation (documents seen)")
def confirm_relation(request, relation_id: int, data: ConfirmRelationIn):
    require_may(request.auth, A.MANAGE)
    return relations.confirm_relation(actor=request.auth, relation_id=relation_id, reason=data.reason,
                                      birth_date=data.birth_date, expected_version=data.expected_version)


@router.post("/relations/{relation_id}/decline", response={200: DeskRelationOut, **WRITE},
             summary="Decline a relation")
def decline_relation(request, relation_id: int, data: BankReasonIn):
    require_may(request.auth, A.MANAGE)
    return relations.decline_relation(actor=request.auth, relation_id=relation_id, reason=data.reason,
                                      expected_version=data.expected_version)


class BankRulesOut(Schema):
    district_id: int
    district: str
    daily_cap: Decimal
    account_cap: Decimal
    redeem_age: int
    hardship_age: int
    transfer_age: int
    version: int | None


def _rules_out(district):
    r = sel.rules_for_district(district.pk)
    return {"district_id": district.pk, "district": district.name, "daily_cap": r.daily_cap,
            "account_cap": r.account_cap, "redeem_age": r.redeem_age, "hardship_age": r.hardship_age,
            "transfer_age": r.transfer_age, "version": r.version if r.pk else None}


@router.get("/rules", response={200: list[BankRulesOut], **LIST}, summary="The rules of the districts you set them for")
def list_rules(request):
    require_may(request.auth, A.RULES)
    return [_rules_out(d) for d in sel.districts_for(request.auth, A.RULES)]


class RulesIn(VersionIn):
    daily_cap: Decimal = Field(..., gt=0, max_digits=6, decimal_places=2)
    account_cap: Decimal = Field(..., gt=0, max_digits=8, decimal_places=2)
    redeem_age: int = Field(..., ge=0, le=120)
    hardship_age: int = Field(..., ge=0, le=120)
    transfer_age: int = Field(..., ge=0, le=120)
    reason: str


@router.put("/rules/{district_id}", response={200: BankRulesOut, **WRITE}, summary="Set a district's rules")
def set_rules(request, district_id: int, data: RulesIn):
    require_may(request.auth, A.RULES)
    row = rules.update_rules(actor=request.auth, district_id=district_id, daily_cap=data.daily_cap,
                             account_cap=data.account_cap, redeem_age=data.redeem_age,
                             hardship_age=data.hardship_age, transfer_age=data.transfer_age, reason=data.reason,
                             expected_version=data.expected_version)
    return _rules_out(row.district)


class ReportRowOut(Schema):
    community: str
    street: str
    deposited: Decimal
    credited: Decimal
    donated: Decimal
    drawn: Decimal
    transferred: Decimal
    members: int
    active: int


class ReportOut(Schema):
    year: int
    rows: list[ReportRowOut]
    total: ReportRowOut


class ReportFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    area: int | None = Field(None, description="a community, street or district (division id)")


@router.get("/report", response={200: ReportOut, **LIST}, summary="The bank's yearly report")
def yearly_report(request, filters: Query[ReportFilters]):
    require_may(request.auth, A.VIEW)
    year = filters.year or timezone.localdate().year
    area = sel.area_for(request.auth, A.VIEW, filters.area)
    rows, total = reports.yearly(request.auth, year, area=area)
    return {"year": year, "rows": rows, "total": total}
