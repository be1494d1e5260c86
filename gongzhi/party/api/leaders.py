"""/api/v1/party/leaders: linked leaders (挂点联系), their visits and the problems they took on."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core import scope
from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from ..choices import ProblemStatus
from ..permissions import PartyAction
from ..selectors import leaders as sel
from ..selectors import registrations as reg_sel
from ..selectors.reading import as_read_by
from ..services import leaders as services
from .reading import ReadPages

router = Router(tags=["party: linked leaders"])
A = PartyAction
WRITE = {400: ProblemsOut, 403: ErrorOut, 409: ErrorOut, 422: ProblemsOut, **NOT_FOUND}


class PartyLeaderDivisionRef(Schema):
    id: int
    code: str
    name: str
    level: str


class PartyLeaderLinkOut(Schema):
    id: int
    name: str
    title: str
    user_id: int | None
    division: PartyLeaderDivisionRef
    started_on: dt.date
    ended_on: dt.date | None
    visits: int = 0
    open_problems: int = 0
    solved_problems: int = 0

    @staticmethod
    def resolve_visits(obj) -> int:
        return getattr(obj, "visit_count", 0)


class PartyLeaderFilters(Schema):
    division: int | None = Field(None, description="a district, street or community in your scope")
    ended: bool = Field(False, description="include ended links")


@router.get("/leaders", response={200: list[PartyLeaderLinkOut], 403: ErrorOut, **NOT_FOUND},
            summary="Linked leaders in your scope, with visits and problems counts")
@paginate(ReadPages, page_size=50)
def list_links(request, filters: Query[PartyLeaderFilters]):
    user = request.auth
    if not scope.may(user, A.VIEW):
        raise PermissionDenied(_("You may not do this."))
    division = reg_sel.dashboard_division(user, filters.division) if filters.division else None
    return sel.links_for(user, division=division, current_only=not filters.ended)


class PartyLeaderLinkIn(Schema):
    division_id: int = Field(description="the street or community linked")
    title: str = Field(..., min_length=1, max_length=100)
    name: str = Field("", max_length=64, description="the leader's name (or give user_id)")
    user_id: int | None = None
    started_on: dt.date | None = None


@router.post("/leaders", response={201: PartyLeaderLinkOut, **WRITE}, summary="Link a leader to a street or community")
def link_leader(request, data: PartyLeaderLinkIn):
    return Status(201, services.link_leader(actor=request.auth, **data.dict()))


class PartyLeaderVisitOut(Schema):
    id: int
    visited_on: dt.date
    summary: str


class PartyLeaderProblemOut(Schema):
    id: int
    title: str
    status: str
    taken_on: dt.date
    solved_on: dt.date | None
    resolution: str
    case_number: str | None
    version: int

    @staticmethod
    def resolve_case_number(obj) -> str | None:
        return obj.case.tracking_number if obj.case_id else None


class PartyLeaderDetailOut(PartyLeaderLinkOut):
    recent_visits: list[PartyLeaderVisitOut]
    problems: list[PartyLeaderProblemOut]


@router.get("/leaders/{link_id}", response={200: PartyLeaderDetailOut, **NOT_FOUND},
            summary="One linked leader, with visits and problems")
def link_detail(request, link_id: int):
    link = sel.link_for(request.auth, link_id)
    link.recent_visits = as_read_by(request.auth, sel.visits_of(link)[:50])
    link.problems_list = as_read_by(request.auth, sel.problems_of(link))
    return {**{f: getattr(link, f) for f in ("id", "name", "title", "user_id", "division", "started_on",
                                             "ended_on")},
            "visits": len(link.recent_visits),
            "open_problems": sum(p.status != ProblemStatus.SOLVED for p in link.problems_list),
            "solved_problems": sum(p.status == ProblemStatus.SOLVED for p in link.problems_list),
            "recent_visits": link.recent_visits, "problems": link.problems_list}


class PartyLeaderEndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/leaders/{link_id}/end", response={200: PartyLeaderLinkOut, **WRITE}, summary="End a link")
def end_link(request, link_id: int, data: PartyLeaderEndIn):
    return services.end_link(actor=request.auth, link_id=link_id, reason=data.reason)


class PartyLeaderVisitIn(Schema):
    visited_on: dt.date
    summary: str = Field(..., min_length=1, max_length=5000)


@router.post("/leaders/{link_id}/visits", response={201: PartyLeaderVisitOut, **WRITE},
             summary="Record a leader's visit")
def record_visit(request, link_id: int, data: PartyLeaderVisitIn):
    return Status(201, services.record_visit(actor=request.auth, link_id=link_id, **data.dict()))


class PartyLeaderProblemIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    visit_id: int | None = None
    case_number: str = Field("", max_length=32, description="a case's tracking number in your case scope")


@router.post("/leaders/{link_id}/problems", response={201: PartyLeaderProblemOut, **WRITE},
             summary="A problem the leader takes on")
def take_problem(request, link_id: int, data: PartyLeaderProblemIn):
    return Status(201, services.take_problem(actor=request.auth, link_id=link_id, **data.dict()))


class PartyLeaderProblemPatch(Schema):
    status: ProblemStatus
    resolution: str = Field("", max_length=5000)
    expected_version: int | None = None


@router.post("/leaders/problems/{problem_id}", response={200: PartyLeaderProblemOut, **WRITE},
             summary="Move a problem on, or mark it solved")
def update_problem(request, problem_id: int, data: PartyLeaderProblemPatch):
    return services.update_problem(actor=request.auth, problem_id=problem_id, **data.dict())
