"""Clock units, elapsed amounts and pauses on the SLA calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.calendar import WorkCalendar
from engine.spec.model import Calendar, Duration

WIB = timezone(timedelta(hours=7))
INDONESIA = Calendar(
    id="working",
    time_zone="Asia/Jakarta",
    holidays_country="ID",
    holidays_categories=("public", "government"),
    collective_leave=(datetime(2026, 2, 11).date(),),  # a Wednesday
)
CAL = WorkCalendar.for_spec(INDONESIA)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_calendar_days_count_weekends_and_holidays() -> None:
    # Thu 27 Mar 2025 15:00 + 7 calendar days: straight through Idul Fitri and the weekend.
    result = CAL.add(wib(2025, 3, 27, 15), Duration(7, "calendar_days"))
    assert result == wib(2025, 4, 3, 15)
    assert result.tzinfo is UTC
    assert CAL.add(wib(2025, 10, 11, 10), Duration(1.5, "calendar_days")) == wib(2025, 10, 12, 22)


def test_hours_and_minutes_are_elapsed_time() -> None:
    assert CAL.add(wib(2025, 10, 10, 15), Duration(24, "hours")) == wib(2025, 10, 11, 15)
    assert CAL.add(wib(2025, 12, 31, 23, 50), Duration(30, "minutes")) == wib(2026, 1, 1, 0, 20)
    assert CAL.add(wib(2025, 10, 10, 15), Duration(1.5, "hours")) == wib(2025, 10, 10, 16, 30)


def test_hours_over_a_daylight_saving_change_are_real_hours() -> None:
    berlin = WorkCalendar.for_spec(Calendar(id="de", time_zone="Europe/Berlin"))
    start = datetime(2025, 3, 29, 12, tzinfo=UTC)  # Sat 13:00 CET; clocks go forward Sunday
    assert berlin.add(start, Duration(24, "hours")) == start + timedelta(hours=24)
    assert berlin.add(start, Duration(1, "calendar_days")) == start + timedelta(hours=24)


def test_elapsed_in_every_unit() -> None:
    start, end = wib(2025, 10, 10, 15), wib(2025, 10, 13, 9)  # Fri 15:00 -> Mon 09:00
    assert CAL.elapsed(start, end, "hours") == 66
    assert CAL.elapsed(start, end, "minutes") == 66 * 60
    assert CAL.elapsed(start, end, "calendar_days") == pytest.approx(66 / 24)
    assert CAL.elapsed(start, end, "working_days") == pytest.approx(18 / 24)  # 9 h + 9 h
    assert CAL.elapsed(end, start, "working_days") == pytest.approx(-18 / 24)
    # Nothing of a weekend or of Idul Fitri and its cuti bersama counts.
    assert CAL.elapsed(wib(2025, 10, 11, 1), wib(2025, 10, 12, 23), "working_days") == 0
    assert CAL.elapsed(wib(2025, 3, 28, 0), wib(2025, 4, 8, 0), "working_days") == 0
    assert CAL.elapsed(wib(2025, 3, 27, 12), wib(2025, 4, 8, 12), "working_days") == 1
    # The calendar's own collective-leave date (Wed 11 Feb 2026) does not count either.
    assert CAL.elapsed(wib(2026, 2, 9, 0), wib(2026, 2, 14, 0), "working_days") == 4


def test_elapsed_refuses_unknown_units_and_naive_times() -> None:
    with pytest.raises(ValueError, match="unknown time unit 'days'"):
        CAL.elapsed(wib(2025, 1, 1), wib(2025, 1, 2), "days")
    with pytest.raises(ValueError, match="end .* no time zone"):
        CAL.elapsed(wib(2025, 1, 1), datetime(2025, 1, 2), "hours")


def test_pause_over_a_weekend_keeps_the_working_time_left() -> None:
    # 1 working day started Fri 10:00 is due Mon 10:00. Paused at once until Mon 10:00: the whole
    # working day is still left, so it is now due Tue 10:00.
    due = CAL.add(wib(2025, 10, 10, 10), Duration(1, "working_days"))
    assert due == wib(2025, 10, 13, 10)
    assert CAL.shift_for_pause(
        due, wib(2025, 10, 10, 10), wib(2025, 10, 13, 10), "working_days"
    ) == wib(2025, 10, 14, 10)


def test_pause_that_loses_no_working_time_leaves_the_due_time() -> None:
    due = wib(2025, 10, 13, 15)
    shifted = CAL.shift_for_pause(due, wib(2025, 10, 11, 10), wib(2025, 10, 12, 10), "working_days")
    assert shifted == due


def test_pause_part_way_through() -> None:
    # Due Wed 15 Oct 12:00; paused Tue 14 Oct 18:00 (18 h left) until Fri 17 Oct 20:00:
    # 4 h left on Friday, 14 h on Monday -> Mon 20 Oct 14:00.
    shifted = CAL.shift_for_pause(
        wib(2025, 10, 15, 12), wib(2025, 10, 14, 18), wib(2025, 10, 17, 20), "working_days"
    )
    assert shifted == wib(2025, 10, 20, 14)
    # In elapsed units the pause length is simply added.
    shifted = CAL.shift_for_pause(
        wib(2025, 10, 15, 12), wib(2025, 10, 14, 18), wib(2025, 10, 17, 20), "hours"
    )
    assert shifted == wib(2025, 10, 18, 14)


def test_a_due_time_already_passed_at_the_pause_stays() -> None:
    due = wib(2025, 10, 13, 10)
    after = CAL.shift_for_pause(due, wib(2025, 10, 13, 11), wib(2025, 10, 14, 9), "working_days")
    assert after == due


def test_resume_before_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="resumed_at .* is before paused_at"):
        CAL.shift_for_pause(wib(2025, 10, 20), wib(2025, 10, 14), wib(2025, 10, 13), "hours")


# 2024-2027 in Jakarta, to the second, as seen from any UTC offset.
moments = st.builds(
    lambda seconds, offset: (wib(2024, 1, 1) + timedelta(seconds=seconds)).astimezone(
        timezone(timedelta(minutes=offset))
    ),
    st.integers(min_value=0, max_value=4 * 365 * 86400),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
amounts = st.one_of(
    st.integers(min_value=0, max_value=40).map(float),
    st.floats(min_value=0, max_value=40, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300, deadline=None)
@given(start=moments, amount=amounts, unit=st.sampled_from(["working_days", "calendar_days"]))
def test_elapsed_measures_what_add_added(start: datetime, amount: float, unit: str) -> None:
    due = CAL.add(start, Duration(amount, unit))  # type: ignore[arg-type]
    assert due >= start
    assert CAL.elapsed(start, due, unit) == pytest.approx(amount, abs=1e-6)
    if unit == "working_days" and amount > 1e-6:
        # The earliest such instant: a minute earlier the amount was not yet used up (for an
        # amount above the comparison's tolerance: hypothesis found 9e-12 of a day).
        before = due - timedelta(minutes=1)
        assert CAL.elapsed(start, before, unit) < amount - 1e-9 or before < start


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=amounts, pause=moments, length=st.integers(0, 30 * 86400))
def test_a_pause_keeps_the_working_time_left(
    start: datetime, amount: float, pause: datetime, length: int
) -> None:
    due = CAL.add(start, Duration(amount, "working_days"))
    resumed = pause + timedelta(seconds=length)
    shifted = CAL.shift_for_pause(due, pause, resumed, "working_days")
    if due <= pause:
        assert shifted == due
    else:
        left = CAL.elapsed(pause, due, "working_days")
        assert CAL.elapsed(resumed, shifted, "working_days") == pytest.approx(left, abs=1e-9)
        assert shifted >= due  # a pause never brings a due time forward
