"""What the desk and phone pages of every app share around a service call: the action check, the
refusal shown as a message, a form's errors as messages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import scope
from .errors import DomainError


def require_may(user, action: str) -> None:
    if not scope.may(user, action):
        raise PermissionDenied


def attempt(request, fn, success: str = ""):
    """Run a service: its result (True when it returns nothing), or None when it refused, the
    refusal shown as a message. A missing or out-of-scope id is a 404, like a page that names it."""
    try:
        result = fn()
    except DomainError as exc:
        if exc.code == "not_found" and not exc.details:
            raise Http404 from None
        messages.error(request, str(exc.message))
        return None
    if success:
        messages.success(request, success)
    return True if result is None else result


def refuse_form(request, form) -> None:
    """A form's errors, as messages on the page it returns to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
