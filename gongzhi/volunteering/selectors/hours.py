"""Reads of certified hours: a person's own, a desk's, totals and star levels."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from gongzhi.core import scope

from .. import conf
from ..choices import HoursStatus
from ..models import ServiceHours
from ..permissions import VolunteeringAction as A


@dataclass(frozen=True)
class Standing:
    hours: Decimal
    records: int
    stars: int
    next_at: int | None  # the hours of the next star (None at five stars)

    @property
    def to_next(self) -> Decimal | None:
        return None if self.next_at is None else Decimal(self.next_at) - self.hours


def stars_for(hours: Decimal) -> int:
    return sum(1 for threshold in conf.star_hours() if hours >= threshold)


def standing_of(hours: Decimal, records: int = 0) -> Standing:
    # SQLite sums decimals as floats: back to hundredths, as certified.
    hours = Decimal(hours).quantize(Decimal("0.01"))
    stars = stars_for(hours)
    thresholds = conf.star_hours()
    return Standing(hours=hours, records=records, stars=stars,
                    next_at=thresholds[stars] if stars < len(thresholds) else None)


def my_hours(user) -> QuerySet[ServiceHours]:
    """Every record of the user's hours, voided ones included (they see what was corrected)."""
    return (scope.restrict(ServiceHours.objects.filter(person=user), user, A.SERVE)
            .select_related("community", "replaces").order_by("-served_on", "-id"))


def total_of(person, *, year: int | None = None) -> Standing:
    qs = ServiceHours.objects.filter(person=person, status=HoursStatus.CERTIFIED)
    if year is not None:
        qs = qs.filter(served_on__year=year)
    row = qs.aggregate(hours=Sum("hours"), n=Count("pk"))
    return standing_of(Decimal(str(row["hours"] or 0)), row["n"])


def hours_for(user, *, community=None, person=None, include_voided: bool = True,
              action: str = A.VIEW) -> QuerySet[ServiceHours]:
    qs = scope.restrict(ServiceHours.objects.select_related("person", "community", "certified_by"), user, action)
    if community is not None:
        qs = qs.filter(community=community)
    if person is not None:
        qs = qs.filter(person=person)
    if not include_voided:
        qs = qs.filter(status=HoursStatus.CERTIFIED)
    return qs.order_by("-served_on", "-id")


def hours_record_for(user, pk, action: str = A.SERVE) -> ServiceHours:
    return scope.get_in_scope(ServiceHours.objects.select_related("community"), user, action, pk=pk)


def year_totals(community, year: int) -> list[dict]:
    """Each person's certified hours in `community` in `year`, most first."""
    return list(ServiceHours.objects.filter(community=community, status=HoursStatus.CERTIFIED,
                                            served_on__year=year)
                .values("person_id", "person__display_name", "person__username")
                .annotate(hours=Sum("hours")).order_by("-hours", "person_id"))
