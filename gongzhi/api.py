"""The REST API under /api/v1/: one NinjaAPI, one router per domain app.

Every operation needs a bearer token or the browser session (`api_auth`) unless it says
`auth=None` itself, so a forgotten `auth=` fails closed. Refusals share one body shape,
`{"detail": <translated sentence>, "code": <stable word>}` (gongzhi.core.schemas.ErrorOut).
"""

import copy
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gongzhi.accounts.auth import api_auth
from gongzhi.core.badinput import MAX_PAGE
from gongzhi.core.errors import DomainError
from gongzhi.core.schemas import ErrorOut, ProblemsOut

# The answers any operation may give whatever it does, documented on every operation they apply to
# (an operation's own `response=` may name them too, with its own schema): status -> (when, body).
SHARED_ANSWERS = {
    400: ("A NUL character (U+0000) in the path, query, body or token, or a body that cannot be read; "
          "or a refusal of the operation's own.", ProblemsOut),
    401: ("No valid bearer token and no signed-in session, or a token that is unknown, revoked or expired.",
          ErrorOut),
    403: ("Refused: `password_change_required` until the one-time password is changed, `csrf` for a "
          "session request without its CSRF token, or `forbidden` for an action the roles do not cover.",
          ErrorOut),
    404: ("`not_found`: missing, or outside the divisions the caller may see (the two answer alike).", ErrorOut),
    413: ("`too_large`: the body is larger than the server accepts.", ErrorOut),
    422: ("`invalid`: a parameter or body field does not match this description; `problems` lists each "
          "(`loc`, `msg`, `type`).", ProblemsOut),
}


def _shared_statuses(operation: dict) -> list[int]:
    parameters = operation.get("parameters", [])
    statuses = [400]
    if operation.get("security"):
        statuses += [401, 403]
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append(404)
    if "requestBody" in operation:
        statuses.append(413)
    if parameters or "requestBody" in operation:
        statuses.append(422)
    return statuses


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The document is the same for every request of a process (it depends on the routes and the
        language only) and takes a second or more to build: it is built once per language and
        prefix, and each caller gets its own copy to change."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())), translation.get_language())
        if key not in self._schemas:
            self._schemas[key] = self._build_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return copy.deepcopy(self._schemas[key])

    @cached_property
    def _schemas(self) -> dict:
        return {}

    def _build_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Every paginated list says how far its pages go: gongzhi.core.badinput refuses a page
        beyond MAX_PAGE for all of them (422), before ninja's own pagination would ask the
        database for an offset it cannot hold. Every operation documents the answers it may give
        whatever it does (SHARED_ANSWERS), all in the one error shape."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ProblemsOut):
            if model.__name__ not in components:
                components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter.get("name") == "page":
                        parameter.setdefault("schema", {})["maximum"] = MAX_PAGE
                responses = operation.setdefault("responses", {})
                for status in _shared_statuses(operation):
                    if status not in responses and str(status) not in responses:
                        description, model = SHARED_ANSWERS[status]
                        responses[status] = {"description": description, "content": {"application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
        return schema


api = GongzhiAPI(
    title="Gongzhi API",
    version="1",
    description="共治 community-governance platform. Authenticate with `POST /api/v1/auth/token`, "
    "then send `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=api_auth,
    # The docs page loads swagger-ui from our own static files (ninja/static, collected with
    # the rest) and never asks the public validator service about our schema.
    docs=Swagger(settings={"validatorUrl": None}),
)

# Django tries the URL patterns in order, and a report is the busiest call: the cases come first.
api.add_router("/cases/", "gongzhi.cases.api.router")
api.add_router("/", "gongzhi.accounts.api.router")
api.add_router("/divisions/", "gongzhi.divisions.api.router")
api.add_router("/grids/", "gongzhi.divisions.api_grids.router")
api.add_router("/users/", "gongzhi.accounts.api_admin.router")
api.add_router("/departments/", "gongzhi.departments.api.router")
api.add_router("/audit", "gongzhi.core.api.router")
api.add_router("/registry/", "gongzhi.registry.api.router")
api.add_router("/notifications/", "gongzhi.notifications.api.router")
api.add_router("/assessment/", "gongzhi.assessment.api.router")
api.add_router("/party/", "gongzhi.party.api.router")
api.add_router("/service/", "gongzhi.service.api.router")
api.add_router("/service/activities/", "gongzhi.volunteering.api.router")
api.add_router("/points/", "gongzhi.points.api.router")
api.add_router("/lovebank/", "gongzhi.lovebank.api.router")
api.add_router("/squads/", "gongzhi.squads.api.router")

DOMAIN_STATUS = {"stale": 409, "duplicate": 409, "conflict": 409, "forbidden": 403, "not_found": 404,
                 "password_change_required": 403}
HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "not_allowed", 429: "throttled"}


def error(request, status: int, detail, code: str, **extra):
    return api.create_response(request, {"detail": str(detail), "code": code, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    extra = {"problems": exc.details} if exc.details is not None else {}
    return error(request, DOMAIN_STATUS.get(exc.code, 400), exc.message, exc.code, **extra)


@api.exception_handler(Http404)
def not_found(request, exc):
    # One body for "missing" and "outside your divisions": nothing tells them apart.
    return error(request, 404, _("Not found."), "not_found")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc: PermissionDenied):
    return error(request, 403, str(exc) or _("You may not do this."), "forbidden")


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return error(request, 401, _("Sign in or send a valid API token."), "unauthorized")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 403 and "CSRF" in exc.message:
        return error(request, 403, _("The CSRF check failed. Reload the page and try again."), "csrf")
    return error(request, exc.status_code, exc.message, HTTP_CODES.get(exc.status_code, "error"))


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return error(request, 422, _("The request is not valid."), "invalid", problems=exc.errors)
