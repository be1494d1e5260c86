"""Audit API: the trail of who changed what, as far as the caller may read it."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from .schemas import AUTH_ERRORS, DivisionRef, ErrorOut
from .seams.audit import mask_entries, narrow_entries
from .selectors import audit_entries_for, may_read_audit

router = Router(tags=["audit"])


class AuditFilters(Schema):
    actor: str | None = Field(None, max_length=150, description="username (or a label such as 'system')")
    object_type: str | None = Field(None, max_length=64, description="model label, e.g. divisions.division")
    object_id: str | None = Field(None, max_length=64)
    action: str | None = Field(None, max_length=64, description="e.g. division.rename")
    since: datetime | None = Field(None, description="inclusive; without a zone, the site's time zone")
    until: datetime | None = Field(None, description="exclusive")


class AuditObjectOut(Schema):
    type: str
    id: str
    repr: str


class AuditEntryOut(Schema):
    id: int
    at: datetime
    who: str
    actor: str | None = Field(description="the username, or null for commands and the task worker")
    action: str
    object: AuditObjectOut
    division: DivisionRef | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str

    @staticmethod
    def resolve_actor(entry) -> str | None:
        return entry.actor.username if entry.actor_id else None

    @staticmethod
    def resolve_object(entry) -> dict:
        return {"type": entry.object_type, "id": entry.object_id, "repr": entry.object_repr}


@router.get("", response={200: list[AuditEntryOut], 403: ErrorOut, **AUTH_ERRORS},
            summary="The audit trail, newest first")
@paginate(PageNumberPagination, page_size=50)
def audit_list(request, filters: Query[AuditFilters]):
    """Rows whose division lies in the caller's audit scope; rows tied to no division only for
    superusers and province or city auditors (see gongzhi.core.selectors.audit_entries_for)."""
    if not may_read_audit(request.auth):
        raise PermissionDenied(_("You may not read the audit trail."))
    wanted = filters.dict()
    return _MaskedPages(narrow_entries(audit_entries_for(request.auth, **wanted), wanted))


class _MaskedPages:
    """The rows as the paginator slices them, each page masked as the audit page masks it (an
    anonymous reporter stays anonymous: gongzhi.core.seams.audit)."""

    def __init__(self, entries):
        self.entries = entries

    def __len__(self) -> int:
        return self.entries.count()

    def __getitem__(self, page):
        return mask_entries(list(self.entries[page]))
