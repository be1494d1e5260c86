from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import roles, scope
from .seams.panels import drawn_panels
from .seams.search import clean_query
from .seams.search import search as search_all
from .seams.todos import todos_for
from .selectors import allowed_actions

HOME_PAGE = "core.home"  # other apps add panels to the workbench home (gongzhi.core.seams.panels)

SEARCH_LIMIT = 10


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
    """The workbench landing: what waits for me, who I am and my divisions; residents get their own
    landing page, with their own to-dos. Every installed app may add to-dos (gongzhi.core.seams.todos)."""
    user = request.user
    todos = todos_for(user)
    if scope.is_global(user) or any(getattr(roles.role(r), "desk", False) for r in scope.roles(user)):
        labels = roles.all_actions()
        return render(request, "core/home.html", {
            "assignments": scope.assignments(user),
            "panels": drawn_panels(HOME_PAGE, user, None),
            # Every app's actions the user holds, in the plain words each app gave them.
            "abilities": [labels[a] for a in allowed_actions(user)],
            "todos": todos,
        })
    # A resident's role names the community they live in.
    communities = [a.division for a in scope.assignments(user)
                   if a.division is not None and not getattr(roles.role(a.role), "desk", True)]
    return render(request, "core/home_resident.html", {"communities": communities, "todos": todos})


@login_required
@require_GET
def search(request):
    """One box for the whole platform: each installed app answers from the rows this user may see
    (gongzhi.core.seams.search)."""
    query = clean_query(request.GET.get("q"))
    return render(request, "core/search.html", {
        "q": query, "sections": search_all(request.user, query, limit=SEARCH_LIMIT) if query else [],
    })
