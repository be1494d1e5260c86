"""What the service pages share: run a service for a POST and answer with the order's page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from gongzhi.core.errors import DomainError
from gongzhi.core.scope import NotInScope


def version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def act(request, pk, call, done_message, *, next_url=None):
    """Run `call()`; a refusal is shown on the order's page, an unknown order is a 404, a forbidden
    action a 403 (PermissionDenied passes through)."""
    try:
        call()
    except NotInScope:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done_message)
    return redirect(next_url or "service:order", pk)
