"""Buildings and households: created, changed and archived (never deleted), each audited."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

from ..choices import HouseholdKind, ResidentStatus
from ..models import PLACE_COLUMNS, Building, Household, Resident, Visit, placed_values
from ..permissions import RegistryAction
from .common import changed_fields, lock, record, require, required_text, save_changes, snapshot

BUILDING_FIELDS = ["address", "name", "grid", "floors", "units", "lng", "lat"]
HOUSEHOLD_FIELDS = ["building", "room", "kind", "grid"]


# --- buildings -------------------------------------------------------------------------------------


@transaction.atomic
def create_building(*, actor, grid, address: str, name: str = "", floors: int | None = None,
                    units: int | None = None, lng: float | None = None, lat: float | None = None) -> Building:
    require(actor, RegistryAction.EDIT, grid)
    building = Building(address=required_text(address, _("Address")), name=name.strip(), floors=floors,
                        units=units, lng=lng, lat=lat)
    building.place_in(grid)
    _save_unique(building, _("A building with this address is already registered in the district."))
    record(actor, "building.create", building, after=snapshot(building, BUILDING_FIELDS))
    return building


@transaction.atomic
def update_building(*, actor, building: Building, expected_version: int | None = None, **changes) -> Building:
    """Change a building's details. Moving it to another grid moves its households, their residents
    and visits with it (a boundary correction), so every row stays under the right divisions."""
    unknown = set(changes) - {"address", "name", "floors", "units", "lng", "lat", "grid"}
    if unknown:
        raise TypeError(f"update_building: {sorted(unknown)}")
    building = lock(building, expected_version)
    require(actor, RegistryAction.EDIT, building)
    before = snapshot(building, BUILDING_FIELDS)
    grid = changes.pop("grid", None)
    if "address" in changes:
        changes["address"] = required_text(changes["address"], _("Address"))
    fields = changed_fields(building, changes)
    if grid is not None and grid.pk != building.grid_id:
        require(actor, RegistryAction.EDIT, grid)
        building.place_in(grid)
        fields += [c.removesuffix("_id") for c in PLACE_COLUMNS]
        _move_contents(building, grid)
    if not fields:
        return building
    _save_unique(building, _("A building with this address is already registered in the district."),
                 fields=fields)
    record(actor, "building.update", building, before=before, after=snapshot(building, BUILDING_FIELDS))
    return building


def _move_contents(building: Building, grid) -> None:
    place = placed_values(grid)
    Household.objects.filter(building=building).update(**place)
    Resident.objects.filter(household__building=building).update(**place)
    Visit.objects.filter(household__building=building).update(**place)


@transaction.atomic
def archive_building(*, actor, building: Building, reason: str = "") -> Building:
    building = lock(building)
    require(actor, RegistryAction.EDIT, building)
    if Household.objects.filter(building=building, archived_at__isnull=True).exists():
        raise DomainError(_("Archive the building's households first."), code="conflict")
    building.archived_at = timezone.now()
    save_changes(building, ["archived_at"])
    record(actor, "building.archive", building, reason=reason)
    return building


# --- households ------------------------------------------------------------------------------------


@transaction.atomic
def create_household(*, actor, building: Building, room: str = "",
                     kind: str = HouseholdKind.OWNER_OCCUPIED) -> Household:
    require(actor, RegistryAction.EDIT, building)
    if building.archived_at is not None:
        raise DomainError(_("%(name)s is archived.") % {"name": building}, code="conflict")
    household = Household(building=building, room=room.strip(), kind=HouseholdKind(kind))
    household.place_like(building)
    _save_unique(household, _("This room already has a household."))
    record(actor, "household.create", household, after=snapshot(household, HOUSEHOLD_FIELDS))
    return household


@transaction.atomic
def update_household(*, actor, household: Household, expected_version: int | None = None,
                     room: str | None = None, kind: str | None = None) -> Household:
    household = lock(household, expected_version)
    require(actor, RegistryAction.EDIT, household)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    changes = {}
    if room is not None:
        changes["room"] = room.strip()
    if kind is not None:
        changes["kind"] = HouseholdKind(kind)
    fields = changed_fields(household, changes)
    if fields:
        _save_unique(household, _("This room already has a household."), fields=fields)
        record(actor, "household.update", household, before=before, after=snapshot(household, HOUSEHOLD_FIELDS))
    return household


@transaction.atomic
def archive_household(*, actor, household: Household, reason: str = "") -> Household:
    household = lock(household)
    require(actor, RegistryAction.EDIT, household)
    if Resident.objects.filter(household=household, status=ResidentStatus.ACTIVE).exists():
        raise DomainError(_("Record the members' moves first: the household still has residents."),
                          code="conflict")
    household.archived_at = timezone.now()
    save_changes(household, ["archived_at"])
    record(actor, "household.archive", household, reason=reason)
    return household



def _save_unique(obj, message, *, fields: list[str] | None = None) -> None:
    """Save (all of a new row, or `fields` with a version bump); a unique clash becomes a DomainError."""
    try:
        with transaction.atomic():
            if fields is None:
                obj.save()
            else:
                save_changes(obj, fields)
    except IntegrityError:
        raise DomainError(message, code="duplicate") from None
