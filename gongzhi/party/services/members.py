"""Party members (党员): entering a member, correcting their record, transferring their organisational
relation (组织关系转接), ending a membership, and the audited reveal of a full ID or phone number.

Nothing is deleted: a member who died, left the party or moved their relation out of the area keeps
their row with a state and a reason, and every transfer is a row of its own. Every id a request names
(the organisation, the community lived in, the registry resident) is checked here against the very
choices the pages offer (gongzhi.party.selectors.members). Audit rows keep ID and phone numbers masked.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.models import AuditEntry
from gongzhi.divisions.models import Division
from gongzhi.registry import crypto
from gongzhi.registry.names import initials
from gongzhi.registry.services.people import clean_person

from ..choices import MemberCategory, MemberState, MemberStatus
from ..models import Member, Transfer
from ..permissions import PartyAction
from ..selectors import members as selectors

A = PartyAction
AUDITED = ["name", "gender", "birth_date", "organisation", "status", "category", "joined_on", "confirmed_on",
           "workplace", "home_community", "resident", "user", "state", "state_reason"]
EDITABLE = {"name", "gender", "birth_date", "id_number", "phone", "status", "category", "joined_on",
            "confirmed_on", "workplace", "home_community", "resident", "account"}
ENDINGS = (MemberState.DECEASED, MemberState.LEFT, MemberState.TRANSFERRED_OUT)
REVEALABLE = ("id_number", "phone")
IDEMPOTENCY_WINDOW = dt.timedelta(days=1)


class TransferKind:
    WITHIN = "within"  # to another organisation in the platform
    OUT = "out"  # out to an organisation outside it
    IN = "in"  # back in from outside, for a member transferred out
    ALL = (WITHIN, OUT, IN)


def audit_view(member: Member) -> dict:
    """What the audit trail keeps of a member: the fields, with the personal numbers masked."""
    return {**audit.snapshot(member, AUDITED), "id_number": member.masked_id_number, "phone": member.masked_phone}


def _record(actor, action: str, member: Member, *, before=None, after=None, reason: str = "") -> None:
    audit.record(actor=actor, action=action, obj=member, division=Division(pk=member.division_id),
                 before=before, after=after, reason=reason, actor_label="" if actor else "system")


def _require(actor, action: str, member: Member) -> None:
    """Refuse unless `actor` may do `action` to this member. Commands and the demo act as None."""
    if actor is not None and not selectors.may_member(actor, action, member):
        raise PermissionDenied(_("You may not change this member's record."))


def _lock(member: Member, expected_version: int | None) -> Member:
    current = Member.objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else changed %(name)s meanwhile. Reload and try again.") % {"name": current})
    return current


def _save(member: Member, fields: list[str]) -> None:
    member.version += 1
    member.updated_at = timezone.now()
    member.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


@sensitive_variables("id_number")
def _id_taken(id_number: str, member: Member | None) -> bool:
    taken = Member.objects.filter(id_number_hash=crypto.blind_index(id_number, crypto.ID_NUMBER))
    return (taken.exclude(pk=member.pk) if member is not None else taken).exists()


def _duplicate_error() -> DomainError:
    return DomainError(_("A party member with this ID number is already recorded."), code="duplicate",
                       details={"id_number": _("already recorded")})


# --- checking what a request sends ------------------------------------------------------------------


def _choice(value, choices, field: str, label):
    try:
        return choices(value)
    except ValueError:
        raise DomainError(_("Please correct the marked fields."), details={field: _("Unknown %(what)s.") % {
            "what": label}}) from None


def _community(pk):
    """The community named (any active community: where the member lives), or None."""
    if pk in (None, ""):
        return None
    return scope.check_id(selectors.community_choices(), pk)


def _account(text: str, member: Member | None):
    """The platform account typed (a phone number or a username), free to link to this member."""
    text = (text or "").strip()
    if not text:
        return None
    field = "phone" if text.isdigit() and len(text) == 11 else "username"
    user = get_user_model().objects.filter(**{field: text}, is_active=True).first()
    if user is None:
        raise DomainError(_("Please correct the marked fields."), details={
            "account": _("No active account has this phone number or username.")})
    linked = Member.objects.filter(user=user)
    if member is not None:
        linked = linked.exclude(pk=member.pk)
    if linked.exists():
        raise DomainError(_("This account is already linked to another member's record."), code="duplicate",
                          details={"account": _("already linked to another member")})
    return user


def _dates(status: str, joined_on, confirmed_on, today: dt.date) -> dict:
    """Problems with the party dates: none in the future; a probationary member has no date of
    becoming a full member, and a full member became one after joining."""
    problems = {}
    for name, value in (("joined_on", joined_on), ("confirmed_on", confirmed_on)):
        if value is not None and value > today:
            problems[name] = _("The date is in the future.")
    if status == MemberStatus.PROBATIONARY and confirmed_on is not None:
        problems["confirmed_on"] = _("A probationary member has not become a full member yet.")
    if joined_on and confirmed_on and confirmed_on < joined_on:
        problems["confirmed_on"] = _("A member becomes a full member after joining.")
    return problems


@sensitive_variables("person", "id_number", "phone")
def _person_from(resident, person: dict) -> dict:
    """What the registry knows of the linked resident fills in what the form left empty."""
    if resident is None:
        return person
    return {
        "name": person["name"] or resident.name,
        "gender": person["gender"] or resident.gender,
        "birth_date": person["birth_date"] or resident.birth_date,
        "id_number": person["id_number"] or crypto.unseal(resident.id_number_sealed),
        "phone": person["phone"] or crypto.unseal(resident.phone_sealed),
    }


def _resident_community(resident):
    return Division.objects.filter(pk=resident.community_id).first() if resident is not None else None


def _repeat(actor, key: str) -> Member | None:
    """The member this actor already added with this idempotency key (a double tap, a retry)."""
    if not key or actor is None:
        return None
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one such add at a time
    entry = (AuditEntry.objects.filter(actor=actor, action="party.member.add",
                                       at__gte=timezone.now() - IDEMPOTENCY_WINDOW, after__idempotency_key=key)
             .only("object_id").first())
    return Member.objects.filter(pk=entry.object_id).first() if entry else None


# --- entering and correcting ------------------------------------------------------------------------


@sensitive_variables("id_number", "phone", "person")
@transaction.atomic
def add_member(
    *, actor, organisation, name: str = "", gender: str = "", birth_date: dt.date | None = None, id_number: str = "",
    phone: str = "", status: str = MemberStatus.FULL, category: str = MemberCategory.EMPLOYED,
    joined_on: dt.date | None = None, confirmed_on: dt.date | None = None, workplace: str = "",
    home_community=None, resident=None, account: str = "", arrived_from: str = "", letter_number: str = "",
    idempotency_key: str = "",
) -> Member:
    """Enter a member whose relation `organisation` holds (an id or the organisation, in the actor's
    EDIT_MEMBERS scope). `resident`: the registry resident they are (in the actor's registry scope),
    whose details fill in what is left empty; `account`: the phone number or username of their platform
    account; `arrived_from`: the organisation outside the platform their relation came from, with the
    introduction letter's number (a transfer in). The same `idempotency_key` again returns the first
    member (marked `repeated`) instead of a second one."""
    if actor is not None and not scope.may(actor, A.EDIT_MEMBERS):
        raise PermissionDenied(_("You may not add party members."))
    key = (idempotency_key or "").strip()[:64]
    repeated = _repeat(actor, key)
    if repeated is not None:
        repeated.repeated = True  # the caller answers "already done" rather than "created"
        return repeated
    org = scope.check_id(selectors.organisation_choices(actor), organisation)
    linked = scope.check_id(selectors.resident_choices(actor), resident) if resident not in (None, "") else None
    home = _community(home_community) or _resident_community(linked)
    status = _choice(status or MemberStatus.FULL, MemberStatus, "status", _("status"))
    category = _choice(category or MemberCategory.EMPLOYED, MemberCategory, "category", _("category"))
    problems = {}
    try:
        person = clean_person(**_person_from(linked, {"name": name, "gender": gender, "birth_date": birth_date,
                                                      "id_number": id_number, "phone": phone}))
    except DomainError as exc:
        problems.update(exc.details or {})
        person = None
    problems.update(_dates(status, joined_on, confirmed_on, timezone.localdate()))
    arrived_from, letter_number = (arrived_from or "").strip(), (letter_number or "").strip()
    if arrived_from and not letter_number:
        problems["letter_number"] = _("Give the introduction letter's number.")
    if problems:
        raise DomainError(_("Please correct the marked fields."), details=problems)
    user = _account(account, None)
    if person["id_number"] and _id_taken(person["id_number"], None):
        raise _duplicate_error()
    member = Member(status=status, category=category, joined_on=joined_on, workplace=(workplace or "").strip(),
                    confirmed_on=confirmed_on, resident=linked, user=user)
    _fill(member, person)
    member.hold_at(org)
    member.live_in(home)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise _duplicate_error() from None
    if arrived_from:
        Transfer.objects.create(member=member, to_organisation=org, outside=arrived_from[:200],
                                letter_number=letter_number[:40], actor=_user(actor))
    _record(actor, "party.member.add", member,
            after={**audit_view(member), **({"idempotency_key": key} if key else {})})
    return member


def _fill(member: Member, person: dict) -> None:
    member.name = person["name"]
    member.name_initials = initials(person["name"])
    member.gender = person["gender"]
    member.birth_date = person["birth_date"]
    member.set_id_number(person["id_number"])
    member.set_phone(person["phone"])


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@sensitive_variables("changes", "person", "current_id", "current_phone")
@transaction.atomic
def update_member(*, actor, member: Member, expected_version: int | None = None, **changes) -> Member:
    """Correct a member's record (EDITABLE fields). The organisation holding the relation changes by a
    transfer, and the state by ending the membership, so that each is history. A probationary member
    who becomes a full member gets the date they did (today unless given)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"update_member: {sorted(unknown)}")
    member = _lock(member, expected_version)
    _require(actor, A.EDIT_MEMBERS, member)
    before = audit_view(member)
    fields = []
    if "resident" in changes:
        resident = changes["resident"]
        linked = (scope.check_id(selectors.resident_choices(actor), resident)
                  if resident not in (None, "") else None)
        if (linked.pk if linked else None) != member.resident_id:
            member.resident = linked
            fields.append("resident")
    if "home_community" in changes:
        home = _community(changes["home_community"])
        if (home.pk if home else None) != member.home_community_id:
            member.live_in(home)
            fields += ["home_community", "home_street", "home_district"]
    status = _choice(changes.get("status") or member.status, MemberStatus, "status", _("status"))
    category = _choice(changes.get("category") or member.category, MemberCategory, "category", _("category"))
    joined_on = changes.get("joined_on", member.joined_on)
    confirmed_on = changes.get("confirmed_on", member.confirmed_on)
    if member.status == MemberStatus.PROBATIONARY and status == MemberStatus.FULL and confirmed_on is None:
        confirmed_on = timezone.localdate()  # became a full member today
    current_id = crypto.unseal(member.id_number_sealed)
    current_phone = crypto.unseal(member.phone_sealed)
    problems = {}
    try:
        person = clean_person(name=changes.get("name", member.name), gender=changes.get("gender", member.gender),
                              birth_date=changes.get("birth_date", member.birth_date),
                              id_number=changes.get("id_number", current_id), phone=changes.get("phone", current_phone))
    except DomainError as exc:
        problems.update(exc.details or {})
        person = None
    problems.update(_dates(status, joined_on, confirmed_on, timezone.localdate()))
    if problems:
        raise DomainError(_("Please correct the marked fields."), details=problems)
    if "account" in changes:
        user = _account(changes["account"], member)
        if (user.pk if user else None) != member.user_id:
            member.user = user
            fields.append("user")
    for name, value in (("name", person["name"]), ("gender", person["gender"]), ("birth_date", person["birth_date"]),
                        ("status", status), ("category", category), ("joined_on", joined_on),
                        ("confirmed_on", confirmed_on),
                        ("workplace", (changes.get("workplace", member.workplace) or "").strip())):
        if getattr(member, name) != value:
            setattr(member, name, value)
            fields.append(name)
    if "name" in fields:
        member.name_initials = initials(member.name)
        fields.append("name_initials")
    if person["id_number"] != current_id:
        if person["id_number"] and _id_taken(person["id_number"], member):
            raise _duplicate_error()
        member.set_id_number(person["id_number"])
        fields += ["id_number_sealed", "id_number_hash", "id_last4"]
    if person["phone"] != current_phone:
        member.set_phone(person["phone"])
        fields += ["phone_sealed", "phone_hash", "phone_last4"]
    if not fields:
        return member
    try:
        with transaction.atomic():
            _save(member, fields)
    except IntegrityError:
        raise _duplicate_error() from None
    _record(actor, "party.member.update", member, before=before, after=audit_view(member))
    return member


# --- transfers and endings --------------------------------------------------------------------------


def _on(on: dt.date | None) -> dt.date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise DomainError(_("The date is in the future."), details={"on": _("The date is in the future.")})
    return on


def _must_be_active(member: Member) -> None:
    if member.state != MemberState.ACTIVE:
        raise DomainError(_("%(name)s's relation is no longer held here (%(state)s).") % {
            "name": member.name, "state": member.get_state_display()}, code="conflict")


@transaction.atomic
def transfer_member(
    *, actor, member: Member, kind: str, to_organisation=None, outside: str = "", letter_number: str = "",
    on: dt.date | None = None, reason: str = "", expected_version: int | None = None,
) -> Transfer:
    """Transfer the member's relation (组织关系转接): `within` the platform to `to_organisation` (an id in
    the actor's EDIT_MEMBERS scope); `out` to an organisation outside it (named in `outside`, with the
    introduction letter's number), after which the relation is no longer held here; or back `in` from
    outside, for a member transferred out, to `to_organisation`. Each is a Transfer row, and the
    member's row moves to where the relation is held."""
    if kind not in TransferKind.ALL:
        raise DomainError(_("Unknown kind of transfer."), details={"kind": _("Unknown kind of transfer.")})
    member = _lock(member, expected_version)
    _require(actor, A.EDIT_MEMBERS, member)
    on = _on(on)
    outside, letter_number, reason = ((x or "").strip() for x in (outside, letter_number, reason))
    if kind == TransferKind.OUT:
        return _transfer_out(actor, member, outside=outside, letter_number=letter_number, on=on, reason=reason,
                             action="party.member.transfer")
    if kind == TransferKind.IN and member.state != MemberState.TRANSFERRED_OUT:
        raise DomainError(_("Only a member whose relation was transferred out can be transferred back in."),
                          code="conflict")
    if kind == TransferKind.WITHIN:
        _must_be_active(member)
    if to_organisation in (None, ""):
        raise DomainError(_("Please correct the marked fields."), details={
            "to_organisation": _("Choose the organisation the relation goes to.")})
    target = scope.check_id(selectors.organisation_choices(actor), to_organisation)
    if kind == TransferKind.WITHIN and target.pk == member.organisation_id:
        raise DomainError(_("The relation is already held there."), code="conflict",
                          details={"to_organisation": _("The relation is already held there.")})
    if kind == TransferKind.IN and not letter_number:
        raise DomainError(_("Please correct the marked fields."), details={
            "letter_number": _("Give the introduction letter's number.")})
    before = audit_view(member)
    transfer = Transfer.objects.create(
        member=member, from_organisation=member.organisation if kind == TransferKind.WITHIN else None,
        to_organisation=target, outside=outside[:200] if kind == TransferKind.IN else "",
        letter_number=letter_number[:40], transferred_on=on, reason=reason[:200], actor=_user(actor))
    member.hold_at(target)
    fields = ["organisation", "division", "grid", "community", "street", "district", "city"]
    if kind == TransferKind.IN:
        member.state, member.state_reason = MemberState.ACTIVE, ""
        fields += ["state", "state_reason"]
    _save(member, fields)
    _record(actor, "party.member.transfer", member, before=before,
            after={**audit_view(member), "kind": kind, "transfer": transfer.pk}, reason=reason)
    return transfer


def _transfer_out(actor, member: Member, *, outside: str, letter_number: str, on: dt.date, reason: str,
                  action: str) -> Transfer:
    _must_be_active(member)
    problems = {}
    if not outside:
        problems["outside"] = _("Name the organisation the relation goes to.")
    if not letter_number:
        problems["letter_number"] = _("Give the introduction letter's number.")
    if problems:
        raise DomainError(_("Please correct the marked fields."), details=problems)
    before = audit_view(member)
    transfer = Transfer.objects.create(member=member, from_organisation=member.organisation, outside=outside[:200],
                                       letter_number=letter_number[:40], transferred_on=on, reason=reason[:200],
                                       actor=_user(actor))
    member.state = MemberState.TRANSFERRED_OUT
    member.state_reason = (reason or outside)[:200]
    _save(member, ["state", "state_reason"])
    _record(actor, action, member, before=before,
            after={**audit_view(member), "kind": TransferKind.OUT, "transfer": transfer.pk}, reason=reason)
    return transfer


@transaction.atomic
def end_membership(
    *, actor, member: Member, state: str, reason: str, on: dt.date | None = None, outside: str = "",
    letter_number: str = "", expected_version: int | None = None,
) -> Member:
    """The member's relation is no longer held here: they died, left the party, or their relation was
    transferred out of the area (then `outside` and `letter_number` name where to, as a transfer out).
    The row stays, with the state and the reason."""
    if state not in ENDINGS:
        raise DomainError(_("Please correct the marked fields."),
                          details={"state": _("Choose how the membership ended.")})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please correct the marked fields."), details={"reason": _("Say why.")})
    member = _lock(member, expected_version)
    _require(actor, A.EDIT_MEMBERS, member)
    on = _on(on)
    if state == MemberState.TRANSFERRED_OUT:
        _transfer_out(actor, member, outside=(outside or "").strip(), letter_number=(letter_number or "").strip(),
                      on=on, reason=reason, action="party.member.end")
        return member
    _must_be_active(member)
    before = audit_view(member)
    member.state, member.state_reason = state, reason[:200]
    _save(member, ["state", "state_reason"])
    _record(actor, "party.member.end", member, before=before, after={**audit_view(member), "on": on.isoformat()},
            reason=reason)
    return member


# --- the reveal -------------------------------------------------------------------------------------


@sensitive_variables("sealed")
@transaction.atomic
def reveal_member(*, actor, member: Member, field: str) -> str:
    """The full value of `field` ("id_number" or "phone") for someone who holds REVEAL over the
    member; writes who saw whose number and when to the audit trail (never the number)."""
    if field not in REVEALABLE:
        raise DomainError(_("Unknown field."), details={"field": _("id_number or phone")})
    if actor is None or not selectors.may_member(actor, A.REVEAL, member):
        raise PermissionDenied(_("You may not see full personal numbers."))
    sealed = member.id_number_sealed if field == "id_number" else member.phone_sealed
    _record(actor, "party.member.reveal", member, after={"field": field})
    return crypto.unseal(sealed) if sealed else ""
