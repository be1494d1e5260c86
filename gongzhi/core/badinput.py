"""Ordinary bad input answered as the client's mistake (4xx), never as a server error.

`BadInputMiddleware` refuses, before any view or database sees them:
- a NUL character (U+0000) in the path, the query string, a form field or a JSON body: PostgreSQL
  cannot store it and would answer 500 wherever the text reaches a query;
- under /api/, a page number beyond `MAX_PAGE` (the database's bigint ends near 9.2e18, and no
  list has a million pages): answered like ninja's own refusal of `page=0`, 422 with `problems`.

It also keeps the API's promise of one error body (`{"detail", "code"}`, gongzhi.core.schemas.
ErrorOut) for answers Django makes outside the API's handlers — a path no route matches, an
oversized body, a server error — which would otherwise be HTML pages.

An app whose URLs speak another error format registers it with `register_refusal(prefix, answer)`
(Open311 answers its own error array)."""

import json
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
MAX_PAGE = 1_000_000
NUL = "\x00"
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed",
              413: "too_large", 429: "throttled"}

# prefix -> answer(request, status, message); the longest matching prefix wins.
_refusals: dict[str, Callable[[HttpRequest, int, str], HttpResponse]] = {}


def register_refusal(prefix: str, answer: Callable[[HttpRequest, int, str], HttpResponse]) -> None:
    _refusals[prefix] = answer


def error_body(status: int, detail, code: str | None = None, **extra) -> JsonResponse:
    return JsonResponse({"detail": str(detail), "code": code or HTTP_CODES.get(status, "error"), **extra},
                        status=status, json_dumps_params={"ensure_ascii": False})


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _body_has_nul(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Uploaded files may hold NUL bytes (an image does); their names and the fields may not.
        return (any(_has_nul(k) or any(_has_nul(v) for v in vs) for k, vs in request.POST.lists())
                or any(_has_nul(f.name or "") for f in request.FILES.values()))
    body = request.body
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:  # "\\u0000" (an escaped backslash) is no NUL: only the parsed text tells
        return _has_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the operation refuses it itself


def _has_bad_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or NUL in request.headers.get("Authorization", ""):
        return True
    if any(_has_nul(k) or any(_has_nul(v) for v in vs) for k, vs in request.GET.lists()):
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") and _body_has_nul(request)


def _page_problem(request: HttpRequest) -> JsonResponse | None:
    raw = request.GET.get("page", "").strip()
    if not (raw.isascii() and raw.isdigit()) or (len(raw) <= len(str(MAX_PAGE)) and int(raw) <= MAX_PAGE):
        return None  # a small or malformed number is the operation's own to refuse (422 from its schema)
    message = _("Input should be less than or equal to %(max)d") % {"max": MAX_PAGE}
    return error_body(422, _("The request is not valid."), "invalid", problems=[
        {"type": "less_than_equal", "loc": ["query", "page"], "msg": message, "ctx": {"le": MAX_PAGE}}])


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    path = request.path_info
    for prefix in sorted(_refusals, key=len, reverse=True):
        if path.startswith(prefix):
            return _refusals[prefix](request, status, message)
    if path.startswith(API_PREFIX):
        return error_body(status, message, "invalid" if status == 400 else None)
    return HttpResponse(f"<!doctype html><title>{escape(message)}</title><h1>{escape(message)}</h1>",
                        status=status, content_type="text/html; charset=utf-8")


def _too_large() -> str:
    return _("The request is too large.")


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path_info.startswith(API_PREFIX)
        try:
            if _has_bad_nul(request):
                return _refuse(request, 400, _("The request contains a NUL character (U+0000), which no text "
                                               "may hold."))
        except RequestDataTooBig:
            if is_api:
                return error_body(413, _too_large())
            raise
        except (SuspiciousOperation, MultiPartParserError):
            if is_api:
                return error_body(400, _("The request is not valid."), "invalid")
            raise
        if is_api:
            refused = _page_problem(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        if is_api and response.status_code >= 400 and not _is_json(response):
            return _as_error_body(response)
        return response


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _as_error_body(response: HttpResponse) -> JsonResponse:
    """Django's own answer (an unmatched path, an oversized body, a crash) in the API's shape."""
    status = response.status_code
    details = {400: _("The request is not valid."), 401: _("Sign in or send a valid API token."),
               403: _("You may not do this."), 404: _("Not found."), 405: _("This method is not allowed here."),
               413: _too_large()}
    answer = error_body(status, details.get(status, _("Something went wrong on our side. Try again later.")),
                        None if status < 500 else "server_error")
    for header in ("Allow", "Retry-After"):
        if header in response:
            answer[header] = response[header]
    return answer
