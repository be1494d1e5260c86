"""Response shapes shared by every router of the API."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every refusal has this body; `code` is stable, `detail` is a translated sentence."""

    detail: str
    code: str


class ProblemsOut(ErrorOut):
    """A refused input: what was wrong with which field (422, always), or with which rows or fields
    (400, when the refusal names them; a refusal of the whole request has `detail` and `code` only)."""

    problems: Any = None


class DivisionRef(Schema):
    """A division named inside another answer."""

    id: int
    code: str
    name: str
    level: str


# The answers every authenticated operation may give besides its own. gongzhi.api documents the
# answers any operation may give (400, 401, 403, 404, 413, 422: see SHARED_ANSWERS there) for every
# operation itself, so a router names only the ones it gives for its own reasons.
AUTH_ERRORS = {401: ErrorOut}
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}
