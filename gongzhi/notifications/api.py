"""Notifications API: the caller's own notifications, and marking them read."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import AUTH_ERRORS

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    verb: str = Field(description="what happened, a stable key such as case.dispatched")
    title: str
    body: str
    case_id: int | None
    tracking_number: str | None
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_tracking_number(n) -> str | None:
        return n.case.tracking_number if n.case_id else None


class UnreadOut(Schema):
    unread: int


class ReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="these; all unread ones when omitted")


class MarkedOut(Schema):
    marked: int


@router.get("", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My notifications, newest first")
@paginate(PageNumberPagination, page_size=30)
def my_notifications(request, unread: bool | None = Query(None, description="true: unread only")):
    return selectors.notifications_for(request.auth, unread=unread)


@router.get("/unread", response={200: UnreadOut, **AUTH_ERRORS}, summary="How many are unread")
def unread(request):
    return {"unread": selectors.unread_count(request.auth)}


@router.post("/read", response={200: MarkedOut, **AUTH_ERRORS}, summary="Mark notifications read")
def mark_read(request, payload: ReadIn):
    return {"marked": services.mark_read(actor=request.auth, ids=payload.ids)}
