"""The REST API under /api/v1/: one NinjaAPI, one router per domain app."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from gongzhi.core.errors import DomainError

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description="共治 community-governance platform. Authenticate with `POST /api/v1/auth/token`, "
    "then send `Authorization: Bearer <token>`.",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    status = 409 if exc.code in {"stale", "duplicate", "conflict"} else 400
    body = {"detail": str(exc.message), "code": exc.code}
    if exc.details is not None:
        body["problems"] = exc.details
    return api.create_response(request, body, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found."), "code": "not_found"}, status=404)
