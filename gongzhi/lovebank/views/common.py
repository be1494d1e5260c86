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
        if exc.code == "not_found":
            raise Http404 from None
        if exc.code == "forbidden":
            raise PermissionDenied(str(exc.message)) from None
        messages.error(request, str(exc.message))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True
