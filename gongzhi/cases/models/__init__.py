from .case import Case, CaseFollower, TrackingCounter
from .catalogue import Category
from .escalation import Escalation, EscalationSweep
from .sidestep import Sidestep
from .timeline import CaseAttachment, CaseEvent, CaseRating
from .whistle import Summons, Whistle

__all__ = [
    "Case", "CaseAttachment", "CaseEvent", "CaseFollower", "CaseRating", "Category", "Escalation",
    "EscalationSweep", "Sidestep", "Summons", "TrackingCounter", "Whistle",
]
