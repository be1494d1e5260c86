from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class HouseholdKind(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    COLLECTIVE = "collective", _("Collective")


class Relation(models.TextChoices):
    """A member's relation to the head of the household (户主)."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Brother or sister")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Residence(models.TextChoices):
    """Registered (户籍) against actual residence: the basis of the floating-population count."""

    BOTH = "both", _("Registered and living here")
    LIVING_ONLY = "living_only", _("Living here, registered elsewhere")
    REGISTERED_ONLY = "registered_only", _("Registered here, living elsewhere")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living in the grid")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class EventKind(models.TextChoices):
    """The residency history: what happened to a resident, never undone by deleting a row."""

    REGISTERED = "registered", _("Entered in the registry")
    MOVED_IN = "moved_in", _("Moved in")
    MOVED_OUT = "moved_out", _("Moved out")
    DIED = "died", _("Died")
    HOUSEHOLD_CHANGED = "household_changed", _("Changed household")


class ThingCategory(models.TextChoices):
    """The component classes of digital city management (GB/T 30428.2)."""

    PUBLIC_UTILITIES = "public_utilities", _("Public utilities")
    ROADS_TRAFFIC = "roads_traffic", _("Roads and traffic")
    CITY_APPEARANCE = "city_appearance", _("City appearance")
    GREENERY = "greenery", _("Greenery")
    HOUSING_LAND = "housing_land", _("Housing and land")
    OTHER = "other", _("Other")


class ThingState(models.TextChoices):
    GOOD = "good", _("In good order")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")
    OBSTRUCTED = "obstructed", _("Obstructed or occupied")


class FacilityKind(models.TextChoices):
    COMMUNITY_OFFICE = "community_office", _("Community office")
    SERVICE_ROOM = "service_room", _("Service room")
    ONE_STOP_HALL = "one_stop_hall", _("One-stop service hall")
    PARTY_SERVICE_CENTRE = "party_service_centre", _("Party-member service centre")
    NEIGHBOURHOOD_CENTRE = "neighbourhood_centre", _("Neighbourhood centre")
    ACTIVITY_ROOM = "activity_room", _("Activity room")
    SQUARE = "square", _("Activity square")
    ELDERLY_CARE_STATION = "elderly_care_station", _("Elderly-care station")
    CLINIC = "clinic", _("Clinic")
    OTHER = "other", _("Other")


class OrganisationKind(models.TextChoices):
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    SUPERVISION_COMMITTEE = "supervision_committee", _("Residents' supervision committee")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    VOLUNTEER_ORGANISATION = "volunteer_organisation", _("Volunteer organisation")
    WORK_UNIT = "work_unit", _("Work unit or enterprise")
    SHOP = "shop", _("Shop")
    OTHER = "other", _("Other")


class PersonalField(models.TextChoices):
    """The numbers that are masked everywhere and revealed only by an audited action."""

    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    VALID_ROWS = "valid_rows", _("Import the valid rows, give back the rejected ones")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
