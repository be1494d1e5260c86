"""Merging duplicates: several reports of one problem become one case. The duplicates end as
merged; their reporters follow the surviving case, verify and rate it (by the one rule every
follower rates by: see workflow.rate_case), and those who chose to follow a duplicate follow the
survivor."""

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from ..choices import FINAL_STATES, CaseState, EventKind, FollowKind
from ..models import Case, CaseFollower
from ..permissions import CaseAction, require
from . import notices
from .base import audit_case, log, required_text, save_case, snapshot

MAX_DUPLICATES = 50


@transaction.atomic
def merge_cases(*, actor, survivor: Case, duplicates: list[Case], reason: str) -> Case:
    reason = required_text(reason, _("the reason"))
    ids = {c.pk for c in duplicates} - {survivor.pk}
    if not ids:
        raise DomainError(_("Name at least one other case to merge."), code="invalid")
    if len(ids) > MAX_DUPLICATES:
        raise DomainError(_("Merge at most %(n)d cases at once.") % {"n": MAX_DUPLICATES}, code="invalid")
    # Lock every case in primary-key order, so two merges over the same cases cannot deadlock.
    locked = {c.pk: c for c in Case.objects.select_for_update(of=("self",)).select_related("grid").filter(
        pk__in=[survivor.pk, *ids]).order_by("pk")}
    survivor = locked[survivor.pk]
    for case in locked.values():
        require(actor, case, CaseAction.MERGE)
        if case.state in FINAL_STATES:
            raise DomainError(_("Case %(number)s is %(state)s and cannot be merged.")
                              % {"number": case.tracking_number, "state": CaseState(case.state).label.lower()},
                              code="illegal_transition")
    following = set(CaseFollower.objects.filter(case=survivor, user__isnull=False).values_list("user_id", flat=True))
    phones = set(CaseFollower.objects.filter(case=survivor, user__isnull=True).exclude(phone="")
                 .values_list("phone", flat=True))
    tokens = set(CaseFollower.objects.filter(case=survivor).exclude(token_hash="").values_list("token_hash", flat=True))
    tokens.add(survivor.follow_token_hash)
    for pk in sorted(ids):
        duplicate = locked[pk]
        before = snapshot(duplicate)
        from_state = duplicate.state
        duplicate.state, duplicate.merged_into = CaseState.MERGED, survivor
        save_case(duplicate, ["state", "merged_into"])
        _move_followers(duplicate, survivor, following, phones, tokens)
        log(duplicate, EventKind.MERGED, actor=actor, from_state=from_state, note=reason,
            public_note=_("Same problem as case %(number)s, which is followed instead.")
            % {"number": survivor.tracking_number}, data={"survivor": survivor.pk})
        audit_case(duplicate, "merge", actor=actor, before=before, reason=reason, extra={"survivor": survivor.pk})
        notices.tell_followers(duplicate, "case.merged", survivor=survivor)
    numbers = [locked[pk].tracking_number for pk in sorted(ids)]
    before = snapshot(survivor)
    save_case(survivor, [])
    log(survivor, EventKind.ABSORBED, actor=actor, from_state=survivor.state, note=reason,
        public_note=_("Reports %(numbers)s of the same problem were joined to this case.")
        % {"numbers": "、".join(numbers)}, data={"duplicates": sorted(ids)})
    audit_case(survivor, "absorb", actor=actor, before=before, reason=reason, extra={"duplicates": sorted(ids)})
    return survivor


def _move_followers(duplicate: Case, survivor: Case, following: set, phones: set, tokens: set) -> None:
    """The duplicate's followers follow the survivor, each once: its reporters as reporters of a
    merged duplicate (they verify and rate it), residents who chose to follow it as followers. A
    duplicate reported without an account brings its follow secret, so its reporter's link works
    on the survivor too."""
    rows = []
    for follower in CaseFollower.objects.filter(case=duplicate).order_by("id"):
        kind = FollowKind.FOLLOWER if follower.kind == FollowKind.FOLLOWER else FollowKind.MERGED
        via = follower.via or duplicate
        if follower.user_id:
            if follower.user_id not in following:
                rows.append(CaseFollower(case=survivor, user_id=follower.user_id, kind=kind, via=via))
                following.add(follower.user_id)
            continue
        phone = follower.phone if follower.phone and follower.phone not in phones else ""
        token = follower.token_hash if follower.token_hash and follower.token_hash not in tokens else ""
        if phone or token:
            rows.append(CaseFollower(case=survivor, phone=phone, token_hash=token, kind=kind, via=via))
            phones.add(phone)
            tokens.add(token)
    if duplicate.follow_token_hash and duplicate.follow_token_hash not in tokens:
        rows.append(CaseFollower(case=survivor, token_hash=duplicate.follow_token_hash, kind=FollowKind.MERGED,
                                 via=duplicate))
        tokens.add(duplicate.follow_token_hash)
    CaseFollower.objects.bulk_create(rows)
