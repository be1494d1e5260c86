"""Residents and households: lists, search, detail, registration, history, tags, reveal, care lists."""

from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND, ErrorOut, ProblemsOut

from .. import selectors
from ..permissions import RegistryAction
from ..services import people, places, privacy
from .common import PAGE_SIZE, division_param, require_may, tag_param, tags_param
from .schemas import (
    ArchiveIn,
    CareOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdMove,
    HouseholdOut,
    HouseholdPatch,
    MoveIn,
    ResidentDetailOut,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    RevealIn,
    RevealOut,
    TagIn,
    TagOut,
)

router = Router(tags=["registry: people"])
A = RegistryAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}


class ResidentFilters(Schema):
    division: int | None = Field(None, description="a division (any level) in your scope")
    building: int | None = None
    household: int | None = None
    tag: str | None = Field(None, description="a tag code, e.g. elderly_alone")
    status: Literal["active", "moved_out", "deceased", "all"] = "active"
    address: str | None = Field(None, max_length=200, description="part of the building address")


def _filters(user, f: ResidentFilters) -> dict:
    return {
        "division": division_param(user, f.division, A.VIEW_PEOPLE),
        "building": selectors.access_building(user, f.building, A.VIEW_PEOPLE) if f.building else None,
        "household": selectors.access_household(user, f.household) if f.household else None,
        "tag": tag_param(f.tag),
        "status": None if f.status == "all" else f.status,
        "address": f.address or "",
    }


# --- tags ------------------------------------------------------------------------------------------------


@router.get("/tags", response={200: list[TagOut], **AUTH_ERRORS}, summary="The tags residents may carry")
def list_tags(request):
    return selectors.active_tags()


# --- residents -------------------------------------------------------------------------------------------


@router.get("/residents", response={200: list[ResidentOut], 403: ErrorOut, **NOT_FOUND},
            summary="Residents in your scope, masked")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_residents(request, filters: Query[ResidentFilters]):
    require_may(request.auth, A.VIEW_PEOPLE)
    return selectors.residents_for(request.auth, **_filters(request.auth, filters))


@router.get("/residents/search", response={200: list[ResidentOut], 403: ErrorOut, **NOT_FOUND},
            summary="Find residents by name, pinyin initials, phone, ID number or its last four characters")
def search_residents(request, q: str = Query(..., min_length=1, max_length=40), division: int | None = None,
                     limit: int = Query(20, ge=1, le=50)):
    require_may(request.auth, A.VIEW_PEOPLE)
    return selectors.search_residents(request.auth, q, limit=limit,
                                      division=division_param(request.auth, division, A.VIEW_PEOPLE))


@router.get("/residents/overdue-care", response={200: list[CareOut], 403: ErrorOut, **NOT_FOUND},
            summary="People whose tags ask for regular visits, and whose household is overdue")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def overdue_care(request, division: int | None = None):
    require_may(request.auth, A.VIEW_PEOPLE)
    links = selectors.overdue_care(request.auth, division=division_param(request.auth, division, A.VIEW_PEOPLE))
    return [_care(link) for link in links]


def _care(link) -> dict:
    resident, household = link.resident, link.resident.household
    return {"resident_id": resident.pk, "name": resident.name, "tag": link.tag.code, "tag_name": link.tag.name,
            "visit_interval_days": link.tag.visit_interval_days, "household_id": household.pk,
            "address": household.address, "last_visited_on": household.last_visited_on}


@router.get("/residents/{resident_id}", response={200: ResidentDetailOut, **NOT_FOUND}, summary="One resident")
def resident_detail(request, resident_id: int):
    return _detail(selectors.access_resident(request.auth, resident_id))


def _detail(resident):
    """The resident with what the detail adds: all tags, past and present, and the history."""
    tags = selectors.resident_tags(resident, include_ended=True)
    resident.live_tags = [t for t in tags if t.ended_on is None]
    resident.past_tags = [t for t in tags if t.ended_on is not None]
    resident.history = selectors.resident_history(resident)
    return resident


@router.post("/residents", response={201: ResidentDetailOut, **WRITE}, summary="Enter a resident of a household")
def create_resident(request, data: ResidentIn):
    household = selectors.access_household(request.auth, data.household_id)
    resident = people.create_resident(
        actor=request.auth, household=household, tags=tags_param(data.tags),
        **data.dict(exclude={"household_id", "tags"}))
    return Status(201, _detail(selectors.access_resident(request.auth, resident.pk)))


@router.patch("/residents/{resident_id}", response={200: ResidentDetailOut, **WRITE},
              summary="Correct a resident's details")
def update_resident(request, resident_id: int, data: ResidentPatch):
    resident = selectors.access_resident(request.auth, resident_id)
    # Only the fields sent change; null clears the birth date and leaves any other field as it is.
    changes = {name: value for name, value in data.dict(exclude_unset=True, exclude={"expected_version"}).items()
               if value is not None or name == "birth_date"}
    people.update_resident(actor=request.auth, resident=resident, expected_version=data.expected_version, **changes)
    return _detail(selectors.access_resident(request.auth, resident_id))


@router.post("/residents/{resident_id}/move-out", response={200: ResidentDetailOut, **WRITE},
             summary="Record that the resident moved away")
def move_out(request, resident_id: int, data: MoveIn):
    resident = selectors.access_resident(request.auth, resident_id)
    people.move_out(actor=request.auth, resident=resident, on=data.on, note=data.note)
    return _detail(selectors.access_resident(request.auth, resident_id))


@router.post("/residents/{resident_id}/death", response={200: ResidentDetailOut, **WRITE},
             summary="Record the resident's death")
def death(request, resident_id: int, data: MoveIn):
    resident = selectors.access_resident(request.auth, resident_id)
    people.record_death(actor=request.auth, resident=resident, on=data.on, note=data.note)
    return _detail(selectors.access_resident(request.auth, resident_id))


@router.post("/residents/{resident_id}/move-in", response={200: ResidentDetailOut, **WRITE},
             summary="A resident who moved out comes back (to this or another household)")
def move_back_in(request, resident_id: int, data: HouseholdMove):
    resident = selectors.access_resident(request.auth, resident_id)
    household = selectors.access_household(request.auth, data.household_id)
    people.move_back_in(actor=request.auth, resident=resident, household=household, on=data.on,
                        relation=data.relation, note=data.note)
    return _detail(selectors.access_resident(request.auth, resident_id))


@router.post("/residents/{resident_id}/household", response={200: ResidentDetailOut, **WRITE},
             summary="The resident joins another household")
def change_household(request, resident_id: int, data: HouseholdMove):
    resident = selectors.access_resident(request.auth, resident_id)
    household = selectors.access_household(request.auth, data.household_id)
    people.change_household(actor=request.auth, resident=resident, household=household, relation=data.relation,
                            on=data.on, note=data.note)
    return _detail(selectors.access_resident(request.auth, resident_id))


@router.post("/residents/{resident_id}/tags", response={200: ResidentDetailOut, **WRITE}, summary="Tag a resident")
def assign_tag(request, resident_id: int, data: TagIn):
    resident = selectors.access_resident(request.auth, resident_id)
    people.assign_tag(actor=request.auth, resident=resident, tag=tag_param(data.tag), started_on=data.started_on,
                      permit_valid_from=data.permit_valid_from, permit_valid_until=data.permit_valid_until)
    return _detail(resident)


@router.delete("/residents/{resident_id}/tags/{code}", response={200: ResidentDetailOut, **WRITE},
               summary="End a tag (the tag's history is kept)")
def remove_tag(request, resident_id: int, code: str):
    resident = selectors.access_resident(request.auth, resident_id)
    people.remove_tag(actor=request.auth, resident=resident, tag=tag_param(code))
    return _detail(resident)


@router.post("/residents/{resident_id}/archive", response={200: ResidentDetailOut, **WRITE},
             summary="Take out an entry made by mistake (moves and deaths are recorded instead)")
def archive_resident(request, resident_id: int, data: ArchiveIn):
    resident = selectors.access_resident(request.auth, resident_id)
    return _detail(people.archive_resident(actor=request.auth, resident=resident, reason=data.reason))


@router.post("/residents/{resident_id}/reveal", response={200: RevealOut, **WRITE},
             summary="See a full ID or phone number (audited)")
def reveal(request, resident_id: int, data: RevealIn):
    resident = selectors.access_resident(request.auth, resident_id)
    value = privacy.reveal_personal_data(actor=request.auth, resident=resident, field=data.field)
    return {"field": data.field, "value": value}


# --- households ------------------------------------------------------------------------------------------


class HouseholdFilters(Schema):
    division: int | None = None
    building: int | None = None
    kind: str | None = None
    address: str | None = Field(None, max_length=200)
    not_visited_days: int | None = Field(None, ge=0, le=3650,
                                         description="only occupied households not visited for this many days")


@router.get("/households", response={200: list[HouseholdOut], 403: ErrorOut, **NOT_FOUND},
            summary="Households in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_households(request, filters: Query[HouseholdFilters]):
    require_may(request.auth, A.VIEW_PEOPLE)
    user = request.auth
    return selectors.households_for(
        user, division=division_param(user, filters.division, A.VIEW_PEOPLE),
        building=selectors.access_building(user, filters.building, A.VIEW_PEOPLE) if filters.building else None,
        kind=filters.kind, address=filters.address or "", not_visited_days=filters.not_visited_days)


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **NOT_FOUND},
            summary="One household with its residents")
def household_detail(request, household_id: int):
    household = selectors.access_household(request.auth, household_id)
    return _household(request.auth, household)


def _household(user, household):
    household.residents = list(selectors.residents_for(user, household=household))
    household.member_count = len(household.residents)
    return household


@router.post("/households", response={201: HouseholdDetailOut, **WRITE}, summary="Add a household to a building")
def create_household(request, data: HouseholdIn):
    building = selectors.access_building(request.auth, data.building_id, A.VIEW_PEOPLE)
    household = places.create_household(actor=request.auth, building=building, room=data.room, kind=data.kind)
    return Status(201, _household(request.auth, selectors.access_household(request.auth, household.pk)))


@router.patch("/households/{household_id}", response={200: HouseholdDetailOut, **WRITE},
              summary="Change a household's room or kind")
def update_household(request, household_id: int, data: HouseholdPatch):
    household = selectors.access_household(request.auth, household_id)
    places.update_household(actor=request.auth, household=household, expected_version=data.expected_version,
                            room=data.room, kind=data.kind)
    return _household(request.auth, selectors.access_household(request.auth, household_id))


@router.post("/households/{household_id}/archive", response={200: HouseholdOut, **WRITE},
             summary="Archive an empty household")
def archive_household(request, household_id: int, data: ArchiveIn):
    household = selectors.access_household(request.auth, household_id)
    return places.archive_household(actor=request.auth, household=household, reason=data.reason)
