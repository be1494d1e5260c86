"""Merging duplicates: several reports of one problem become one case. The duplicates end as
merged; their reporters follow the surviving case and rate it."""

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from ..choices import FINAL_STATES, CaseState, EventKind
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
    phones = set(CaseFollower.objects.filter(case=survivor, user__isnull=True).values_list("phone", flat=True))
    for pk in sorted(ids):
        duplicate = locked[pk]
        before = snapshot(duplicate)
        from_state = duplicate.state
        duplicate.state, duplicate.merged_into = CaseState.MERGED, survivor
        save_case(duplicate, ["state", "merged_into"])
        for follower in CaseFollower.objects.filter(case=duplicate):
            if follower.user_id and follower.user_id not in following:
                CaseFollower.objects.create(case=survivor, user_id=follower.user_id, via=duplicate)
                following.add(follower.user_id)
            elif not follower.user_id and follower.phone and follower.phone not in phones:
                CaseFollower.objects.create(case=survivor, phone=follower.phone, via=duplicate)
                phones.add(follower.phone)
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
