"""The bench server's URLs: every production URL, and `POST /bench/bare` — one INSERT (an audit
row) through the same middleware, gunicorn workers and database, for bench/intake.py's baseline.
Only bench/_bench_settings.py names this module; the production URLconf never includes it."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def bare(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (actor_id, actor_label, action, object_type, object_id, object_repr, "
            "division_id, before, after, reason, at) VALUES (NULL, 'bench', 'bench.bare', 'bench', '0', '', "
            "NULL, NULL, NULL, '', %s)",
            [timezone.now()],
        )
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [
    path("bench/bare", bare),
    path("", include("gongzhi.urls")),
]
