from .base import Sited
from .leaders import LeaderLink, LeaderProblem, LeaderVisit
from .members import Member, Transfer
from .organisations import Facility, Meeting, MeetingAttendance, Organisation, OrganisationChange, Seat, Term
from .registrations import FeedbackCard, MemberRegistration, Policy, Project, ServiceEntry, UnitRegistration

__all__ = ["Facility", "FeedbackCard", "LeaderLink", "LeaderProblem", "LeaderVisit", "Meeting", "MeetingAttendance",
           "Member", "MemberRegistration", "Organisation", "OrganisationChange", "Policy", "Project", "Seat",
           "ServiceEntry", "Sited", "Term", "Transfer", "UnitRegistration"]
