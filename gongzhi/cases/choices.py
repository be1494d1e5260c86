from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected as invalid")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    RATED = "rated", _("Rated")
    VOIDED = "voided", _("Voided")
    MERGED = "merged", _("Merged into another case")


S = CaseState
# Nothing more happens to a case in these states.
FINAL_STATES = frozenset({S.REJECTED, S.RATED, S.VOIDED, S.MERGED})
# The handling unit's clock runs (from dispatch) in these states; the response clock only until
# the unit accepts.
HANDLING_CLOCK_STATES = (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS)
RESPONSE_CLOCK_STATES = (S.DISPATCHED,)
# A case held by a handling unit, which may ask for a sidestep.
HELD_STATES = frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})
# A whistle summons units to a problem still being dealt with: from registration until the unit
# reports it resolved and it waits for verification. Never on a verified, closed, rated,
# rejected, voided or merged case.
WHISTLE_STATES = frozenset({S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.RESOLVED})


class FollowKind(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    MERGED = "merged", _("Reporter of a merged duplicate")
    FOLLOWER = "follower", _("Follower")


# Who checks the result on the spot besides the grid worker: the people who reported the problem.
VERIFYING_FOLLOWERS = (FollowKind.REPORTER, FollowKind.MERGED)


class Channel(models.TextChoices):
    RESIDENT_APP = "resident_app", _("Resident's phone")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    OPEN311 = "open311", _("Open311")


# Channels through which staff take a report down on a resident's behalf.
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN, Channel.LETTER})


class CaseClass(models.TextChoices):
    THING = "thing", _("Thing (component, 部件)")
    EVENT = "event", _("Event (事件)")
    COMMUNITY = "community", _("Community matter")


class RoutingRule(models.TextChoices):
    TERRITORY = "territory", _("By territory (属地): the department of a kind serving the place")
    OWNER = "owner", _("By owner (属主): a named department")
    COMMUNITY = "community", _("The community itself")
    STREET = "street", _("The street office")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class SidestepKind(models.TextChoices):
    RETURN = "return", _("Return (wrong unit)")
    TRANSFER = "transfer", _("Transfer")
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")
    VOID = "void", _("Void")


class SidestepStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Reported")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected as invalid")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    STARTED = "started", _("Work started")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    VERIFICATION_FAILED = "verification_failed", _("Verification failed")
    CLOSED = "closed", _("Closed")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    SIDESTEP_REQUESTED = "sidestep_requested", _("Sidestep requested")
    SIDESTEP_APPROVED = "sidestep_approved", _("Sidestep approved")
    SIDESTEP_DENIED = "sidestep_denied", _("Sidestep denied")
    RETURNED = "returned", _("Returned to the dispatcher")
    TRANSFERRED = "transferred", _("Transferred")
    EXTENDED = "extended", _("Deadline extended")
    SUSPENDED = "suspended", _("Suspended")
    VOIDED = "voided", _("Voided")
    RESUMED = "resumed", _("Resumed")
    MERGED = "merged", _("Merged into another case")
    ABSORBED = "absorbed", _("Duplicate merged in")
    WHISTLE = "whistle", _("Whistle blown")
    CHECKED_IN = "checked_in", _("Reported in")
    WHISTLE_ACTION = "whistle_action", _("Summoned unit acted")
    ESCALATED = "escalated", _("Escalated")
    # A note added to the public timeline without changing the case (e.g. the reporting channel's comment).
    COMMENTED = "commented", _("Comment added")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    AUDIO = "audio", _("Voice recording")
    AFTER_PHOTO = "after_photo", _("Photo after handling")


class Attendance(models.TextChoices):
    PENDING = "pending", _("Not yet reported in")
    ON_TIME = "on_time", _("Reported in on time")
    LATE = "late", _("Reported in late")
    ABSENT = "absent", _("Absent")


class EscalationKind(models.TextChoices):
    RESPONSE_WARNING = "response_warning", _("Response deadline near")
    RESPONSE_OVERDUE = "response_overdue", _("Response overdue")
    HANDLING_WARNING = "handling_warning", _("Handling deadline near")
    HANDLING_OVERDUE = "handling_overdue", _("Handling overdue")
