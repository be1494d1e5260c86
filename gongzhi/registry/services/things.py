"""Things (部件), facilities (阵地) and organisations with their positions: created, changed and
archived, each audited. They hold no personal numbers except an organisation contact's phone,
which is sealed like a resident's."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core.errors import DomainError

from .. import validation
from ..choices import FacilityKind, OrganisationKind, ThingCategory, ThingState
from ..models import PLACE_COLUMNS, Facility, Organisation, Position, Resident, Thing
from ..permissions import RegistryAction
from .common import changed_fields, lock, record, require, required_text, save_changes, snapshot

THING_FIELDS = ["code", "category", "kind", "state", "address", "owner_unit", "lng", "lat", "grid"]
FACILITY_FIELDS = ["kind", "name", "address", "floor_area_m2", "opening_hours", "lng", "lat", "grid"]
ORGANISATION_FIELDS = ["kind", "name", "address", "credit_code", "contact_name", "grid"]


def _clean(model, values: dict) -> dict:
    """Normalise the values a create or update may set on `model`, refusing what is not valid."""
    out = dict(values)
    for name in ("code", "name", "address", "kind", "owner_unit", "opening_hours", "credit_code", "contact_name"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    choices = {"category": ThingCategory, "state": ThingState}
    if model is Facility:
        choices["kind"] = FacilityKind
    elif model is Organisation:
        choices["kind"] = OrganisationKind
    for name, enum in choices.items():
        if name in out and out[name] not in enum.values:
            raise DomainError(_("Unknown %(field)s: %(value)s") % {"field": name, "value": out[name]})
    for name in ("code", "name"):
        if name in out:
            out[name] = required_text(out[name], name)
    if out.get("floor_area_m2") is not None:
        out["floor_area_m2"] = Decimal(str(out["floor_area_m2"])).quantize(Decimal("0.1"))
        if out["floor_area_m2"] < 0:
            raise DomainError(_("A floor area cannot be negative."))
    for axis, low, high in (("lng", 73, 136), ("lat", 3, 54)):
        if out.get(axis) is not None and not low <= out[axis] <= high:
            raise DomainError(_("The position lies outside China."))
    return out


def _create(model, action: str, audited: list[str], *, actor, grid, values: dict):
    require(actor, RegistryAction.EDIT, grid)
    contact_phone = values.pop("contact_phone", None)
    obj = model(**_clean(model, values))
    obj.place_in(grid)
    if contact_phone:
        obj.set_contact_phone(_phone(contact_phone))
    _save(obj)
    record(actor, action, obj, after=snapshot(obj, audited))
    return obj


def _update(obj, action: str, audited: list[str], *, actor, expected_version, changes: dict):
    obj = lock(obj, expected_version)
    require(actor, RegistryAction.EDIT, obj)
    before = snapshot(obj, audited)
    grid = changes.pop("grid", None)
    contact_phone = changes.pop("contact_phone", None)
    fields = changed_fields(obj, _clean(type(obj), changes))
    if grid is not None and grid.pk != obj.grid_id:
        require(actor, RegistryAction.EDIT, grid)
        obj.place_in(grid)
        fields += [c.removesuffix("_id") for c in PLACE_COLUMNS]
    if contact_phone is not None:
        obj.set_contact_phone(_phone(contact_phone) if contact_phone else "")
        fields.append("contact_phone_sealed")
    if not fields:
        return obj
    _save(obj, fields)
    record(actor, action, obj, before=before, after=snapshot(obj, audited))
    return obj


def _archive(obj, action: str, *, actor, reason: str):
    obj = lock(obj)
    require(actor, RegistryAction.EDIT, obj)
    obj.archived_at = timezone.now()
    save_changes(obj, ["archived_at"])
    record(actor, action, obj, reason=reason)
    return obj


def _save(obj, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            if fields is None:
                obj.save()
            else:
                save_changes(obj, fields)
    except IntegrityError:
        raise DomainError(_("This code is already in use."), code="duplicate") from None


def _phone(value: str) -> str:
    try:
        return validation.clean_phone(value)
    except validation.Invalid as exc:
        raise DomainError(exc.message, details={"contact_phone": exc.message}) from None


# --- things ------------------------------------------------------------------------------------------


@transaction.atomic
def create_thing(*, actor, grid, code: str, category: str, kind: str = "", state: str = ThingState.GOOD,
                 address: str = "", owner_unit: str = "", lng: float | None = None, lat: float | None = None) -> Thing:
    return _create(Thing, "thing.create", THING_FIELDS, actor=actor, grid=grid, values={
        "code": code, "category": category, "kind": kind, "state": state, "address": address,
        "owner_unit": owner_unit, "lng": lng, "lat": lat})


@transaction.atomic
def update_thing(*, actor, thing: Thing, expected_version: int | None = None, **changes) -> Thing:
    _only(changes, {"code", "category", "kind", "state", "address", "owner_unit", "lng", "lat", "grid"})
    return _update(thing, "thing.update", THING_FIELDS, actor=actor, expected_version=expected_version,
                   changes=changes)


@transaction.atomic
def archive_thing(*, actor, thing: Thing, reason: str = "") -> Thing:
    return _archive(thing, "thing.archive", actor=actor, reason=reason)


# --- facilities ----------------------------------------------------------------------------------------


@transaction.atomic
def create_facility(*, actor, grid, kind: str, name: str, address: str = "",
                    floor_area_m2: Decimal | float | None = None, opening_hours: str = "",
                    lng: float | None = None, lat: float | None = None) -> Facility:
    return _create(Facility, "facility.create", FACILITY_FIELDS, actor=actor, grid=grid, values={
        "kind": kind, "name": name, "address": address, "floor_area_m2": floor_area_m2,
        "opening_hours": opening_hours, "lng": lng, "lat": lat})


@transaction.atomic
def update_facility(*, actor, facility: Facility, expected_version: int | None = None, **changes) -> Facility:
    _only(changes, {"kind", "name", "address", "floor_area_m2", "opening_hours", "lng", "lat", "grid"})
    return _update(facility, "facility.update", FACILITY_FIELDS, actor=actor, expected_version=expected_version,
                   changes=changes)


@transaction.atomic
def archive_facility(*, actor, facility: Facility, reason: str = "") -> Facility:
    return _archive(facility, "facility.archive", actor=actor, reason=reason)


# --- organisations -------------------------------------------------------------------------------------


@transaction.atomic
def create_organisation(*, actor, grid, kind: str, name: str, address: str = "", credit_code: str = "",
                        contact_name: str = "", contact_phone: str = "") -> Organisation:
    return _create(Organisation, "organisation.create", ORGANISATION_FIELDS, actor=actor, grid=grid, values={
        "kind": kind, "name": name, "address": address, "credit_code": credit_code, "contact_name": contact_name,
        "contact_phone": contact_phone})


@transaction.atomic
def update_organisation(*, actor, organisation: Organisation, expected_version: int | None = None,
                        **changes) -> Organisation:
    _only(changes, {"kind", "name", "address", "credit_code", "contact_name", "contact_phone", "grid"})
    return _update(organisation, "organisation.update", ORGANISATION_FIELDS, actor=actor,
                   expected_version=expected_version, changes=changes)


@transaction.atomic
def archive_organisation(*, actor, organisation: Organisation, reason: str = "") -> Organisation:
    return _archive(organisation, "organisation.archive", actor=actor, reason=reason)


@transaction.atomic
def add_position(*, actor, organisation: Organisation, title: str, holder_name: str = "",
                 resident: Resident | None = None, started_on: dt.date | None = None) -> Position:
    """Someone takes a title in the organisation: a resident of the registry, or a name."""
    require(actor, RegistryAction.EDIT, organisation)
    if resident is not None:
        require(actor, RegistryAction.VIEW_PEOPLE, resident)
    position = Position.objects.create(
        organisation=organisation, title=required_text(title, _("Title")), resident=resident,
        holder_name=required_text(holder_name or (resident.name if resident else ""),
                                  pgettext("person", "Name")),
        started_on=started_on or timezone.localdate())
    record(actor, "organisation.position_add", organisation,
           after={"position": position.pk, "title": position.title, "holder": position.holder_name})
    return position


@transaction.atomic
def end_position(*, actor, position: Position, ended_on: dt.date | None = None) -> Position:
    position = Position.objects.select_for_update().select_related("organisation").get(pk=position.pk)
    require(actor, RegistryAction.EDIT, position.organisation)
    if position.ended_on is None:
        position.ended_on = ended_on or timezone.localdate()
        position.save(update_fields=["ended_on"])
        record(actor, "organisation.position_end", position.organisation,
               after={"position": position.pk, "ended_on": position.ended_on})
    return position


def _only(changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
