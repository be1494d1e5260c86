"""Reading cases: mine, a scoped list, the work queues, one case, its files, and public tracking."""

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import AUTH_ERRORS, NOT_FOUND, ErrorOut

from .. import selectors
from ..choices import CaseState
from ..models import CaseAttachment
from ..permissions import CaseAction
from ..schemas import CaseDetailOut, CaseListOut, PublicCaseOut, public
from ..views.common import serve_attachment
from .common import case_out

router = Router()
PAGE_SIZE = 30


class CaseFilters(Schema):
    state: CaseState | None = None
    category: str | None = Field(None, max_length=40, description="a category or class code")
    q: str | None = Field(None, max_length=100, description="tracking number, or words of the description")


@router.get("/mine", response={200: list[CaseListOut], **AUTH_ERRORS}, summary="The cases I reported or follow")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def mine(request):
    return selectors.my_cases(request.auth)


@router.get("/list", response={200: list[CaseListOut], **AUTH_ERRORS}, summary="Cases in my scope")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def case_list(request, filters: Query[CaseFilters]):
    qs = selectors.cases_for(request.auth, CaseAction.VIEW)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.category:
        qs = qs.filter(Q(category__code=filters.category) | Q(category__parent__code=filters.category))
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(tracking_number=text) if text.isdigit() else qs.filter(description__icontains=text)
    return qs.order_by("-submitted_at", "-id")


@router.get("/queues/{name}", response={200: list[CaseListOut], **NOT_FOUND}, summary="One of my work queues")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def work_queue(request, name: str):
    """to_register, to_dispatch, to_accept, in_progress, due_soon, overdue, to_verify, to_close,
    awaiting_approval."""
    if name not in selectors.QUEUES:
        raise Http404
    return selectors.queue(request.auth, name)


@router.get("/track/{tracking_code}", auth=None, response={200: PublicCaseOut, 404: ErrorOut},
            summary="Follow a case by its tracking code")
def track(request, tracking_code: str):
    case = selectors.public_case(tracking_code)
    if case is None:
        raise Http404
    return public(case, selectors.timeline(case, public=True))


@router.get("/{case_id}", response={200: CaseDetailOut, **NOT_FOUND}, summary="One case")
def case_detail(request, case_id: int):
    case = selectors.case_detail(request.auth, case_id)
    return case_out(request.auth, case)


@router.get("/{case_id}/attachments/{attachment_id}", response={200: None, **NOT_FOUND},
            summary="A photo or recording of a case")
def attachment(request, case_id: int, attachment_id: int):
    case = selectors.case_detail(request.auth, case_id)
    row = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if row is None:
        raise Http404
    return serve_attachment(row, public=False, request=request)
