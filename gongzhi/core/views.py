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
    """For load balancers and monitors: 200 while the database answers, the task worker runs and no
    periodic task is late; 503 naming what is wrong otherwise (gongzhi.core.tasks.health_report)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is an unhealthy instance
        return JsonResponse({"status": "error", "database": "unavailable", "error": exc.__class__.__name__},
                            status=503)
    if request.GET.get("check") == "database":
        # For a load balancer in front of several app servers: a late task is the monitor's business.
        return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})
    from .tasks import health_report

    healthy, report = health_report()
    return JsonResponse({"status": "ok" if healthy else "error", "database": "ok", "vendor": connection.vendor,
                         **report}, status=200 if healthy else 503)


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
