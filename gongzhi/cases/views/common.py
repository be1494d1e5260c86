"""What the case pages share: htmx detection, the anonymous reporter's follow cookie, and who
reports through which form."""

from django.conf import settings
from django.core.signing import BadSignature
from django.http import FileResponse

from gongzhi.accounts.choices import Role
from gongzhi.core import scope

from ..permissions import CaseAction, may_anywhere

FOLLOW_COOKIE = "gz_follow_{number}"
FOLLOW_SALT = "gongzhi.cases.follow"
FOLLOW_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days
FOLLOW_PATH = "/cases/"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def set_follow_cookie(response, number: str, token: str) -> None:
    """Keep an anonymous reporter's follow secret in their browser, for that case only."""
    response.set_signed_cookie(FOLLOW_COOKIE.format(number=number), token, salt=FOLLOW_SALT,
                               max_age=FOLLOW_MAX_AGE, path=FOLLOW_PATH, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)


def follow_token(request, number: str) -> str:
    try:
        return request.get_signed_cookie(FOLLOW_COOKIE.format(number=number), default="", salt=FOLLOW_SALT,
                                         max_age=FOLLOW_MAX_AGE)
    except BadSignature:
        return ""


def report_mode(user) -> str:
    """anonymous | resident | patrol: a grid worker reports from patrol with more fields."""
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    if Role.GRID_WORKER in scope.roles(user) and may_anywhere(user, CaseAction.REPORT):
        return "patrol"
    return "resident"


def works_on_cases(user) -> bool:
    """Whether the user has a staff view of cases at all (the workbench), not only their own."""
    return may_anywhere(user, CaseAction.VIEW)


def serve_attachment(row, *, public: bool) -> FileResponse:
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
