"""Response shapes shared by every router of the API."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every refusal has this body; `code` is stable, `detail` is a translated sentence."""

    detail: str
    code: str


class ProblemsOut(ErrorOut):
    """A refused input: what was wrong with which field (422), or with which rows (400)."""

    problems: Any


class DivisionRef(Schema):
    """A division named inside another answer."""

    id: int
    code: str
    name: str
    level: str


# The answers every authenticated operation may give besides its own.
AUTH_ERRORS = {401: ErrorOut}
NOT_FOUND = {401: ErrorOut, 404: ErrorOut}
