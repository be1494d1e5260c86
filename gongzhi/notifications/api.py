"""Notifications API: the caller's own notifications, and marking them read."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongzhi.core.schemas import AUTH_ERRORS

from . import selectors, services

router = Router(tags=["notifications"])


class SubjectOut(Schema):
    type: str = Field(description="the kind of thing, e.g. cases.case")
    id: int
    label: str = Field(description="how it is named to you, e.g. a case's tracking number")
    url: str = Field(description="the page where you may follow it")


class NotificationOut(Schema):
    id: int
    verb: str = Field(description="what happened, a stable key such as case.dispatched")
    title: str
    body: str
    subject: SubjectOut | None = Field(description="what the notification is about, when it is about something")
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_subject(n) -> dict | None:
        ref = n.subject
        if ref is None:
            return None
        return {"type": n.subject_type, "id": n.subject_id, "label": ref.label, "url": ref.url}


class SubjectPagination(PageNumberPagination):
    """Pages of notifications with their subjects resolved for the caller, a page at a time."""

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        page[self.items_attribute] = selectors.with_subjects(request.auth, page[self.items_attribute])
        return page


class UnreadOut(Schema):
    unread: int


class ReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500, description="these; all unread ones when omitted")


class MarkedOut(Schema):
    marked: int


@router.get("", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My notifications, newest first")
@paginate(SubjectPagination, page_size=30)
def my_notifications(request, unread: bool | None = Query(None, description="true: unread only")):
    return selectors.notifications_for(request.auth, unread=unread)


@router.get("/unread", response={200: UnreadOut, **AUTH_ERRORS}, summary="How many are unread")
def unread(request):
    return {"unread": selectors.unread_count(request.auth)}


@router.post("/read", response={200: MarkedOut, **AUTH_ERRORS}, summary="Mark notifications read")
def mark_read(request, payload: ReadIn):
    return {"marked": services.mark_read(actor=request.auth, ids=payload.ids)}
