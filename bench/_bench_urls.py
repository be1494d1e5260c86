"""The bench server's URLs: every production URL, and `POST /bench/bare` — one INSERT (an audit
row) through the same stack as the API (gunicorn workers, Django's middleware, django-ninja with
the API's bearer-token authentication, the database), for bench/intake.py's baseline. Only
bench/_bench_settings.py names this module; the production URLconf never includes it."""

from django.db import connection
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI, Status
from pydantic import BaseModel

from gongzhi.accounts.auth import api_auth

# Its own API object, so that production's never carries the route; the same framework and the
# same authentication as every /api/v1/ call — the baseline is the stack a report goes through,
# without the report.
bench_api = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None, auth=api_auth)


class BareOut(BaseModel):
    ok: bool


@bench_api.post("/bare", response={201: BareOut})
def bare(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (actor_id, actor_label, action, object_type, object_id, object_repr, "
            "division_id, before, after, reason, at) VALUES (NULL, 'bench', 'bench.bare', 'bench', '0', '', "
            "NULL, NULL, NULL, '', %s)",
            [timezone.now()],
        )
    return Status(201, {"ok": True})


urlpatterns = [
    path("bench/", bench_api.urls),
    path("", include("gongzhi.urls")),
]
