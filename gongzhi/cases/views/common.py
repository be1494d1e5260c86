"""What the case pages share: htmx detection, the anonymous reporter's follow cookie, and who
reports through which form."""

import re

from django.conf import settings
from django.core.signing import BadSignature
from django.http import FileResponse, HttpResponse

from gongzhi.accounts.choices import Role
from gongzhi.core import scope

from ..permissions import CaseAction, may_anywhere

FOLLOW_COOKIE = "gz_follow_{code}"
FOLLOW_SALT = "gongzhi.cases.follow"
FOLLOW_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days
FOLLOW_PATH = "/cases/"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def set_follow_cookie(response, code: str, token: str) -> None:
    """Keep an anonymous reporter's follow secret in their browser, for that case only."""
    response.set_signed_cookie(FOLLOW_COOKIE.format(code=code), token, salt=FOLLOW_SALT,
                               max_age=FOLLOW_MAX_AGE, path=FOLLOW_PATH, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)


def follow_token(request, code: str) -> str:
    try:
        return request.get_signed_cookie(FOLLOW_COOKIE.format(code=code), default="", salt=FOLLOW_SALT,
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


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_attachment(row, *, public: bool, request=None) -> HttpResponse:
    """A stored photo or recording. Answers a single byte range (206), as Safari and iOS ask
    before they play a recording at all; a range past the end is 416."""
    size = row.file.size
    wanted = RANGE.match((request.headers.get("Range") or "").strip()) if request is not None else None
    if wanted and any(wanted.groups()):
        first, last = wanted.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        with row.file.open("rb") as f:
            f.seek(start)
            response = HttpResponse(f.read(end - start + 1), status=206, content_type=row.content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
