"""The grid's registry: people, places, things and organisations (人地物事组织全部纳入网格)."""

from .base import PLACE_COLUMNS, PLACE_LEVELS, Archivable, Placed, placed_values
from .jobs import ImportJob
from .organisations import Organisation, Position
from .people import Resident, ResidentEvent, ResidentTag, Tag
from .places import Building, Household
from .things import Facility, Thing
from .visits import Visit, VisitPhoto

__all__ = [
    "PLACE_COLUMNS", "PLACE_LEVELS", "Archivable", "Building", "Facility", "Household", "ImportJob",
    "Organisation", "Placed", "Position", "Resident", "ResidentEvent", "ResidentTag", "Tag", "Thing", "Visit",
    "VisitPhoto", "placed_values",
]
