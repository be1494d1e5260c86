"""Household visits (走访): the log, new visits with photos, follow-ups, and the photos themselves."""

import datetime as dt

from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import selectors
from ..permissions import RegistryAction
from ..services import visits
from ..storage import photo_response
from .common import PAGE_SIZE, division_param, require_may
from .schemas import CloseIn, VisitIn, VisitOut

router = Router(tags=["registry: visits"])
A = RegistryAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, **NOT_FOUND}


class VisitFilters(Schema):
    division: int | None = None
    household: int | None = None
    follow_up_open: bool | None = None
    since: dt.date | None = None


@router.get("/visits", response={200: list[VisitOut], 403: ErrorOut, **NOT_FOUND}, summary="Visits, newest first")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_visits(request, filters: Query[VisitFilters]):
    user = request.auth
    require_may(user, A.VIEW_PEOPLE)
    return selectors.visits_for(
        user, division=division_param(user, filters.division, A.VIEW_PEOPLE),
        household=selectors.access_household(user, filters.household) if filters.household else None,
        follow_up_open=filters.follow_up_open, since=filters.since)


@router.get("/visits/{visit_id}", response={200: VisitOut, **NOT_FOUND}, summary="One visit")
def visit_detail(request, visit_id: int):
    return selectors.access_visit(request.auth, visit_id)


@router.post("/visits", response={201: VisitOut, **WRITE}, summary="Log a household visit, with photos")
def log_visit(request, data: Form[VisitIn], photos: File[list[UploadedFile]] = None):
    household = selectors.access_household(request.auth, data.household_id)
    visit = visits.log_visit(actor=request.auth, household=household, visited_on=data.visited_on, notes=data.notes,
                             follow_up_needed=data.follow_up_needed, follow_up=data.follow_up, photos=photos or [])
    return Status(201, selectors.access_visit(request.auth, visit.pk))


@router.post("/visits/{visit_id}/photos", response={201: VisitOut, **WRITE}, summary="Add a photo to a visit")
def add_photo(request, visit_id: int, photo: File[UploadedFile]):
    visit = selectors.access_visit(request.auth, visit_id)
    visits.add_visit_photo(actor=request.auth, visit=visit, photo=photo)
    return Status(201, selectors.access_visit(request.auth, visit_id))


@router.post("/visits/{visit_id}/close-follow-up", response={200: VisitOut, **WRITE},
             summary="Close a visit's follow-up")
def close_follow_up(request, visit_id: int, data: CloseIn):
    visit = selectors.access_visit(request.auth, visit_id)
    visits.close_follow_up(actor=request.auth, visit=visit, note=data.note)
    return selectors.access_visit(request.auth, visit_id)


@router.get("/visits/{visit_id}/photos/{photo_id}", response={200: None, **NOT_FOUND}, summary="A visit photo (JPEG)")
def visit_photo(request, visit_id: int, photo_id: int):
    return photo_response(selectors.access_visit_photo(request.auth, visit_id, photo_id))
