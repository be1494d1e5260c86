"""Writes to the working calendar, each audited; every write moves the calendar version so all
processes re-read it."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError

from .calendar import forget_calendar
from .choices import DaySource
from .models import CalendarDay, CalendarVersion
from .official import official_days


@dataclass
class LoadReport:
    years: list[int]
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_manual: list[dt.date] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def bump_version() -> CalendarVersion:
    version, _created = CalendarVersion.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )
    # This process may read the calendar again within the same transaction: drop its copy now.
    forget_calendar()
    return version


@transaction.atomic
def load_official_calendar(*, years: list[int], actor=None, actor_label: str = "load-workdays") -> LoadReport:
    """Write the official holidays and swapped working days of `years`. Running it again changes
    nothing; an administrator's edits are kept; rows the source no longer lists are removed
    (an estimated year replaced by its State Council notice)."""
    report = LoadReport(years=sorted(years))
    for year in report.years:
        wanted = {d.date: d for d in official_days(year)}
        existing = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
        for day, official in wanted.items():
            row = existing.get(day)
            if row is None:
                CalendarDay.objects.create(date=day, is_workday=official.is_workday, name=official.name,
                                           source=official.source)
                report.created += 1
            elif row.source == DaySource.MANUAL:
                report.kept_manual.append(day)
            elif (row.is_workday, row.name, row.source) != (official.is_workday, official.name, official.source):
                row.is_workday, row.name, row.source = official.is_workday, official.name, official.source
                row.updated_at = timezone.now()
                row.save(update_fields=["is_workday", "name", "source", "updated_at"])
                report.updated += 1
        stale = [row.pk for day, row in existing.items() if day not in wanted and row.source != DaySource.MANUAL]
        report.removed += CalendarDay.objects.filter(pk__in=stale).delete()[0]
    if report.changed:
        version = bump_version()
        audit.record(actor=actor, actor_label=actor_label, action="workdays.load", obj=version,
                     after={"years": report.years, "created": report.created, "updated": report.updated,
                            "removed": report.removed})
    return report


@transaction.atomic
def set_day(*, actor, day: dt.date, is_workday: bool, name: str, reason: str) -> CalendarDay:
    """Make `day` a working day or a day off, whatever the weekly rule or the notice says."""
    if not reason.strip():
        raise DomainError(_("Say why the calendar is changed."))
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = _state(row)
    if row is None:
        row = CalendarDay(date=day)
    row.is_workday, row.name, row.source = is_workday, name.strip()[:100], DaySource.MANUAL
    row.updated_at = timezone.now()
    row.save()
    bump_version()
    audit.record(actor=actor, action="workdays.set_day", obj=row, before=before, after=_state(row), reason=reason)
    return row


@transaction.atomic
def clear_day(*, actor, day: dt.date, reason: str) -> None:
    """Let `day` follow the weekly rule again (an exception removed)."""
    if not reason.strip():
        raise DomainError(_("Say why the calendar is changed."))
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        return
    before = _state(row)
    row.delete()
    version = bump_version()
    audit.record(actor=actor, action="workdays.clear_day", obj=version, before=before, reason=reason)


def _state(row: CalendarDay | None) -> dict | None:
    if row is None:
        return None
    return {"date": row.date, "is_workday": row.is_workday, "name": row.name, "source": row.source}
