"""What the registry pages share: which part of the registry a user sees, the division a page
looks at, and where to go back to."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from .. import permissions, selectors
from ..forms import tag_label
from ..permissions import RegistryAction

A = RegistryAction
def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require_row(user, action: str, row):
    """`row` (already read in the user's scope), when the user may also do `action` on it: someone
    who may only look at it is refused (403)."""
    if not permissions.covers_row(user, action, row):
        raise PermissionDenied
    return row


def page_action(user) -> str:
    """The registry action a user's grid page is read with: people (and with them places) for the
    grid's staff, places alone for department staff; nobody else has a grid page (403)."""
    if permissions.may(user, A.VIEW_PEOPLE):
        return A.VIEW_PEOPLE
    if permissions.may(user, A.VIEW_PLACES):
        return A.VIEW_PLACES
    raise PermissionDenied


def area_from(request, user, action: str):
    """The division named by `?division=` (404 outside the user's scope), else their one division."""
    raw = request.GET.get("division") or request.POST.get("division") or ""
    if not raw:
        return selectors.default_area(user, action)
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    return permissions.division_for(user, pk, action)


def next_url(request, default: str) -> str:
    """A same-site address to go back to (`next`), or `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def tag_labels() -> dict[str, str]:
    """Each active tag's name in the page's language, by code, in the configured order."""
    return {tag.code: tag_label(tag) for tag in selectors.active_tags()}
