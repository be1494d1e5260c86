from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongzhi.accounts.choices import Action, Role
from gongzhi.divisions.selectors import descendant_counts, top_divisions_for

from . import scope


@require_GET
@never_cache
def healthz(request):
    """For load balancers: 200 while the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is an unhealthy instance
        return JsonResponse({"status": "error", "database": "unavailable", "error": exc.__class__.__name__},
                            status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor,
                         "worker": worker_state()})


def worker_state() -> dict:
    from django.utils import timezone

    from .models import WorkerHeartbeat

    beat = WorkerHeartbeat.objects.filter(pk=1).first()
    if beat is None:
        return {"state": "unknown"}
    age = (timezone.now() - beat.seen_at).total_seconds()
    # The worker beats every minute; two missed beats mean it is stalled or stopped.
    return {"state": "ok" if age < 150 else "stalled", "last_seen": beat.seen_at.isoformat(),
            "age_s": round(age)}


@login_required
def home(request):
    """The workbench landing: who I am and my divisions; residents get their own landing page."""
    user = request.user
    if scope.may(user, Action.VIEW):
        tops = top_divisions_for(user)
        return render(request, "core/home.html", {
            "assignments": scope.assignments(user),
            "tops": tops,
            "counts": descendant_counts(tops),
            "may_manage_grids": scope.may(user, Action.MANAGE_GRIDS),
            "may_manage_divisions": scope.may(user, Action.MANAGE_DIVISIONS),
        })
    communities = [a.division for a in scope.assignments(user) if a.role == Role.RESIDENT and a.division]
    return render(request, "core/home_resident.html", {"communities": communities})
