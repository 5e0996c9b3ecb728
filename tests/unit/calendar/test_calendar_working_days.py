"""Working-days due times on the Indonesian calendar (Asia/Jakarta, public + cuti bersama)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest

from engine.core.calendar import WorkCalendar
from engine.spec.model import Calendar, Duration

WIB = timezone(timedelta(hours=7))  # Asia/Jakarta, no DST

INDONESIA = Calendar(
    id="working",
    time_zone="Asia/Jakarta",
    holidays_country="ID",
    holidays_categories=("public", "government"),
)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def due(start: datetime, amount: float, cal: Calendar = INDONESIA) -> datetime:
    result = WorkCalendar.for_spec(cal).add(start, Duration(amount, "working_days"))
    assert result.tzinfo is UTC
    return result.astimezone(WIB)


def test_the_package_holds_the_dates_these_tests_rely_on() -> None:
    public = holidays.country_holidays("ID", years=2025, categories=("public",))
    government = holidays.country_holidays("ID", years=2025, categories=("government",))
    assert date(2025, 3, 31) in public  # Idul Fitri
    assert date(2025, 12, 25) in public  # Christmas
    for d in (2, 3, 4, 7):
        assert date(2025, 4, d) in government  # cuti bersama Idul Fitri
    assert date(2025, 12, 26) in government  # cuti bersama Christmas


def test_friday_afternoon_plus_one_working_day_is_monday_same_time() -> None:
    assert due(wib(2025, 10, 10, 15), 1) == wib(2025, 10, 13, 15)


def test_weekend_start_counts_from_monday_and_ends_at_its_midnight() -> None:
    # Saturday 10:00 and Sunday 23:30: the whole Monday is the one working day.
    assert due(wib(2025, 10, 11, 10), 1) == wib(2025, 10, 14, 0)
    assert due(wib(2025, 10, 12, 23, 30), 1) == wib(2025, 10, 14, 0)
    assert due(wib(2025, 10, 12, 9), 2.5) == wib(2025, 10, 15, 12)


def test_fractional_and_multi_day_amounts() -> None:
    assert due(wib(2025, 10, 10, 18), 0.5) == wib(2025, 10, 13, 6)
    assert due(wib(2025, 10, 6, 9), 5) == wib(2025, 10, 13, 9)  # a whole week
    assert due(wib(2025, 10, 6, 0), 5) == wib(2025, 10, 11, 0)  # Mon 00:00: ends Fri midnight


def test_zero_amount_is_due_at_once() -> None:
    assert due(wib(2025, 10, 11, 10), 0) == wib(2025, 10, 11, 10)


def test_idul_fitri_and_its_cuti_bersama_are_skipped() -> None:
    # Thu 27 March 15:00; 28 Mar joint holiday, 31 Mar + 1 Apr Idul Fitri, 2-4 and 7 Apr
    # cuti bersama: the next working date is Tue 8 April.
    assert due(wib(2025, 3, 27, 15), 1) == wib(2025, 4, 8, 15)


def test_without_the_government_category_cuti_bersama_are_working_days() -> None:
    public_only = Calendar(id="p", holidays_country="ID", holidays_categories=("public",))
    # 28 Mar is a working day then (only the joint holiday), 31 Mar and 1 Apr are not.
    assert due(wib(2025, 3, 27, 15), 1, public_only) == wib(2025, 3, 28, 15)
    assert due(wib(2025, 3, 28, 15), 1, public_only) == wib(2025, 4, 2, 15)


def test_three_working_days_over_christmas_2025() -> None:
    # Wed 24 Dec 10:00: 14 h on the 24th; 25 (Christmas), 26 (joint holiday), 27-28 weekend
    # are skipped; 29 and 30 give 48 h; the last 10 h end on Wed 31 Dec 10:00.
    assert due(wib(2025, 12, 24, 10), 3) == wib(2025, 12, 31, 10)


def test_collective_leave_dates_of_the_calendar_are_skipped() -> None:
    base = Calendar(id="b", holidays_country="ID", holidays_categories=("public", "government"))
    leave = Calendar(
        id="b",
        holidays_country="ID",
        holidays_categories=("public", "government"),
        collective_leave=(date(2025, 5, 15), date(2025, 5, 16)),  # Thu and Fri
    )
    # Mon 12 May is Vesak, Tue 13 its joint holiday (package); Wed 14 works in both.
    assert due(wib(2025, 5, 9, 15), 1, base) == wib(2025, 5, 14, 15)
    assert due(wib(2025, 5, 14, 15), 1, base) == wib(2025, 5, 15, 15)
    assert due(wib(2025, 5, 14, 15), 1, leave) == wib(2025, 5, 19, 15)
    assert not WorkCalendar.for_spec(leave).is_working_day(date(2025, 5, 16))
    assert WorkCalendar.for_spec(base).is_working_day(date(2025, 5, 16))


def test_is_working_day() -> None:
    cal = WorkCalendar.for_spec(INDONESIA)
    assert cal.is_working_day(date(2025, 10, 10))  # a Friday
    assert not cal.is_working_day(date(2025, 10, 11))  # Saturday
    assert not cal.is_working_day(date(2025, 5, 12))  # Vesak, a Monday
    assert not cal.is_working_day(date(2025, 3, 31))  # Idul Fitri
    assert not cal.is_working_day(date(2025, 4, 2))  # cuti bersama


def test_a_late_utc_time_is_already_the_next_date_in_jakarta() -> None:
    # Fri 2025-10-10 20:00 UTC is Sat 03:00 in Jakarta: the Friday is over there.
    start = datetime(2025, 10, 10, 20, tzinfo=UTC)
    assert due(start, 1) == wib(2025, 10, 14, 0)
    # Thu 20:00 UTC is Fri 03:00 WIB: 21 working hours left on Friday, 3 more on Monday.
    assert due(datetime(2025, 10, 9, 20, tzinfo=UTC), 1) == wib(2025, 10, 13, 3)


def test_other_working_weeks_and_no_holidays() -> None:
    six_days = Calendar(id="six", working_days=(0, 1, 2, 3, 4, 5))  # no holiday country
    assert due(wib(2025, 10, 10, 15), 1, six_days) == wib(2025, 10, 11, 15)
    assert due(wib(2025, 10, 11, 15), 1, six_days) == wib(2025, 10, 13, 15)
    assert due(wib(2025, 12, 24, 10), 3, six_days) == wib(2025, 12, 27, 10)  # no holidays


def test_long_spans_across_years_match_a_day_by_day_count() -> None:
    cal = WorkCalendar.for_spec(INDONESIA)
    start = wib(2025, 11, 3, 9)
    result = due(start, 250)
    day, counted = start.date(), 0
    while counted < 250:
        counted += cal.is_working_day(day)
        day += timedelta(days=1)
    day -= timedelta(days=1)
    while not cal.is_working_day(day + timedelta(days=1)):
        day += timedelta(days=1)
    # The 250th working day counted from Mon 3 Nov ends at 09:00 of the following working date.
    assert result == datetime.combine(day + timedelta(days=1), start.timetz())


def test_daylight_saving_keeps_the_wall_clock() -> None:
    berlin = Calendar(id="de", time_zone="Europe/Berlin")
    start = datetime(2025, 3, 28, 14, tzinfo=UTC)  # Fri 15:00 CET
    result = WorkCalendar.for_spec(berlin).add(start, Duration(1, "working_days"))
    assert result == datetime(2025, 3, 31, 13, tzinfo=UTC)  # Mon 15:00 CEST, 71 h later


@pytest.mark.parametrize(
    ("start", "duration", "message"),
    [
        (datetime(2025, 5, 9, 15), Duration(1, "working_days"), "no time zone"),
        (wib(2025, 5, 9, 15), Duration(-1, "working_days"), ">= 0"),
        (wib(2025, 5, 9, 15), Duration(float("nan"), "hours"), "finite"),
        (wib(2025, 5, 9, 15), Duration(1, "weeks"), "unknown time unit"),  # type: ignore[arg-type]
        (wib(9999, 12, 1, 0), Duration(60, "working_days"), "beyond year 9999"),
        (wib(9999, 12, 1, 0), Duration(60, "calendar_days"), "beyond year 9999"),
    ],
)
def test_bad_input_says_what_to_fix(start: datetime, duration: Duration, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkCalendar.for_spec(INDONESIA).add(start, duration)


def test_bad_calendars_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Jakartaa'"):
        WorkCalendar(Calendar(id="x", time_zone="Asia/Jakartaa"))
    with pytest.raises(ValueError, match="country='XX'"):
        WorkCalendar(Calendar(id="x", holidays_country="XX"))
    with pytest.raises(ValueError, match="categories"):
        WorkCalendar(Calendar(id="x", holidays_country="ID", holidays_categories=("bank_x",)))
    with pytest.raises(ValueError, match="not weekdays"):
        WorkCalendar(Calendar(id="x", working_days=(0, 7)))
    no_days = WorkCalendar(Calendar(id="x", working_days=()))
    with pytest.raises(ValueError, match="no working days"):
        no_days.add(wib(2025, 5, 9), Duration(1, "working_days"))


def test_for_spec_shares_one_instance_per_calendar() -> None:
    assert WorkCalendar.for_spec(INDONESIA) is WorkCalendar.for_spec(
        Calendar(id="working", holidays_country="ID", holidays_categories=("public", "government"))
    )
    assert WorkCalendar.for_spec(INDONESIA) is not WorkCalendar.for_spec(Calendar(id="other"))
