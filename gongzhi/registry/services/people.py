"""Residents: registration, corrections, the residency history (moves, deaths, household changes) and
tags. Nothing here deletes a row: leaving is a status and an event.

Audit rows keep ID and phone numbers masked (420902********1234), never in clear.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gongzhi.core import crypto
from gongzhi.core.errors import DomainError

from .. import validation
from ..choices import EventKind, Gender, Relation, Residence, ResidentStatus
from ..models import PLACE_COLUMNS, Household, Resident, ResidentEvent, ResidentTag, Tag
from ..names import initials
from ..permissions import RegistryAction
from .common import changed_fields, lock, record, require, save_changes, snapshot

AUDITED = ["name", "gender", "birth_date", "household", "relation", "residence", "registered_address", "status",
           "grid"]
EDITABLE = {"name", "gender", "birth_date", "id_number", "phone", "relation", "residence", "registered_address",
            "notes"}


def audit_view(resident: Resident) -> dict:
    """What the audit trail keeps of a resident: the fields, with the personal numbers masked."""
    return {**snapshot(resident, AUDITED), "id_number": resident.masked_id_number,
            "phone": resident.masked_phone}


@sensitive_variables("id_number", "phone", "out")
def clean_person(*, name: str, gender: str = "", birth_date: dt.date | None = None, id_number: str = "",
                 phone: str = "") -> dict:
    """The checked personal fields (gender and birth date filled in from the ID number), or a
    DomainError naming each problem by field."""
    problems = {}
    out = {"name": (name or "").strip(), "gender": gender or "", "birth_date": birth_date,
           "id_number": "", "phone": ""}
    if not out["name"]:
        problems["name"] = _("A name is required.")
    if out["gender"] and out["gender"] not in Gender.values:
        problems["gender"] = _("Unknown gender.")
    if birth_date is not None and birth_date > timezone.localdate():
        problems["birth_date"] = _("The date is in the future.")
    if id_number:
        try:
            out["id_number"] = validation.clean_id_number(id_number)
        except validation.Invalid as exc:
            problems["id_number"] = exc.message
        else:
            problems.update(validation.id_agreement_problems(out["id_number"], birth_date=birth_date,
                                                             gender=out["gender"]))
            out["birth_date"] = out["birth_date"] or validation.id_birth_date(out["id_number"])
            out["gender"] = out["gender"] or validation.id_gender(out["id_number"])
    if phone:
        try:
            out["phone"] = validation.clean_phone(phone)
        except validation.Invalid as exc:
            problems["phone"] = exc.message
    if problems:
        raise DomainError(_("Please correct the marked fields."), code="invalid", details=problems)
    return out


@sensitive_variables("id_number", "phone", "person")
@transaction.atomic
def create_resident(
    *, actor, household: Household, name: str, gender: str = "", birth_date: dt.date | None = None,
    id_number: str = "", phone: str = "", relation: str = Relation.OTHER, residence: str = Residence.BOTH,
    registered_address: str = "", notes: str = "", tags: list[Tag] = (), arrived: bool = False,
    on: dt.date | None = None,
) -> Resident:
    """Enter a person living in `household`. `arrived` records a move in (else an entry in the registry).

    A person is in the registry once, known by the ID number: if someone with this number moved out
    (from anywhere), the same row moves back in here, keeping their history; if they still live
    somewhere, or died, the entry is refused as a duplicate."""
    require(actor, RegistryAction.EDIT, household)
    _live_household(household)
    person = clean_person(name=name, gender=gender, birth_date=birth_date, id_number=id_number, phone=phone)
    on = on or timezone.localdate()
    existing = None
    if person["id_number"]:
        existing = (Resident.objects.select_for_update()
                    .filter(id_number_hash=crypto.blind_index(person["id_number"], crypto.ID_NUMBER)).first())
    if existing is not None and existing.status != ResidentStatus.MOVED_OUT:
        raise DomainError(_("A person with this ID number is already in the registry."), code="duplicate",
                          details={"id_number": _("already registered")})
    resident = existing or Resident()
    before = audit_view(existing) if existing else None
    _fill(resident, person, relation=relation, residence=residence, registered_address=registered_address,
          notes=notes)
    resident.household = household
    resident.status = ResidentStatus.ACTIVE
    resident.place_like(household)
    if existing:
        save_changes(resident, [f.name for f in Resident._meta.concrete_fields
                                if f.name not in ("id", "created_at", "version", "updated_at")])
    else:
        try:
            with transaction.atomic():
                resident.save()
        except IntegrityError:
            raise DomainError(_("A person with this ID number is already in the registry."),
                              code="duplicate") from None
    kind = EventKind.MOVED_IN if arrived or existing else EventKind.REGISTERED
    _event(actor, resident, kind, on, to_household=household)
    for tag in tags:
        ResidentTag.objects.create(resident=resident, tag=tag, started_on=on)
    record(actor, "resident.move_in" if kind == EventKind.MOVED_IN else "resident.create", resident,
           before=before, after=audit_view(resident))
    return resident


def _fill(resident: Resident, person: dict, **fields) -> None:
    resident.name = person["name"]
    resident.name_initials = initials(person["name"])
    resident.gender = person["gender"]
    resident.birth_date = person["birth_date"]
    resident.set_id_number(person["id_number"])
    resident.set_phone(person["phone"])
    resident.relation = Relation(fields["relation"])
    resident.residence = Residence(fields["residence"])
    resident.registered_address = (fields["registered_address"] or "").strip()
    resident.notes = fields["notes"] or ""


@sensitive_variables("changes", "person", "current_id", "current_phone")
@transaction.atomic
def update_resident(*, actor, resident: Resident, expected_version: int | None = None, **changes) -> Resident:
    """Correct a resident's details (EDITABLE fields). Moves, deaths and household changes have their
    own services, so that each is a history event."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"update_resident: {sorted(unknown)}")
    resident = lock(resident, expected_version)
    require(actor, RegistryAction.EDIT, resident)
    before = audit_view(resident)
    current_id = crypto.unseal(resident.id_number_sealed)
    current_phone = crypto.unseal(resident.phone_sealed)
    person = clean_person(
        name=changes.get("name", resident.name), gender=changes.get("gender", resident.gender),
        birth_date=changes.get("birth_date", resident.birth_date),
        id_number=changes.get("id_number", current_id), phone=changes.get("phone", current_phone))
    fields = changed_fields(resident, {
        "name": person["name"], "gender": person["gender"], "birth_date": person["birth_date"],
        **{k: Relation(v) if k == "relation" else Residence(v) if k == "residence" else (v or "").strip()
           for k, v in changes.items() if k in ("relation", "residence", "registered_address", "notes")},
    })
    if "name" in fields:
        resident.name_initials = initials(resident.name)
        fields.append("name_initials")
    if person["id_number"] != current_id:
        resident.set_id_number(person["id_number"])
        fields += ["id_number_sealed", "id_number_hash", "id_last4"]
    if person["phone"] != current_phone:
        resident.set_phone(person["phone"])
        fields += ["phone_sealed", "phone_hash"]
    if not fields:
        return resident
    try:
        with transaction.atomic():
            save_changes(resident, fields)
    except IntegrityError:
        raise DomainError(_("A person with this ID number is already in the registry."), code="duplicate",
                          details={"id_number": _("already registered")}) from None
    record(actor, "resident.update", resident, before=before, after=audit_view(resident))
    return resident


@transaction.atomic
def move_out(*, actor, resident: Resident, on: dt.date | None = None, note: str = "") -> Resident:
    """The resident left the grid (to anywhere). Their row stays, with status "moved out"."""
    return _leave(actor, resident, ResidentStatus.MOVED_OUT, EventKind.MOVED_OUT, on, note, "resident.move_out")


@transaction.atomic
def record_death(*, actor, resident: Resident, on: dt.date | None = None, note: str = "") -> Resident:
    return _leave(actor, resident, ResidentStatus.DECEASED, EventKind.DIED, on, note, "resident.death")


def _leave(actor, resident, status, kind, on, note, action) -> Resident:
    resident = lock(resident)
    require(actor, RegistryAction.EDIT, resident)
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("%(name)s no longer lives here.") % {"name": resident.name}, code="conflict")
    on = on or timezone.localdate()
    _not_future(on)
    before = audit_view(resident)
    resident.status = status
    save_changes(resident, ["status"])
    ResidentTag.objects.filter(resident=resident, ended_on__isnull=True).update(ended_on=on)
    _event(actor, resident, kind, on, from_household=resident.household, note=note)
    record(actor, action, resident, before=before, after=audit_view(resident), reason=note)
    return resident


@transaction.atomic
def move_back_in(*, actor, resident: Resident, household: Household, on: dt.date | None = None,
                 relation: str | None = None, note: str = "") -> Resident:
    """A moved-out resident returns (to `household`, which may be elsewhere than before)."""
    resident = lock(resident)
    require(actor, RegistryAction.EDIT, household)
    _live_household(household)
    if resident.status != ResidentStatus.MOVED_OUT:
        raise DomainError(_("Only someone who moved out can move back in."), code="conflict")
    on = on or timezone.localdate()
    _not_future(on)
    before = audit_view(resident)
    resident.status = ResidentStatus.ACTIVE
    resident.household = household
    if relation:
        resident.relation = Relation(relation)
    resident.place_like(household)
    save_changes(resident, ["status", "household", "relation", *(c.removesuffix("_id") for c in PLACE_COLUMNS)])
    _event(actor, resident, EventKind.MOVED_IN, on, to_household=household, note=note)
    record(actor, "resident.move_in", resident, before=before, after=audit_view(resident), reason=note)
    return resident


@transaction.atomic
def change_household(*, actor, resident: Resident, household: Household, relation: str = Relation.OTHER,
                     on: dt.date | None = None, note: str = "") -> Resident:
    """The resident joins another household (marriage, a flat of their own, a tenancy …), possibly in
    another grid; the event keeps both households."""
    resident = lock(resident)
    require(actor, RegistryAction.EDIT, resident)
    require(actor, RegistryAction.EDIT, household)
    _live_household(household)
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("%(name)s no longer lives here.") % {"name": resident.name}, code="conflict")
    if household.pk == resident.household_id:
        raise DomainError(_("This is already the resident's household."), code="conflict")
    on = on or timezone.localdate()
    _not_future(on)
    before = audit_view(resident)
    previous = resident.household
    resident.household = household
    resident.relation = Relation(relation)
    resident.place_like(household)
    save_changes(resident, ["household", "relation", *(c.removesuffix("_id") for c in PLACE_COLUMNS)])
    _event(actor, resident, EventKind.HOUSEHOLD_CHANGED, on, from_household=previous, to_household=household,
           note=note)
    record(actor, "resident.household_change", resident, before=before, after=audit_view(resident), reason=note)
    return resident


@transaction.atomic
def archive_resident(*, actor, resident: Resident, reason: str) -> Resident:
    """Take out an entry made by mistake (a duplicate, a person who never lived here). People who
    leave are moved out or recorded as deceased instead: that is history, this is a correction."""
    resident = lock(resident)
    require(actor, RegistryAction.EDIT, resident)
    if not reason.strip():
        raise DomainError(_("Say why the entry is archived."))
    before = audit_view(resident)
    resident.archived_at = timezone.now()
    save_changes(resident, ["archived_at"])
    ResidentTag.objects.filter(resident=resident, ended_on__isnull=True).update(ended_on=timezone.localdate())
    record(actor, "resident.archive", resident, before=before, reason=reason)
    return resident


# --- tags --------------------------------------------------------------------------------------------


@transaction.atomic
def assign_tag(*, actor, resident: Resident, tag: Tag, started_on: dt.date | None = None,
               permit_valid_from: dt.date | None = None, permit_valid_until: dt.date | None = None) -> ResidentTag:
    """Tag a resident. Tagging again with new residence-permit dates renews the permit."""
    require(actor, RegistryAction.EDIT, resident)
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("%(name)s no longer lives here.") % {"name": resident.name}, code="conflict")
    if (permit_valid_from or permit_valid_until) and not tag.needs_permit:
        raise DomainError(_("The tag %(tag)s has no residence-permit dates.") % {"tag": tag.name})
    if permit_valid_from and permit_valid_until and permit_valid_until < permit_valid_from:
        raise DomainError(_("The permit ends before it starts."))
    link = ResidentTag.objects.select_for_update().filter(resident=resident, tag=tag, ended_on__isnull=True).first()
    before = None
    if link is None:
        link = ResidentTag.objects.create(resident=resident, tag=tag, started_on=started_on or timezone.localdate(),
                                          permit_valid_from=permit_valid_from, permit_valid_until=permit_valid_until)
    elif permit_valid_from or permit_valid_until:
        before = {"permit_valid_from": link.permit_valid_from, "permit_valid_until": link.permit_valid_until}
        link.permit_valid_from = permit_valid_from or link.permit_valid_from
        link.permit_valid_until = permit_valid_until or link.permit_valid_until
        link.save(update_fields=["permit_valid_from", "permit_valid_until"])
    else:
        return link
    record(actor, "resident.tag", resident, before=before,
           after={"tag": tag.code, "permit_valid_from": link.permit_valid_from,
                  "permit_valid_until": link.permit_valid_until})
    return link


@transaction.atomic
def remove_tag(*, actor, resident: Resident, tag: Tag, ended_on: dt.date | None = None) -> ResidentTag | None:
    require(actor, RegistryAction.EDIT, resident)
    link = ResidentTag.objects.select_for_update().filter(resident=resident, tag=tag, ended_on__isnull=True).first()
    if link is None:
        return None
    link.ended_on = ended_on or timezone.localdate()
    link.save(update_fields=["ended_on"])
    record(actor, "resident.untag", resident, after={"tag": tag.code, "ended_on": link.ended_on})
    return link


@transaction.atomic
def set_tags(*, actor, resident: Resident, tags, on: dt.date | None = None) -> list[Tag]:
    """Make `tags` the resident's current tags (a form's ticked boxes): the ones no longer ticked are
    ended, the new ones started, the others left as they are (with their dates and permits)."""
    wanted = {tag.pk: tag for tag in tags}
    current = {link.tag_id: link.tag for link in
               ResidentTag.objects.filter(resident=resident, ended_on__isnull=True).select_related("tag")}
    for pk in sorted(current.keys() - wanted.keys()):
        remove_tag(actor=actor, resident=resident, tag=current[pk], ended_on=on)
    for pk in sorted(wanted.keys() - current.keys()):
        assign_tag(actor=actor, resident=resident, tag=wanted[pk], started_on=on)
    return list(wanted.values())


# --- helpers -------------------------------------------------------------------------------------------


def _event(actor, resident: Resident, kind: str, on: dt.date, *, from_household=None, to_household=None,
           note: str = "") -> ResidentEvent:
    event = ResidentEvent(resident=resident, kind=kind, occurred_on=on,
                          actor=actor if getattr(actor, "is_authenticated", False) else None,
                          from_household=from_household, to_household=to_household, note=note[:500])
    event.place_like(resident)
    event.save()
    return event


def _live_household(household: Household) -> None:
    if household.archived_at is not None:
        raise DomainError(_("This household is archived."), code="conflict")


def _not_future(on: dt.date) -> None:
    if on > timezone.localdate():
        raise DomainError(_("The date is in the future."))
