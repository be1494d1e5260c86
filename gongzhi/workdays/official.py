"""Where the official calendar comes from: our table of State Council notices (data/cn_official.json)
and, for a year without a notice yet, the statutory holidays the `holidays` package estimates."""

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
def notices() -> dict[int, dict]:
    with DATA_FILE.open(encoding="utf-8") as f:
        return {int(year): notice for year, notice in json.load(f)["years"].items()}


def official_days(year: int) -> list[OfficialDay]:
    """The days of `year` that break the weekly rule, by the best source there is."""
    notice = notices().get(year)
    return _from_notice(notice) if notice else _estimated(year)


def _from_notice(notice: dict) -> list[OfficialDay]:
    days = []
    for holiday in notice["holidays"]:
        first, last = (dt.date.fromisoformat(d) for d in holiday["off"])
        day = first
        while day <= last:
            days.append(OfficialDay(day, False, holiday["name"], DaySource.STATE_COUNCIL))
            day += dt.timedelta(days=1)
        for worked in holiday["work"]:
            name = _("Swapped working day (%(holiday)s)") % {"holiday": holiday["name"]}
            days.append(OfficialDay(dt.date.fromisoformat(worked), True, name[:100], DaySource.STATE_COUNCIL))
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
