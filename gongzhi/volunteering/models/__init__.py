from .activities import Activity, Correction, SignUp, Slot
from .honours import Certificate, HonourEntry, HonourList
from .volunteers import ServiceHours, Volunteer

__all__ = ["Activity", "Certificate", "Correction", "HonourEntry", "HonourList", "ServiceHours", "SignUp", "Slot",
           "Volunteer"]
