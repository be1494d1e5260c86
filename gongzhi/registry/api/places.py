"""Buildings, things (部件), facilities (阵地) and organisations: lists, detail, create, change, archive."""

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import selectors
from ..models import Position
from ..permissions import RegistryAction, get_in_scope
from ..services import places, things
from .common import PAGE_SIZE, division_param, grid_param, require_may
from .schemas import (
    ArchiveIn,
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    EndIn,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PositionIn,
    PositionOut,
    ThingIn,
    ThingOut,
    ThingPatch,
)

router = Router(tags=["registry: places, things, organisations"])
A = RegistryAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}
LIST = {403: ErrorOut, **NOT_FOUND}


def _changes(user, data) -> dict:
    changes = data.dict(exclude_unset=True, exclude={"expected_version", "grid_id"})
    if getattr(data, "grid_id", None) is not None:
        changes["grid"] = grid_param(user, data.grid_id, A.VIEW_PLACES)
    return changes


# --- buildings --------------------------------------------------------------------------------------------


class PlaceFilters(Schema):
    division: int | None = Field(None, description="a division (any level) in your scope")


class BuildingFilters(PlaceFilters):
    address: str | None = Field(None, max_length=200)


@router.get("/buildings", response={200: list[BuildingOut], **LIST}, summary="Buildings in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_buildings(request, filters: Query[BuildingFilters]):
    require_may(request.auth, A.VIEW_PLACES)
    return selectors.buildings_for(request.auth, division=division_param(request.auth, filters.division,
                                                                         A.VIEW_PLACES), address=filters.address or "")


@router.get("/buildings/{building_id}", response={200: BuildingOut, **NOT_FOUND}, summary="One building")
def building_detail(request, building_id: int):
    return selectors.access_building(request.auth, building_id)


@router.post("/buildings", response={201: BuildingOut, **WRITE}, summary="Register a building")
def create_building(request, data: BuildingIn):
    grid = grid_param(request.auth, data.grid_id, A.VIEW_PLACES)
    return Status(201, places.create_building(actor=request.auth, grid=grid, **data.dict(exclude={"grid_id"})))


@router.patch("/buildings/{building_id}", response={200: BuildingOut, **WRITE}, summary="Change a building")
def update_building(request, building_id: int, data: BuildingPatch):
    building = selectors.access_building(request.auth, building_id)
    return places.update_building(actor=request.auth, building=building, expected_version=data.expected_version,
                                  **_changes(request.auth, data))


@router.post("/buildings/{building_id}/archive", response={200: BuildingOut, **WRITE},
             summary="Archive a building without households")
def archive_building(request, building_id: int, data: ArchiveIn):
    building = selectors.access_building(request.auth, building_id)
    return places.archive_building(actor=request.auth, building=building, reason=data.reason)


# --- things ------------------------------------------------------------------------------------------------


class ThingFilters(PlaceFilters):
    category: str | None = None
    state: str | None = None
    q: str | None = Field(None, max_length=64, description="start of the code, or part of the kind or address")


@router.get("/things", response={200: list[ThingOut], **LIST}, summary="Things (部件) in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_things(request, filters: Query[ThingFilters]):
    require_may(request.auth, A.VIEW_PLACES)
    return selectors.things_for(request.auth, division=division_param(request.auth, filters.division, A.VIEW_PLACES),
                                category=filters.category, state=filters.state, q=filters.q or "")


@router.get("/things/{thing_id}", response={200: ThingOut, **NOT_FOUND}, summary="One thing")
def thing_detail(request, thing_id: int):
    return selectors.access_thing(request.auth, thing_id)


@router.post("/things", response={201: ThingOut, **WRITE}, summary="Register a thing")
def create_thing(request, data: ThingIn):
    grid = grid_param(request.auth, data.grid_id, A.VIEW_PLACES)
    return Status(201, things.create_thing(actor=request.auth, grid=grid, **data.dict(exclude={"grid_id"})))


@router.patch("/things/{thing_id}", response={200: ThingOut, **WRITE}, summary="Change a thing (e.g. its state)")
def update_thing(request, thing_id: int, data: ThingPatch):
    thing = selectors.access_thing(request.auth, thing_id)
    return things.update_thing(actor=request.auth, thing=thing, expected_version=data.expected_version,
                               **_changes(request.auth, data))


@router.post("/things/{thing_id}/archive", response={200: ThingOut, **WRITE}, summary="Archive a thing")
def archive_thing(request, thing_id: int, data: ArchiveIn):
    thing = selectors.access_thing(request.auth, thing_id)
    return things.archive_thing(actor=request.auth, thing=thing, reason=data.reason)


# --- facilities -------------------------------------------------------------------------------------------


class FacilityFilters(PlaceFilters):
    kind: str | None = None


@router.get("/facilities", response={200: list[FacilityOut], **LIST}, summary="Facilities (阵地) in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_facilities(request, filters: Query[FacilityFilters]):
    require_may(request.auth, A.VIEW_PLACES)
    return selectors.facilities_for(request.auth, kind=filters.kind,
                                    division=division_param(request.auth, filters.division, A.VIEW_PLACES))


@router.get("/facilities/{facility_id}", response={200: FacilityOut, **NOT_FOUND}, summary="One facility")
def facility_detail(request, facility_id: int):
    return selectors.access_facility(request.auth, facility_id)


@router.post("/facilities", response={201: FacilityOut, **WRITE}, summary="Register a facility")
def create_facility(request, data: FacilityIn):
    grid = grid_param(request.auth, data.grid_id, A.VIEW_PLACES)
    return Status(201, things.create_facility(actor=request.auth, grid=grid, **data.dict(exclude={"grid_id"})))


@router.patch("/facilities/{facility_id}", response={200: FacilityOut, **WRITE}, summary="Change a facility")
def update_facility(request, facility_id: int, data: FacilityPatch):
    facility = selectors.access_facility(request.auth, facility_id)
    return things.update_facility(actor=request.auth, facility=facility, expected_version=data.expected_version,
                                  **_changes(request.auth, data))


@router.post("/facilities/{facility_id}/archive", response={200: FacilityOut, **WRITE}, summary="Archive a facility")
def archive_facility(request, facility_id: int, data: ArchiveIn):
    facility = selectors.access_facility(request.auth, facility_id)
    return things.archive_facility(actor=request.auth, facility=facility, reason=data.reason)


# --- organisations ----------------------------------------------------------------------------------------


class OrganisationFilters(PlaceFilters):
    kind: str | None = None
    q: str | None = Field(None, max_length=64, description="part of the name")


@router.get("/organisations", response={200: list[OrganisationOut], **LIST}, summary="Organisations in your scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_organisations(request, filters: Query[OrganisationFilters]):
    require_may(request.auth, A.VIEW_PLACES)
    return selectors.organisations_for(request.auth, kind=filters.kind, q=filters.q or "",
                                       division=division_param(request.auth, filters.division, A.VIEW_PLACES))


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, **NOT_FOUND},
            summary="One organisation with its current positions")
def organisation_detail(request, organisation_id: int):
    return _organisation(request.auth, organisation_id)


def _organisation(user, organisation_id: int):
    return get_in_scope(selectors.organisations_for(user), user, A.VIEW_PLACES, pk=organisation_id)


@router.post("/organisations", response={201: OrganisationOut, **WRITE}, summary="Register an organisation")
def create_organisation(request, data: OrganisationIn):
    grid = grid_param(request.auth, data.grid_id, A.VIEW_PLACES)
    organisation = things.create_organisation(actor=request.auth, grid=grid, **data.dict(exclude={"grid_id"}))
    return Status(201, _organisation(request.auth, organisation.pk))


@router.patch("/organisations/{organisation_id}", response={200: OrganisationOut, **WRITE},
              summary="Change an organisation")
def update_organisation(request, organisation_id: int, data: OrganisationPatch):
    organisation = selectors.access_organisation(request.auth, organisation_id)
    things.update_organisation(actor=request.auth, organisation=organisation, expected_version=data.expected_version,
                               **_changes(request.auth, data))
    return _organisation(request.auth, organisation_id)


@router.post("/organisations/{organisation_id}/archive", response={200: OrganisationOut, **WRITE},
             summary="Archive an organisation")
def archive_organisation(request, organisation_id: int, data: ArchiveIn):
    organisation = selectors.access_organisation(request.auth, organisation_id)
    things.archive_organisation(actor=request.auth, organisation=organisation, reason=data.reason)
    return selectors.access_organisation(request.auth, organisation_id)


@router.post("/organisations/{organisation_id}/positions", response={201: PositionOut, **WRITE},
             summary="Someone takes a title in the organisation")
def add_position(request, organisation_id: int, data: PositionIn):
    organisation = selectors.access_organisation(request.auth, organisation_id)
    resident = selectors.access_resident(request.auth, data.resident_id) if data.resident_id else None
    position = things.add_position(actor=request.auth, organisation=organisation, title=data.title,
                                   holder_name=data.holder_name, resident=resident, started_on=data.started_on)
    return Status(201, position)


@router.post("/positions/{position_id}/end", response={200: PositionOut, **WRITE}, summary="A position ends")
def end_position(request, position_id: int, data: EndIn):
    position = get_in_scope(Position.objects.select_related("organisation"), request.auth, A.VIEW_PLACES,
                            via="organisation__", pk=position_id)
    return things.end_position(actor=request.auth, position=position, ended_on=data.ended_on)
