"""The user's in-app notifications: the list, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.pagination import paginate

from . import selectors, services

PER_PAGE = 30


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    items = selectors.notifications_for(request.user, unread=True if unread_only else None)
    page = paginate(request, items, per_page=PER_PAGE)
    page.object_list = selectors.with_subjects(request.user, page.object_list)
    return render(request, "notifications/list.html", {
        "page": page, "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
    })


@login_required
@require_POST
def mark_read(request):
    """Mark one notification read (`id`), or all of them; htmx swaps the row in place."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.mark_read(actor=request.user, ids=ids)
    if ids and request.headers.get("HX-Request") == "true":
        item = selectors.notifications_for(request.user).filter(pk=ids[0]).first()
        if item is not None:
            (item,) = selectors.with_subjects(request.user, [item])
            return render(request, "notifications/_item.html", {
                "n": item, "unread": selectors.unread_count(request.user), "oob_count": True})
    return redirect("notifications:list")
