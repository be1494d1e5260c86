"""What the points pages share: numbers from forms and paths."""

from django.http import Http404


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
