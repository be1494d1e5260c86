"""What the points pages share: numbers from forms and paths."""

from django.http import Http404

from gongzhi.core import scope


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


def picked_or_404(choices, raw):
    """The row of `choices` a query parameter names (None when it names none); a missing or
    out-of-scope id is a 404 alike."""
    if not raw:
        return None
    try:
        return scope.check_id(choices, int_or_404(raw))
    except scope.NotInScope:
        raise Http404 from None
