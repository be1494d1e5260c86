"""The party tree's writes: found, rename, edit, move, merge, dissolve and re-elect (换届) an
organisation, and keep its positions (阵地). Nothing is deleted.

Each write is one transaction with an audit row and an OrganisationChange row; every id that arrives
is checked against the actor's scope for the action (gongzhi.core.scope.check_id) with the very
selectors the pages offer their choices from. `actor=None` is the system (commands, the demo)."""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.registry import selectors as registry

from ..choices import ChangeKind, FacilityKind, Form, Kind, Line, MemberState, OrganisationStatus, Sector
from ..models import Facility, Member, Organisation, OrganisationChange, Seat, Term, Transfer
from ..selectors import organisations as sel

FIELDS = ["name", "short_name", "form", "line", "kind", "sector", "parent", "path", "depth", "unit", "unit_name",
          "division", "founded_on", "status", "ended_on", "successor", "code"]
EDITABLE = {"short_name", "form", "kind", "sector", "unit_name", "founded_on"}
FACILITY_FIELDS = ["organisation", "kind", "name", "address", "lng", "lat", "area_m2", "opening_hours",
                   "registry_facility"]
# A committee or working committee serves five years a term, a general branch or branch three (党章).
TERM_YEARS = {Form.WORKING_COMMITTEE: 5, Form.COMMITTEE: 5}


# --- what every write shares ----------------------------------------------------------------------


def _snapshot(org: Organisation) -> dict:
    out = audit.snapshot(org, FIELDS)
    for key in ("founded_on", "ended_on"):
        out[key] = out[key].isoformat() if out[key] else None
    return out


def _coverage_snapshot(org: Organisation) -> dict:
    return {"covers": sorted(org.covers.values_list("pk", flat=True)),
            "buildings": sorted(org.buildings.values_list("pk", flat=True))}


def _manageable(actor, pk) -> Organisation:
    """The organisation `pk`, active, among those the actor manages; the same refusal as a missing one."""
    qs = Organisation.objects.filter(status=OrganisationStatus.ACTIVE) if actor is None \
        else sel.managed_organisations(actor)
    return scope.check_id(qs, pk)


def lock_managed(org: Organisation, actor, expected_version: int | None) -> Organisation:
    """Re-read under a lock; refuse an actor who does not manage it, a stale form, an ended one."""
    current = Organisation.objects.select_for_update(of=("self",)).select_related("division", "parent").get(pk=org.pk)
    if actor is not None and not sel.managed_organisations(actor, active=False).filter(pk=current.pk).exists():
        raise PermissionDenied(_("You may not manage this party organisation."))
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(_("Someone else changed %(name)s meanwhile. Reload and try again.") % {"name": current})
    if not current.is_active:
        raise DomainError(_("%(name)s has ended and can no longer be changed.") % {"name": current},
                          code="conflict")
    return current


def _bump(org: Organisation, fields: list[str]) -> None:
    org.version += 1
    org.updated_at = timezone.now()
    org.save(update_fields=[*fields, "version", "updated_at"])


def _change(org, kind, actor, *, before=None, after=None, reason="", related=None, on=None) -> OrganisationChange:
    return OrganisationChange.objects.create(organisation=org, kind=kind, actor=_user(actor), before=before,
                                             after=after, reason=reason[:500], related=related,
                                             on=on or timezone.localdate())


def _record(actor, action, org, **details) -> None:
    audit.record(actor=actor, action=action, obj=org, division=org.division, **details)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value, label, max_length: int = 100) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("%(field)s is required.") % {"field": label})
    if len(value) > max_length:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": max_length})
    return value


def _reason(reason: str) -> str:
    return _text(reason, _("Reason"), 500)


def _enum(value, enum, label):
    if value not in enum.values:
        raise DomainError(_("Unknown %(field)s: %(value)s") % {"field": label, "value": value})
    return value


def _check_line(line: str, division, parent: Organisation | None) -> None:
    """A territorial organisation sits at its line's level, inside its parent's area and not above
    its parent in the vertical line; a unit's organisation may sit under any organisation or at the root."""
    if line == Line.UNIT:
        return
    if division.level not in sel.LINE_LEVELS[line]:
        raise DomainError(_("A %(line)s organisation cannot be sited at a %(level)s.")
                          % {"line": Line(line).label, "level": division.get_level_display()})
    if parent is None:
        if line != Line.STREET:
            raise DomainError(_("Choose the superior organisation."))
        return
    if parent.line == Line.UNIT:
        raise DomainError(_("A territorial organisation cannot sit under a unit's organisation."))
    if sel.LINE_RANK[line] < sel.LINE_RANK[parent.line]:
        raise DomainError(_("A %(line)s organisation cannot sit under a %(parent)s organisation.")
                          % {"line": Line(line).label, "parent": Line(parent.line).label})
    if not scope.subtree_contains(parent.division, division):
        raise DomainError(_("The organisation must lie inside its superior organisation's area."))


def _divisions(actor, pks) -> list:
    from gongzhi.divisions.models import Division

    everything = Division.objects.filter(is_active=True)
    return scope.check_ids(everything if actor is None else sel.manage_divisions(actor), pks)


def _buildings(actor, pks) -> list:
    from gongzhi.registry.models import Building

    everything = Building.objects.filter(archived_at__isnull=True)
    return scope.check_ids(everything if actor is None else registry.buildings_for(actor), pks)


def _unit(actor, pk):
    from gongzhi.registry.models import Organisation as RegistryOrganisation

    if pk in (None, ""):
        return None
    everything = RegistryOrganisation.objects.filter(archived_at__isnull=True)
    return scope.check_id(everything if actor is None else registry.organisations_for(actor), pk)


def _plants_roots(actor) -> bool:
    """Only the district or the city (or the system) plants a new root of the territorial tree."""
    return scope.is_global(actor) or any(d.level in ("district", "city", "province")
                                         for d in scope.covered_divisions(actor, sel.A.MANAGE))


def _new_code() -> str:
    while True:
        code = secrets.token_hex(4)
        if not Organisation.objects.filter(code=code).exists():
            return code


def default_due(form: str, elected_on: dt.date) -> dt.date:
    years = TERM_YEARS.get(form, 3)
    try:
        return elected_on.replace(year=elected_on.year + years)
    except ValueError:  # 29 February
        return elected_on.replace(year=elected_on.year + years, day=28)


# --- found ------------------------------------------------------------------------------------------


@transaction.atomic
def found_organisation(*, actor, name: str, form: str, line: str, division_id, parent_id=None,
                       kind: str = Kind.TERRITORIAL, sector: str = Sector.COMMUNITY, short_name: str = "",
                       covers: list | None = None, buildings: list | None = None, unit_id=None,
                       unit_name: str = "", founded_on: dt.date | None = None, reason: str = "") -> Organisation:
    """Found an organisation at a division in the actor's MANAGE scope, under an organisation they
    manage (a community secretary a grid branch under the community committee; a street officer a
    community committee under the street working committee)."""
    name = _text(name, _("Name"))
    _enum(form, Form, _("form"))
    _enum(line, Line, _("line"))
    _enum(kind, Kind, _("kind"))
    _enum(sector, Sector, _("sector"))
    division = _divisions(actor, [division_id])[0]
    parent = _manageable(actor, parent_id) if parent_id not in (None, "") else None
    if parent is None and actor is not None and line == Line.STREET and not _plants_roots(actor):
        raise DomainError(_("Choose the superior organisation."))
    _check_line(line, division, parent)
    cover_list = _divisions(actor, covers) if covers else [division]
    building_list = _buildings(actor, buildings) if buildings else []
    unit = _unit(actor, unit_id)
    unit_name = (unit_name or "").strip()[:100] or (unit.name if unit else "")
    org = Organisation(name=name, short_name=(short_name or "").strip()[:40], form=form, line=line, kind=kind,
                       sector=sector, unit=unit, unit_name=unit_name,
                       founded_on=founded_on or timezone.localdate(), code=_new_code(), path="/")
    org.site_at(division)
    org.save()
    org.place_under(parent)
    org.save(update_fields=["parent", "depth", "path"])
    org.covers.set(cover_list)
    org.buildings.set(building_list)
    after = {**_snapshot(org), **_coverage_snapshot(org)}
    _change(org, ChangeKind.FOUNDED, actor, after=after, reason=reason, related=parent, on=org.founded_on)
    _record(actor, "party.organisation.found", org, after=after, reason=reason)
    return org


# --- rename and edit ----------------------------------------------------------------------------------


@transaction.atomic
def rename_organisation(*, actor, organisation: Organisation, name: str, expected_version: int | None = None,
                        reason: str = "", short_name: str | None = None) -> Organisation:
    org = lock_managed(organisation, actor, expected_version)
    name = _text(name, _("Name"))
    before = _snapshot(org)
    fields = []
    if name != org.name:
        org.name = name
        fields.append("name")
    if short_name is not None and short_name.strip()[:40] != org.short_name:
        org.short_name = short_name.strip()[:40]
        fields.append("short_name")
    if not fields:
        return org
    _bump(org, fields)
    after = _snapshot(org)
    _change(org, ChangeKind.RENAMED, actor, before=before, after=after, reason=reason)
    _record(actor, "party.organisation.rename", org, before=before, after=after, reason=reason)
    return org


@transaction.atomic
def edit_organisation(*, actor, organisation: Organisation, expected_version: int | None = None, reason: str = "",
                      covers: list | None = None, buildings: list | None = None, unit_id=..., **changes
                      ) -> Organisation:
    """Change the kind, sector, form, short name, founding date, unit, covered divisions and
    buildings. Ids (covers, buildings, unit) are checked against the actor's choices."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    org = lock_managed(organisation, actor, expected_version)
    for name, enum, label in (("form", Form, _("form")), ("kind", Kind, _("kind")), ("sector", Sector, _("sector"))):
        if name in changes:
            _enum(changes[name], enum, label)
    for name, limit in (("short_name", 40), ("unit_name", 100)):
        if name in changes:
            changes[name] = (changes[name] or "").strip()[:limit]
    before = {**_snapshot(org), **_coverage_snapshot(org)}
    fields = [name for name, value in changes.items() if getattr(org, name) != value]
    for name in fields:
        setattr(org, name, changes[name])
    if unit_id is not ...:
        unit = _unit(actor, unit_id)
        if (unit.pk if unit else None) != org.unit_id:
            org.unit = unit
            fields.append("unit")
    coverage_changed = False
    if covers is not None:
        cover_list = _divisions(actor, covers)
        if not cover_list:
            raise DomainError(_("An organisation covers at least one division."))
        if {d.pk for d in cover_list} != set(before["covers"]):
            org.covers.set(cover_list)
            coverage_changed = True
    if buildings is not None:
        building_list = _buildings(actor, buildings)
        if {b.pk for b in building_list} != set(before["buildings"]):
            org.buildings.set(building_list)
            coverage_changed = True
    if not fields and not coverage_changed:
        return org
    _bump(org, fields)
    after = {**_snapshot(org), **_coverage_snapshot(org)}
    kind = ChangeKind.COVERAGE if coverage_changed and not fields else ChangeKind.EDITED
    _change(org, kind, actor, before=before, after=after, reason=reason)
    _record(actor, "party.organisation.edit", org, before=before, after=after, reason=reason)
    return org


# --- move ---------------------------------------------------------------------------------------------


def _reparent(org: Organisation, parent: Organisation | None) -> None:
    """Put `org` under `parent`, rewriting the path and depth of its whole subtree in one UPDATE."""
    old_path, old_depth = org.path, org.depth
    org.place_under(parent)
    delta = org.depth - old_depth
    Organisation.objects.filter(path__startswith=old_path).exclude(pk=org.pk).update(
        path=Concat(Value(org.path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta)


@transaction.atomic
def move_organisation(*, actor, organisation: Organisation, parent_id, expected_version: int | None = None,
                      reason: str = "") -> Organisation:
    org = lock_managed(organisation, actor, expected_version)
    reason = _reason(reason)
    parent = _manageable(actor, parent_id) if parent_id not in (None, "") else None
    if parent is not None and parent.path.startswith(org.path):
        raise DomainError(_("An organisation cannot be moved under itself or one of its own organisations."))
    if (parent.pk if parent else None) == org.parent_id:
        return org
    if parent is None and actor is not None and org.line != Line.UNIT and not _plants_roots(actor):
        raise DomainError(_("Choose the superior organisation."))
    _check_line(org.line, org.division, parent)
    before = _snapshot(org)
    _reparent(org, parent)
    _bump(org, ["parent", "depth", "path"])
    after = _snapshot(org)
    _change(org, ChangeKind.MOVED, actor, before=before, after=after, reason=reason, related=parent)
    _record(actor, "party.organisation.move", org, before=before, after=after, reason=reason)
    return org


# --- merge and dissolve ------------------------------------------------------------------------------


def _end_committee(org: Organisation, on: dt.date) -> None:
    terms = Term.objects.filter(organisation=org, ended_on__isnull=True)
    Seat.objects.filter(term__in=terms, ended_on__isnull=True).update(ended_on=on)
    terms.update(ended_on=on)


@transaction.atomic
def merge_organisation(*, actor, organisation: Organisation, successor_id, expected_version: int | None = None,
                       reason: str = "", on: dt.date | None = None) -> Organisation:
    """Merge into a successor: the children go under it, the active members' relations move to it
    (a Transfer each), it takes over what was covered; this one ends as MERGED."""
    org = lock_managed(organisation, actor, expected_version)
    reason = _reason(reason)
    successor = _manageable(actor, successor_id)
    if successor.path.startswith(org.path):
        raise DomainError(_("An organisation cannot be merged into itself or one of its own organisations."))
    on = on or timezone.localdate()
    children = list(Organisation.objects.filter(parent=org).select_for_update())
    for child in children:
        if child.is_active and child.line != Line.UNIT and successor.line != Line.UNIT and \
                sel.LINE_RANK[child.line] < sel.LINE_RANK[successor.line]:
            raise DomainError(_("%(child)s cannot sit under %(successor)s: choose another successor or move it first.")
                              % {"child": child, "successor": successor})
    before = {**_snapshot(org), **_coverage_snapshot(org)}
    for child in children:
        child_before = _snapshot(child)
        _reparent(child, successor)
        _bump(child, ["parent", "depth", "path"])
        _change(child, ChangeKind.MOVED, actor, before=child_before, after=_snapshot(child), reason=reason,
                related=successor, on=on)
    members = list(Member.objects.select_for_update().filter(organisation=org, state=MemberState.ACTIVE))
    now = timezone.now()
    for m in members:
        m.hold_at(successor)
        m.version += 1
        m.updated_at = now
    Member.objects.bulk_update(members, ["organisation", "division", "grid", "community", "street", "district",
                                         "city", "version", "updated_at"])
    Transfer.objects.bulk_create([
        Transfer(member=m, from_organisation=org, to_organisation=successor, transferred_on=on, reason="merged",
                 actor=_user(actor)) for m in members])
    successor.covers.add(*org.covers.all())
    successor.buildings.add(*org.buildings.all())
    _end_committee(org, on)
    org.status, org.ended_on, org.successor = OrganisationStatus.MERGED, on, successor
    _bump(org, ["status", "ended_on", "successor"])
    after = {**_snapshot(org), "members_moved": len(members), "children_moved": len(children)}
    _change(org, ChangeKind.MERGED, actor, before=before, after=after, reason=reason, related=successor, on=on)
    _change(successor, ChangeKind.MERGED, actor, after={"merged_in": org.pk, "members_moved": len(members)},
            reason=reason, related=org, on=on)
    _record(actor, "party.organisation.merge", org, before=before, after=after, reason=reason)
    return org


@transaction.atomic
def dissolve_organisation(*, actor, organisation: Organisation, reason: str, expected_version: int | None = None,
                          on: dt.date | None = None) -> Organisation:
    """Dissolve an organisation that has no active organisation under it and no member left."""
    org = lock_managed(organisation, actor, expected_version)
    reason = _reason(reason)
    children = Organisation.objects.filter(parent=org, status=OrganisationStatus.ACTIVE).count()
    members = Member.objects.filter(organisation=org, state=MemberState.ACTIVE).count()
    if children or members:
        raise DomainError(_("%(name)s still has %(children)d active organisation(s) under it and %(members)d "
                            "member(s): move or merge them first.")
                          % {"name": org, "children": children, "members": members}, code="conflict")
    on = on or timezone.localdate()
    before = _snapshot(org)
    _end_committee(org, on)
    org.status, org.ended_on = OrganisationStatus.DISSOLVED, on
    _bump(org, ["status", "ended_on"])
    after = _snapshot(org)
    _change(org, ChangeKind.DISSOLVED, actor, before=before, after=after, reason=reason, on=on)
    _record(actor, "party.organisation.dissolve", org, before=before, after=after, reason=reason)
    return org


# --- re-election (换届) ---------------------------------------------------------------------------------


@transaction.atomic
def reelect(*, actor, organisation: Organisation, elected_on: dt.date, due_on: dt.date | None = None,
            is_big: bool | None = None, seats: list[dict] | None = None, expected_version: int | None = None,
            reason: str = "") -> Term:
    """End the current term and its seats, open the next with its seats: those given (dicts of
    gongzhi.party.services.committees.add_seat's arguments), or the outgoing holders re-seated."""
    from . import committees

    org = lock_managed(organisation, actor, expected_version)
    if elected_on > timezone.localdate():
        raise DomainError(_("An election cannot be recorded before it is held."))
    current = Term.objects.select_for_update().filter(organisation=org, ended_on__isnull=True).first()
    if current is not None and elected_on < current.elected_on:
        raise DomainError(_("The new term cannot begin before the current one did."))
    due_on = due_on or default_due(org.form, elected_on)
    if due_on <= elected_on:
        raise DomainError(_("The term must end after the election."))
    carried = []
    if current is not None:
        if seats is None:
            carried = list(current.seats.filter(ended_on__isnull=True))
        _end_committee(org, elected_on)
    number = (Term.objects.filter(organisation=org).order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    term = Term.objects.create(organisation=org, number=number, elected_on=elected_on, due_on=due_on,
                               is_big=current.is_big if is_big is None and current else bool(is_big))
    if seats is None:
        for s in carried:
            Seat.objects.create(term=term, position=s.position, duty=s.duty, member=s.member, user=s.user,
                                name=s.name, title=s.title, from_department=s.from_department,
                                from_organisation=s.from_organisation, from_unit=s.from_unit,
                                seat_based=s.seat_based, started_on=elected_on)
    else:
        for spec in seats:
            committees.open_seat(actor, term, **{**spec, "started_on": elected_on})
    _bump(org, [])
    after = {"term": number, "elected_on": elected_on.isoformat(), "due_on": due_on.isoformat(),
             "seats": term.seats.count(), "is_big": term.is_big}
    before = {"term": current.number, "due_on": current.due_on.isoformat()} if current else None
    _change(org, ChangeKind.REELECTED, actor, before=before, after=after, reason=reason, on=elected_on)
    _record(actor, "party.organisation.reelect", org, before=before, after=after, reason=reason)
    return term


# --- positions (阵地) ---------------------------------------------------------------------------------


def _facility_snapshot(f: Facility) -> dict:
    return audit.snapshot(f, FACILITY_FIELDS)


def _registry_facility(actor, pk):
    from gongzhi.registry.models import Facility as RegistryFacility

    if pk in (None, ""):
        return None
    everything = RegistryFacility.objects.filter(archived_at__isnull=True)
    return scope.check_id(everything if actor is None else registry.facilities_for(actor), pk)


def _facility_values(actor, values: dict) -> dict:
    out = dict(values)
    if "kind" in out:
        _enum(out["kind"], FacilityKind, _("kind"))
    if "name" in out:
        out["name"] = _text(out["name"], _("Name"))
    for key, limit in (("address", 200), ("opening_hours", 100)):
        if key in out:
            out[key] = (out[key] or "").strip()[:limit]
    for axis, low, high in (("lng", 73, 136), ("lat", 3, 54)):
        if out.get(axis) is not None and not low <= out[axis] <= high:
            raise DomainError(_("The position lies outside China."))
    if out.get("area_m2") is not None and out["area_m2"] < 0:
        raise DomainError(_("A floor area cannot be negative."))
    if "registry_facility_id" in out:
        out["registry_facility"] = _registry_facility(actor, out.pop("registry_facility_id"))
    return out


@transaction.atomic
def create_facility(*, actor, organisation: Organisation, kind: str, name: str, address: str = "",
                    lng: float | None = None, lat: float | None = None, area_m2: int | None = None,
                    opening_hours: str = "", registry_facility_id=None) -> Facility:
    org = lock_managed(organisation, actor, None)
    values = _facility_values(actor, {"kind": kind, "name": name, "address": address, "lng": lng, "lat": lat,
                                      "area_m2": area_m2, "opening_hours": opening_hours,
                                      "registry_facility_id": registry_facility_id})
    facility = Facility.objects.create(organisation=org, **values)
    audit.record(actor=actor, action="party.facility.create", obj=facility, division=org.division,
                 after=_facility_snapshot(facility))
    return facility


def _lock_facility(facility: Facility, actor) -> Facility:
    current = (Facility.objects.select_for_update(of=("self",)).select_related("organisation__division")
               .get(pk=facility.pk))
    if actor is not None and not sel.managed_organisations(actor).filter(pk=current.organisation_id).exists():
        raise PermissionDenied(_("You may not manage this party organisation."))
    if current.archived_at is not None:
        raise DomainError(_("%(name)s is archived.") % {"name": current}, code="conflict")
    return current


@transaction.atomic
def edit_facility(*, actor, facility: Facility, **changes) -> Facility:
    allowed = {"kind", "name", "address", "lng", "lat", "area_m2", "opening_hours", "registry_facility_id"}
    if set(changes) - allowed:
        raise DomainError(_("These fields cannot be changed here: %(fields)s")
                          % {"fields": ", ".join(sorted(set(changes) - allowed))})
    f = _lock_facility(facility, actor)
    before = _facility_snapshot(f)
    values = _facility_values(actor, changes)
    changed = [k for k, v in values.items() if getattr(f, k) != v]
    if not changed:
        return f
    for k in changed:
        setattr(f, k, values[k])
    f.save(update_fields=changed)
    audit.record(actor=actor, action="party.facility.edit", obj=f, division=f.organisation.division,
                 before=before, after=_facility_snapshot(f))
    return f


@transaction.atomic
def archive_facility(*, actor, facility: Facility, reason: str) -> Facility:
    f = _lock_facility(facility, actor)
    reason = _reason(reason)
    f.archived_at = timezone.now()
    f.save(update_fields=["archived_at"])
    audit.record(actor=actor, action="party.facility.archive", obj=f, division=f.organisation.division,
                 reason=reason)
    return f
