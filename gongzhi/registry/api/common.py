"""What the registry's routers share: refusing a caller with no right at all, reading filters."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from .. import permissions, selectors
from ..permissions import RegistryAction

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_may(user, action: str) -> None:
    """A list is refused (403) to a caller who may not do `action` anywhere; one who may somewhere
    gets the rows in their scope."""
    if not permissions.may(user, action):
        raise PermissionDenied(_("You may not see this part of the registry."))


def division_param(user, division_id: int | None, action: str):
    """The `division` filter: a division the caller covers for `action` (404 otherwise), or None."""
    return None if division_id is None else permissions.division_for(user, division_id, action)


def tag_param(code: str | None):
    if not code:
        return None
    tag = selectors.tag_by_code(code)
    if tag is None:
        raise DomainError(_("Unknown tag: %(tag)s") % {"tag": code}, code="invalid")
    return tag


def tags_param(codes: list[str]) -> list:
    return [tag_param(code) for code in codes]


def grid_param(user, grid_id: int | None, action: str = RegistryAction.EDIT):
    return None if grid_id is None else permissions.grid_for(user, grid_id, action)


def xlsx_response(content, filename: str) -> HttpResponse:
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX)
