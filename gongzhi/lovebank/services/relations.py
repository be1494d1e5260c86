"""Relatives and transfers: a holder names a spouse or close relative, the community's staff
verify the relation (with a reason), and then the holder may give credits to that relative once
the relative has reached the district's transfer age."""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import audit, ledger, scope
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_phone

from .. import books
from .. import selectors as sel
from ..choices import Kinship, RelationStatus
from ..models import BankMember, Relation, Transfer
from ..permissions import BankAction as A
from .common import amount, check_version, text, today
from .members import open_member

FIELDS = ["kinship", "relative_name", "status", "relative", "reason"]
PHONE = re.compile(r"^1\d{10}$")


def _holder(actor) -> BankMember:
    member = sel.my_member(actor)
    if member is None:
        raise DomainError(_("You have no love-bank account yet: it opens with your first certified service hours."),
                          code="forbidden")
    return member


@transaction.atomic
def request_relation(*, actor, kinship: str, relative_name: str, relative_phone: str) -> Relation:
    holder = _holder(actor)
    if kinship not in Kinship.values:
        raise DomainError(_("Unknown relation: %(value)s") % {"value": kinship})
    name = text(relative_name, _("Relative's name"), limit=64)
    phone = (relative_phone or "").strip()
    if not PHONE.match(phone):
        raise DomainError(_("Give the relative's 11-digit mobile number."))
    if phone == (actor.phone or ""):
        raise DomainError(_("You cannot name yourself as a relative."))
    if Relation.objects.filter(holder=holder, relative_phone=phone,
                               status__in=(RelationStatus.REQUESTED, RelationStatus.CONFIRMED)).exists():
        raise DomainError(_("This relative is already named."), code="duplicate")
    rel = Relation.objects.create(holder=holder, kinship=kinship, relative_name=name, relative_phone=phone)
    audit.record(actor=actor, action="lovebank.relation_request", obj=rel, division=holder.community,
                 after={**audit.snapshot(rel, FIELDS), "relative_phone": mask_phone(phone)})
    return rel


def _desk_relation(actor, relation_id, expected_version) -> Relation:
    rel = scope.check_id(sel.relations_for(actor, A.MANAGE), relation_id)
    rel = Relation.objects.select_for_update().select_related("holder__community").get(pk=rel.pk)
    check_version(rel, expected_version)
    if rel.status != RelationStatus.REQUESTED:
        raise DomainError(_("This relation has already been decided."), code="conflict")
    return rel


@transaction.atomic
def confirm_relation(*, actor, relation_id, reason: str, birth_date: dt.date | None = None,
                     expected_version: int | None = None) -> Relation:
    """Staff saw the household register or marriage certificate. The relative's account opens in
    the holder's community if they have none; a birth date read from their ID card may be given."""
    rel = _desk_relation(actor, relation_id, expected_version)
    reason = text(reason, _("Reason"))
    users = list(User.objects.filter(phone=rel.relative_phone, is_active=True)[:2])
    if len(users) != 1:
        raise DomainError(_("No single account has this phone number: the relative must sign up first."))
    if users[0].pk == rel.holder.user_id:
        raise DomainError(_("You cannot name yourself as a relative."))
    before = audit.snapshot(rel, FIELDS)
    relative = open_member(actor=actor, user=users[0], community=rel.holder.community)
    if birth_date is not None and relative.birth_date is None:
        if birth_date > today():
            raise DomainError(_("The birth date is not valid."))
        relative.birth_date = birth_date
        relative.version += 1
        relative.save(update_fields=["birth_date", "version"])
    rel.relative, rel.status, rel.reason = relative, RelationStatus.CONFIRMED, reason
    rel.decided_by, rel.decided_at, rel.version = actor, timezone.now(), rel.version + 1
    rel.save(update_fields=["relative", "status", "reason", "decided_by", "decided_at", "version"])
    audit.record(actor=actor, action="lovebank.relation_confirm", obj=rel, division=rel.holder.community,
                 before=before, after=audit.snapshot(rel, FIELDS), reason=reason)
    return rel


@transaction.atomic
def decline_relation(*, actor, relation_id, reason: str, expected_version: int | None = None) -> Relation:
    rel = _desk_relation(actor, relation_id, expected_version)
    reason = text(reason, _("Reason"))
    before = audit.snapshot(rel, FIELDS)
    rel.status, rel.reason = RelationStatus.DECLINED, reason
    rel.decided_by, rel.decided_at, rel.version = actor, timezone.now(), rel.version + 1
    rel.save(update_fields=["status", "reason", "decided_by", "decided_at", "version"])
    audit.record(actor=actor, action="lovebank.relation_decline", obj=rel, division=rel.holder.community,
                 before=before, after=audit.snapshot(rel, FIELDS), reason=reason)
    return rel


@transaction.atomic
def transfer(*, actor, relation_id, credits, key: str) -> tuple[Transfer, bool]:
    """Give credits to a verified relative: (the transfer, whether it is new). The same key from
    the same holder answers with the first transfer and moves nothing again."""
    holder = _holder(actor)
    key = text(key, _("Idempotency key"), limit=64)
    full_key = f"lovebank.transfer.{actor.pk}.{key}"
    existing = Transfer.objects.filter(key=full_key).first()
    if existing is not None:
        return existing, False
    rel = scope.check_id(sel.my_relations(actor), relation_id)
    if rel.status != RelationStatus.CONFIRMED:
        raise DomainError(_("The community has not verified this relation yet."), code="conflict")
    credits = amount(credits, _("Credits"))
    recipient = rel.relative
    rules = sel.rules_for(holder.community)
    age = recipient.age_on(today())
    if age is None:
        raise DomainError(_("The relative's birth date is not known: the community records it first."))
    if age < rules.transfer_age:
        raise DomainError(_("Credits go only to relatives aged %(age)d or over.") % {"age": rules.transfer_age})
    txn = ledger.post(actor=actor, key=full_key, memo_code="lovebank.transfer",
                      lines=[(books.personal(holder.user_id), -credits), (books.personal(recipient.user_id), credits)],
                      memo_params={"sender": str(holder), "recipient": str(recipient), "credits": str(credits)},
                      division=holder.community)
    try:
        with transaction.atomic():
            row = Transfer.objects.create(sender=holder, recipient=recipient, relation=rel, credits=credits,
                                          key=full_key, transaction=txn)
    except IntegrityError:
        return Transfer.objects.get(key=full_key), False
    audit.record(actor=actor, action="lovebank.transfer", obj=row, division=holder.community,
                 after={"recipient": recipient.pk, "credits": credits, "relation": rel.pk})
    return row, True
