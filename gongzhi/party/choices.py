"""The party organisation's vocabularies, in the words of the documents (党章, 组织工作条例)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Form(models.TextChoices):
    """The form of an organisation, set by its size (党章 第三十条): a working committee is the street's
    agency of the district committee; a committee has 100+ members, a general branch 50+."""

    WORKING_COMMITTEE = "working_committee", _("Party working committee (党工委)")
    COMMITTEE = "committee", _("Party committee (党委)")
    GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
    BRANCH = "branch", _("Branch (党支部)")
    GROUP = "group", _("Party group (党小组)")


class Line(models.TextChoices):
    """Where an organisation sits in the grid's "four vertical" line (四纵): the street, the
    community, the grid, the building — or outside it, in a unit of the area."""

    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit in the area")


class Kind(models.TextChoices):
    """The "four horizontal" kinds (四横) of organisation set up across the grid."""

    TERRITORIAL = "territorial", _("Territorial (区域型)")
    AREA = "area", _("Area (片区型)")
    BUILDING = "building", _("Building or compound (楼院型)")
    UNIT = "unit", _("Work unit (单位型)")
    FUNCTION = "function", _("Function or interest (功能型)")


class Sector(models.TextChoices):
    """The kind of body an organisation belongs to."""

    COMMUNITY = "community", _("Urban community")
    ORGAN = "organ", _("Party or government organ (机关)")
    INSTITUTION = "institution", _("Public institution (事业单位)")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Non-public enterprise (非公企业)")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation (社会组织)")
    PROPERTY_COMPANY = "property_company", _("Property service company (物业服务企业)")


# The "two new" organisations (两新组织) and property companies: what the coverage check looks for
# among the registry's organisations.
TWO_NEW = (Sector.PRIVATE_ENTERPRISE, Sector.SOCIAL_ORGANISATION, Sector.PROPERTY_COMPANY)


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another")
    DISSOLVED = "dissolved", _("Dissolved")


class ChangeKind(models.TextChoices):
    FOUNDED = "founded", _("Founded")
    RENAMED = "renamed", _("Renamed")
    EDITED = "edited", _("Edited")
    MOVED = "moved", _("Moved under another organisation")
    COVERAGE = "coverage", _("Coverage changed")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")
    REELECTED = "reelected", _("Re-elected (换届)")


class FacilityKind(models.TextChoices):
    """The three-level network of positions (一家一站一中心) and the party-mass service centres."""

    MEMBER_HOME = "member_home", _("Community party-member home (党员之家)")
    SERVICE_STATION = "service_station", _("Street service station (服务站)")
    MANAGEMENT_CENTRE = "management_centre", _("District management centre (管理中心)")
    SERVICE_CENTRE = "service_centre", _("Party-mass service centre (党群服务中心)")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("Secretary (书记)")
    DEPUTY = "deputy", _("Deputy secretary (副书记)")
    MEMBER = "member", _("Committee member (委员)")
    PART_TIME = "part_time", _("Part-time member (兼职委员)")


class Duty(models.TextChoices):
    """A committee member's portfolio."""

    NONE = "", _("—")
    ORGANISATION = "organisation", _("Organisation (组织委员)")
    PUBLICITY = "publicity", _("Publicity (宣传委员)")
    DISCIPLINE = "discipline", _("Discipline inspection (纪检委员)")
    YOUTH = "youth", _("Youth (青年委员)")
    WOMEN = "women", _("Women (妇女委员)")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member (正式党员)")
    PROBATIONARY = "probationary", _("Probationary member (预备党员)")


class MemberCategory(models.TextChoices):
    """Who the member is outside the party: the double report-in concerns the employed."""

    EMPLOYED = "employed", _("Employed (在职党员)")
    RETIRED = "retired", _("Retired (离退休党员)")
    MOBILE = "mobile", _("Mobile (流动党员)")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class MemberState(models.TextChoices):
    """Whether the member's relation is held here; a member is never deleted."""

    ACTIVE = "active", _("Relation held here")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of the area")
    DECEASED = "deceased", _("Deceased")
    LEFT = "left", _("Left the party")


class Offer(models.TextChoices):
    """What a unit brings to the community it co-builds with (共建资源)."""

    VENUE = "venue", _("Venue")
    FUNDS = "funds", _("Funds")
    PEOPLE = "people", _("Volunteers")
    SKILLS = "skills", _("Skills")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the community")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


class ReportInMethod(models.TextChoices):
    QR = "qr", _("Scanned the community's code")
    PICKED = "picked", _("Picked the community")
    DESK = "desk", _("Registered at the desk")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class CardStatus(models.TextChoices):
    SENT = "sent", _("Sent to the member's organisation")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_WAY = "under_way", _("Under way")
    SOLVED = "solved", _("Solved")
