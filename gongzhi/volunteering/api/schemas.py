"""Shapes the volunteering API answers with."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class VolCommunityRef(Schema):
    id: int
    code: str
    name: str


class VolSlotOut(Schema):
    id: int
    role: str
    capacity: int
    taken: int | None = None
    waiting: int | None = None


class VolActivityOut(Schema):
    id: int
    title: str
    description: str
    place: str
    community: VolCommunityRef
    publisher: str
    publisher_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    lat: float | None
    lng: float | None
    checkin_radius_m: int
    status: str
    status_label: str
    status_reason: str
    version: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class VolActivityDetailOut(VolActivityOut):
    slots: list[VolSlotOut]

    @staticmethod
    def resolve_slots(obj) -> list:
        return list(obj.slots.all())


class VolSignUpOut(Schema):
    id: int
    activity_id: int
    slot_id: int
    role: str
    status: str
    group_name: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    hours_id: int | None

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.slot.role


class VolRosterOut(VolSignUpOut):
    person: str

    @staticmethod
    def resolve_person(obj) -> str:
        return str(obj.person)


class VolHoursOut(Schema):
    id: int
    hours: Decimal
    served_on: dt.date
    community: VolCommunityRef
    source: str
    source_id: int | None
    by_group: bool
    group_name: str
    status: str
    void_reason: str
    replaces_id: int | None


class VolCorrectionOut(Schema):
    id: int
    hours_id: int
    activity_id: int
    requested_by: str
    reason: str
    proposed_hours: Decimal
    status: str
    refusal_reason: str
    replacement_id: int | None

    @staticmethod
    def resolve_requested_by(obj) -> str:
        return str(obj.requested_by)
