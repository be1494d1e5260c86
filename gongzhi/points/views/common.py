"""What the points pages share: a service call whose refusal becomes a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core import scope
from gongzhi.core.errors import DomainError


def require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied


def attempt(request, fn, success: str = ""):
    """Run a service; a refusal is shown as a message (a missing or out-of-scope id is a 404)."""
    try:
        result = fn()
    except DomainError as exc:
        if exc.code == "not_found" and not exc.details:
            raise Http404 from None
        messages.error(request, str(exc.message))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def int_or_404(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def number(value):
    """A number from a form, or None (the service then refuses it in words, not with a 404)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
