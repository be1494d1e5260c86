"""Bank members: opened on a first deposit; staff add what the bank needs to know (birth date,
the registry resident it comes from, a hardship flag with its reason)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError

from .. import selectors as sel
from ..models import BankMember
from ..permissions import BankAction as A
from .common import check_version, text, today

FIELDS = ["resident", "birth_date", "hardship", "hardship_reason", "community"]


def open_member(*, actor, user, community, birth_date: dt.date | None = None) -> BankMember:
    """The user's member row, opened (in `community`) on first use, locked for the caller's
    transaction: deposits to one holder queue here, so caps are never raced past."""
    member = BankMember.objects.select_for_update().filter(user=user).first()
    if member is not None:
        return member
    member = BankMember(user=user, birth_date=birth_date)
    member.site_in(community)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # a racing first deposit opened it: wait for its lock
        return BankMember.objects.select_for_update().get(user=user)
    audit.record(actor=actor, action="lovebank.open", obj=member, division=community,
                 after=audit.snapshot(member, FIELDS))
    return BankMember.objects.select_for_update().get(pk=member.pk)


@transaction.atomic
def set_details(*, actor, member_id, birth_date: dt.date | None = None, resident_id=None,
                expected_version: int | None = None) -> BankMember:
    """Link the member to a registry resident (their birth date comes with it) or record a birth
    date read from an ID card."""
    member = scope.check_id(sel.members_for(actor, A.MANAGE), member_id)
    member = BankMember.objects.select_for_update().get(pk=member.pk)
    check_version(member, expected_version)
    before = audit.snapshot(member, FIELDS)
    if resident_id:
        from gongzhi.registry.models import Resident

        resident = scope.check_id(scope.restrict(Resident.objects.all(), actor, "registry.view_people"),
                                  resident_id)
        member.resident = resident
        if birth_date is None:
            birth_date = resident.birth_date
    if birth_date is not None:
        if birth_date > today() or birth_date.year < 1900:
            raise DomainError(_("The birth date is not valid."))
        member.birth_date = birth_date
    member.version += 1
    member.save(update_fields=["resident", "birth_date", "version"])
    audit.record(actor=actor, action="lovebank.member_details", obj=member, division=member.community,
                 before=before, after=audit.snapshot(member, FIELDS))
    return member


@transaction.atomic
def flag_hardship(*, actor, member_id, hardship: bool, reason: str,
                  expected_version: int | None = None) -> BankMember:
    """Staff flag (or unflag) a member in hardship — they may then draw help from the lower age."""
    member = scope.check_id(sel.members_for(actor, A.MANAGE), member_id)
    member = BankMember.objects.select_for_update().get(pk=member.pk)
    check_version(member, expected_version)
    reason = text(reason, _("Reason"))
    if member.hardship == bool(hardship):
        raise DomainError(_("Nothing to change."), code="conflict")
    before = audit.snapshot(member, FIELDS)
    member.hardship = bool(hardship)
    member.hardship_reason = reason if hardship else ""
    member.version += 1
    member.save(update_fields=["hardship", "hardship_reason", "version"])
    audit.record(actor=actor, action="lovebank.hardship", obj=member, division=member.community, before=before,
                 after=audit.snapshot(member, FIELDS), reason=reason)
    return member
