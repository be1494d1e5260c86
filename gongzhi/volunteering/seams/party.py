"""A party member's service hours (the member review, feedback cards) count the hours certified for
the member's user account here, beside the community's own service record (ServiceEntry)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum


def member_service_hours(member_ids: list[int], start: dt.date, end: dt.date) -> dict[int, tuple[Decimal, int]]:
    from gongzhi.party.models import Member
    from gongzhi.party.seams.registrations import service_entry_hours

    from ..choices import HoursStatus
    from ..models import ServiceHours

    figures = dict(service_entry_hours(member_ids, start, end))
    users = dict(Member.objects.filter(pk__in=list(member_ids), user__isnull=False).values_list("user_id", "pk"))
    if not users:
        return figures
    rows = (ServiceHours.objects.filter(person_id__in=list(users), status=HoursStatus.CERTIFIED,
                                        served_on__range=(start, end))
            .values_list("person_id").annotate(hours=Sum("hours"), n=Count("pk")).order_by())
    for user_id, hours, n in rows:
        member_id = users[user_id]
        had, count = figures.get(member_id, (Decimal(0), 0))
        figures[member_id] = (had + Decimal(hours or 0), count + n)
    return figures


def register() -> None:
    from gongzhi.party.seams.registrations import register_service_hours_provider

    register_service_hours_provider(member_service_hours)
