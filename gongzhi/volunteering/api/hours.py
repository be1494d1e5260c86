"""/api/v1/service/activities/hours/mine and /signups/mine: a volunteer's own record."""

from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import AUTH_ERRORS

from ..selectors import activities as sel
from ..selectors import hours as hours_sel
from .schemas import VolHoursOut, VolSignUpOut

router = Router(tags=["volunteering: my hours"])


class VolStandingOut(Schema):
    hours: Decimal
    records: int
    stars: int
    next_star_at: int | None
    records_list: list[VolHoursOut]


@router.get("/hours/mine", response={200: VolStandingOut, **AUTH_ERRORS},
            summary="My certified hours, star level and records (latest 100)")
def my_hours(request):
    standing = hours_sel.total_of(request.auth)
    return {"hours": standing.hours, "records": standing.records, "stars": standing.stars,
            "next_star_at": standing.next_at, "records_list": list(hours_sel.my_hours(request.auth)[:100])}


@router.get("/signups/mine", response={200: list[VolSignUpOut], **AUTH_ERRORS}, summary="My sign-ups")
@paginate(PageNumberPagination, page_size=50)
def my_signups(request):
    return sel.my_signups(request.auth)
