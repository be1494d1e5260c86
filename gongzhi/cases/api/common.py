"""Helpers the cases API modules share."""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from ninja.throttling import AnonRateThrottle

from gongzhi.accounts.auth import api_auth

from .. import schemas, selectors
from ..models import Category
from ..permissions import sees_as_staff


def anonymous(request):
    """The last resort of `optional_auth`: the caller reports (or follows) without an account."""
    return AnonymousUser()


# For the operations residents use without signing in; a bad token answers 401 (accounts.auth).
optional_auth = [*api_auth, anonymous]
# How their document says so: ninja lists the token and the staff session; this adds the empty
# requirement (nothing at all), so a client — and the fuzz test's auth check — knows an answer
# without credentials is intended.
OPTIONAL_AUTH_DOC = {"security": [{}]}


class AnonymousThrottle(AnonRateThrottle):
    """Limits callers without an account, per client address. (Ninja's own AnonRateThrottle
    exempts any request with an `auth` value — which `optional_auth` always sets.)"""

    def get_cache_key(self, request):
        if getattr(getattr(request, "auth", None), "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def category_by_code(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Http404
    return category


def case_out(user, case) -> dict:
    """The detail answer: the staff view for staff, the follower view otherwise."""
    staff = sees_as_staff(user, case)
    events = selectors.timeline(case, public=not staff)
    files = selectors.attachments(case)
    if staff:
        sidesteps = selectors.sidesteps_of(case)
        selectors.as_read_by(user, case, *events, *sidesteps)
        return schemas.detail(case, staff=True, events=events, files=files, sidesteps=sidesteps,
                              whistles=whistles_out(user, case))
    return schemas.detail(case, staff=False, events=events, files=files)


def whistles_out(user, case) -> list[dict]:
    whistles = [(whistle, selectors.roll_call(whistle)) for whistle in selectors.whistles_of(case)]
    selectors.as_read_by(user, case, *(w for w, _ in whistles),
                         *(line.summons for _, lines in whistles for line in lines))
    out = []
    for whistle, lines in whistles:
        for line in lines:
            line.summons.current_attendance = line.attendance
            line.summons.whistle = whistle
        out.append({"id": whistle.pk, "case_id": case.pk, "division": whistle.division,
                    "blown_by": str(whistle.blown_by), "reason": whistle.reason, "check_in_due": whistle.check_in_due,
                    "created_at": whistle.created_at, "roll_call": [line.summons for line in lines]})
    return out
