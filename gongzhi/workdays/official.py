"""Where the official calendar comes from: our table of State Council notices (data/cn_official.json);
for a year whose notice is not out yet, the provisional statutory days in that table (the law's
holidays and substitute days off, no swapped working days); and for any other year, the statutory
holidays the `holidays` package estimates. Only a notice is loaded as the State Council's; the
rest is marked estimated, and an administrator may edit any day."""

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from .choices import DaySource

DATA_FILE = Path(__file__).resolve().parent / "data" / "cn_official.json"


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    is_workday: bool
    name: str
    source: str


@cache
def _table() -> dict:
    with DATA_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def notices() -> dict[int, dict]:
    """The State Council's notices, by year."""
    return {int(year): notice for year, notice in _table()["years"].items()}


def provisional() -> dict[int, dict]:
    """Years whose notice is not out yet, with their statutory days by the law's rules."""
    return {int(year): entry for year, entry in _table().get("provisional", {}).items()}


def official_days(year: int) -> list[OfficialDay]:
    """The days of `year` that break the weekly rule, by the best source there is."""
    if notice := notices().get(year):
        return _from_notice(notice, DaySource.STATE_COUNCIL)
    if entry := provisional().get(year):
        return _from_notice(entry, DaySource.ESTIMATED)
    return _estimated(year)


def _from_notice(notice: dict, source: str) -> list[OfficialDay]:
    days = []
    for holiday in notice["holidays"]:
        first, last = (dt.date.fromisoformat(d) for d in holiday["off"])
        day = first
        while day <= last:
            days.append(OfficialDay(day, False, holiday["name"], source))
            day += dt.timedelta(days=1)
        for worked in holiday["work"]:
            name = _("Swapped working day (%(holiday)s)") % {"holiday": holiday["name"]}
            days.append(OfficialDay(dt.date.fromisoformat(worked), True, name[:100], source))
    return days


def _estimated(year: int) -> list[OfficialDay]:
    import holidays

    calendar = holidays.China(years=year, language="zh_CN")
    days = [OfficialDay(day, False, name[:100], DaySource.ESTIMATED) for day, name in sorted(calendar.items())]
    days += [
        OfficialDay(day, True, _("Swapped working day"), DaySource.ESTIMATED)
        for day in sorted(calendar.weekend_workdays)
        if day.year == year
    ]
    return days
