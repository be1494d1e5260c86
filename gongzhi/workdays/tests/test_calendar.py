"""Working time on the official 2026 calendar: the National Day week and its swapped Saturday."""

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import call_command
from django.utils import translation

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.workdays.calendar import add_working_time, is_workday, working_time_between
from gongzhi.workdays.choices import DaySource
from gongzhi.workdays.models import CalendarDay
from gongzhi.workdays.official import notices, official_days, provisional
from gongzhi.workdays.services import clear_day, load_official_calendar, set_day

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def calendar(db):
    return load_official_calendar(years=[2026, 2027])


def test_national_day_week_and_its_swapped_days(calendar):
    assert is_workday(dt.date(2026, 9, 20))  # Sunday worked in exchange
    assert is_workday(dt.date(2026, 10, 10))  # Saturday worked in exchange
    assert not any(is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert is_workday(dt.date(2026, 10, 8)) and is_workday(dt.date(2026, 10, 9))
    assert not is_workday(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_days_skip_the_holiday_and_count_the_swapped_saturday(calendar):
    # Reported on Wednesday 30 September: working days are 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, swapped).
    assert add_working_time(at(2026, 9, 30, 10), 1, "days") == at(2026, 10, 8, 17, 30)
    assert add_working_time(at(2026, 9, 30, 10), 3, "days") == at(2026, 10, 10, 17, 30)
    assert add_working_time(at(2026, 9, 30, 10), 4, "days") == at(2026, 10, 12, 17, 30)


def test_hours_skip_lunch_nights_and_holidays(calendar):
    assert add_working_time(at(2026, 3, 9, 11), 2, "hours") == at(2026, 3, 9, 14, 30)
    assert add_working_time(at(2026, 3, 9, 22), 2, "hours") == at(2026, 3, 10, 10, 30)
    # Friday 16:30 before the Mid-Autumn weekend → Monday 28 September
    assert add_working_time(at(2026, 9, 24, 16, 30), 2, "hours") == at(2026, 9, 28, 9, 30)
    # Wednesday 30 September 17:00, 1 hour → the 8 October morning
    assert add_working_time(at(2026, 9, 30, 17), 1, "hours") == at(2026, 10, 8, 9, 0)
    # Ending exactly at noon stays at noon rather than jumping to the afternoon.
    assert add_working_time(at(2026, 3, 9, 8, 30), 3.5, "hours") == at(2026, 3, 9, 12, 0)
    assert add_working_time(at(2026, 3, 9, 8, 30), 0, "hours") == at(2026, 3, 9, 8, 30)


def test_working_time_between(calendar):
    assert working_time_between(at(2026, 3, 9, 8, 30), at(2026, 3, 9, 17, 30)) == dt.timedelta(hours=7.5)
    assert working_time_between(at(2026, 9, 30, 17), at(2026, 10, 8, 9)) == dt.timedelta(hours=1)
    assert working_time_between(at(2026, 10, 8, 9), at(2026, 9, 30, 17)) == -dt.timedelta(hours=1)
    start = at(2026, 9, 28, 9, 15)
    for hours in (0.5, 3, 7.5, 20, 61.25):
        assert working_time_between(start, add_working_time(start, hours, "hours")) == dt.timedelta(hours=hours)


def test_our_2026_notice_agrees_with_the_holidays_package():
    ours = {d.date: d.is_workday for d in official_days(2026)}
    package = holidays.China(years=2026)
    for day in package:
        assert ours.get(day) is False, day
    assert {d for d, work in ours.items() if work} == {d for d in package.weekend_workdays if d.year == 2026}


def test_2027_is_provisional_until_its_notice_the_law_s_days_without_swaps():
    """No 2027 notice was published in any source we have (2026-11-23): the statutory holidays of
    the 2024 rules with their substitute days off, marked estimated, no swapped working days."""
    assert 2027 not in notices() and 2027 in provisional()
    days = official_days(2027)
    assert all(d.source == DaySource.ESTIMATED and not d.is_workday for d in days)
    off = {d.date for d in days}
    # 13 statutory days (元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) ...
    statutory = {dt.date(2027, 1, 1), *(dt.date(2027, 2, d) for d in (5, 6, 7, 8)), dt.date(2027, 4, 5),
                 dt.date(2027, 5, 1), dt.date(2027, 5, 2), dt.date(2027, 6, 9), dt.date(2027, 9, 15),
                 *(dt.date(2027, 10, d) for d in (1, 2, 3))}
    assert len(statutory) == 13 and statutory <= off
    # ... and a working day off for each that falls on a weekend.
    substitutes = off - statutory
    assert len(substitutes) == sum(1 for d in statutory if d.weekday() >= 5) == 6
    assert all(d.weekday() < 5 for d in substitutes)
    # The holidays package, estimating by the same rules, agrees day for day.
    assert off == {d for d in holidays.China(years=2027)}


def test_a_year_in_no_table_is_estimated_from_the_package():
    assert 2028 not in notices() and 2028 not in provisional()
    days = official_days(2028)
    assert days and all(d.source == DaySource.ESTIMATED for d in days)
    assert dt.date(2028, 10, 1) in {d.date for d in days if not d.is_workday}


def test_the_2027_provisional_calendar_counts_deadlines(calendar):
    # Thursday 30 September 2027, 1 working day: the National Day days and their substitutes are off.
    assert add_working_time(at(2027, 9, 30, 10), 1, "days") == at(2027, 10, 6, 17, 30)
    assert not is_workday(dt.date(2027, 2, 9)) and is_workday(dt.date(2027, 2, 11))


def test_loading_is_idempotent_and_keeps_manual_edits(calendar, django_user_model):
    assert calendar.created > 40
    before = AuditEntry.objects.count()
    again = load_official_calendar(years=[2026, 2027])
    assert again.changed == 0 and AuditEntry.objects.count() == before
    admin = django_user_model.objects.create_user("admin", is_superuser=True)
    set_day(actor=admin, day=dt.date(2026, 10, 10), is_workday=False, name="防汛停工", reason="暴雨红色预警")
    again = load_official_calendar(years=[2026])
    assert again.kept_manual == [dt.date(2026, 10, 10)] and again.changed == 0
    assert not is_workday(dt.date(2026, 10, 10))
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).source == DaySource.MANUAL


def test_edits_take_effect_at_once_and_are_audited(calendar, django_user_model):
    admin = django_user_model.objects.create_user("admin", is_superuser=True)
    assert add_working_time(at(2026, 10, 7, 10), 1, "days") == at(2026, 10, 8, 17, 30)
    set_day(actor=admin, day=dt.date(2026, 10, 8), is_workday=False, name="防汛停工", reason="暴雨红色预警")
    assert add_working_time(at(2026, 10, 7, 10), 1, "days") == at(2026, 10, 9, 17, 30)
    clear_day(actor=admin, day=dt.date(2026, 10, 8), reason="预警解除")
    assert add_working_time(at(2026, 10, 7, 10), 1, "days") == at(2026, 10, 8, 17, 30)
    actions = list(AuditEntry.objects.filter(action__startswith="workdays.").values_list("action", flat=True))
    assert sorted(actions) == ["workdays.clear_day", "workdays.load", "workdays.set_day"]
    with pytest.raises(DomainError):
        set_day(actor=admin, day=dt.date(2026, 10, 8), is_workday=False, name="x", reason=" ")


def test_the_command(db, capsys):
    with translation.override("en"):
        call_command("load_workdays", "2026", "2027")
        out = capsys.readouterr().out
        assert "2026, 2027" in out and "2027: no State Council notice" in out
        call_command("load_workdays", "2026")
        assert "0 days added" in capsys.readouterr().out
    assert CalendarDay.objects.filter(date__year=2026).count() == len(official_days(2026))


def test_working_periods_come_from_settings(calendar, settings):
    from gongzhi.workdays.calendar import forget_calendar

    settings.GONGZHI_WORKING_PERIODS = (("09:00", "12:00"), ("14:00", "18:00"))
    forget_calendar()
    assert add_working_time(at(2026, 3, 9, 11), 2, "hours") == at(2026, 3, 9, 15, 0)
