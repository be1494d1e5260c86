"""Following a case someone else reported ("someone already reported this — follow it instead?").

A signed-in resident who would have reported the same problem follows the existing case instead:
it appears among their cases, they are told what its reporter is told, and they rate it when it
closes — by the one rule every follower rates by (see workflow.rate_case): each follower rates
once per closing, and the first rating after a closing is the case's. Checking the result on the
spot stays with the people who reported the problem (its reporter and the reporters of merged
duplicates) and the grid worker. A follower sees the public view of the case, never the
reporter's own words, place or recording.

Following is for live cases only (nobody joins a closed case just to rate it) and not for staff
who work on the case (the unit does not rate itself). Both steps are idempotent and audited.
"""

import hmac

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.digests import secret_digest
from gongzhi.core.errors import DomainError

from ..choices import CaseState, FollowKind
from ..models import Case, CaseFollower
from ..permissions import sees_as_staff
from .base import lock_case

S = CaseState
# A problem still open: the states a new report of the same problem would be merged into.
FOLLOWABLE_STATES = frozenset({S.SUBMITTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED,
                               S.RESOLVED})


def _signed_in(actor):
    if not getattr(actor, "is_authenticated", False):
        raise DomainError(_("Sign in to follow a case."), code="forbidden")
    return actor


@transaction.atomic
def follow_case(*, actor, case: Case) -> CaseFollower:
    """Follow `case`; following it already (as its reporter or otherwise) changes nothing."""
    user = _signed_in(actor)
    case = lock_case(case)  # a merge moving the followers waits, and so does a second tap
    existing = CaseFollower.objects.filter(case=case, user=user).first()
    if existing is not None:
        return existing
    if case.state == S.MERGED and case.merged_into_id:
        raise DomainError(_("Case %(number)s joined case %(survivor)s: follow that one instead.")
                          % {"number": case.tracking_number, "survivor": case.merged_into.tracking_number},
                          code="illegal_transition")
    if case.state not in FOLLOWABLE_STATES:
        raise DomainError(_("Case %(number)s is %(state)s: it can no longer be followed.")
                          % {"number": case.tracking_number, "state": CaseState(case.state).label.lower()},
                          code="illegal_transition")
    if sees_as_staff(user, case):
        raise DomainError(_("You work on case %(number)s: follow it on the workbench. Staff do not rate the "
                            "cases they handle.") % {"number": case.tracking_number}, code="forbidden")
    follower = CaseFollower.objects.create(case=case, user=user, kind=FollowKind.FOLLOWER)
    audit.record(actor=user, action="case.follow", obj=case, division=case.grid,
                 after={"follower": follower.pk, "user": user.pk})
    return follower


@transaction.atomic
def unfollow_case(*, actor, case: Case) -> bool:
    """Stop following; whether there was anything to stop. Reporters follow their case to its end."""
    user = _signed_in(actor)
    row = CaseFollower.objects.select_for_update().filter(case=case, user=user).first()
    if row is None:
        return False
    if row.kind != FollowKind.FOLLOWER:
        raise DomainError(_("You reported this problem, so you follow case %(number)s until it is rated.")
                          % {"number": case.tracking_number}, code="forbidden")
    audit.record(actor=user, action="case.unfollow", obj=case, division=case.grid,
                 before={"follower": row.pk, "user": user.pk})
    row.delete()
    return True


def follow_kind(user, case: Case) -> str:
    """How the user follows the case ("" when not at all)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return CaseFollower.objects.filter(case=case, user=user).values_list("kind", flat=True).first() or ""


# --- the follow secret of a report made without an account -----------------------------------------


def follows_by_token(case: Case, raw: str) -> bool:
    """Whether `raw` is the follow secret of this case's reporter, or of the reporter of a
    duplicate merged into it (whose secret follows it here)."""
    if not raw or len(raw) > 128:
        return False
    digest = secret_digest(raw)
    if case.follow_token_hash and hmac.compare_digest(digest, case.follow_token_hash):
        return True
    return CaseFollower.objects.filter(case=case, token_hash=digest).exists()


def token_codes(case: Case) -> list[str]:
    """The tracking codes whose follow secret counts on this case: its own and those of the
    duplicates merged into it (their reporters' browsers keep the secret under that code)."""
    merged = (CaseFollower.objects.filter(case=case, via__isnull=False).exclude(token_hash="")
              .values_list("via__tracking_code", flat=True))
    return [case.tracking_code, *dict.fromkeys(merged)]
