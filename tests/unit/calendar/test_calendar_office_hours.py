"""Office time: a limit that counts only the office's hours (WITA, a lunch break on Friday)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.core.calendar import WorkCalendar
from engine.core.model import StepRun
from engine.core.timing import pause_run, resume_run
from engine.spec.durations import parse_duration
from engine.spec.model import Calendar, HoursOverride, Step
from engine.spec.office_hours import closed_week, parse_week

WITA = timezone(timedelta(hours=8))
WEEK = parse_week({"mon-thu": ["07:30-16:00"], "fri": ["07:30-11:30", "13:00-16:00"]})
RAMADAN = parse_week({"mon-thu": ["08:00-15:00"], "fri": ["08:00-11:30", "13:00-15:30"]})
DESK = Calendar(
    "desk",
    time_zone="WITA",
    office_hours=WEEK,
    collective_leave=(date(2025, 6, 9),),  # a Monday off
    overrides=(
        HoursOverride(date(2025, 3, 3), date(2025, 3, 28), RAMADAN, "Ramadan"),
        HoursOverride(date(2025, 5, 7), date(2025, 5, 7), closed_week(), "closed"),
    ),
)
CAL = WorkCalendar.for_spec(DESK)


def wita(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 5) -> datetime:
    return datetime(2025, month, day, hour, minute, second, tzinfo=WITA)


def due(start: datetime, text: str, cal: WorkCalendar = CAL) -> datetime:
    return cal.add(start, parse_duration(text)).astimezone(WITA)


def test_a_quarter_hour_begun_just_before_friday_closing_falls_due_on_monday_morning() -> None:
    # Friday 2 May 2025, 15:55: five minutes left that day, ten more on Monday 5 May.
    assert due(wita(2, 15, 55), "15 menit kerja") == wita(5, 7, 40)


def test_the_lunch_break_does_not_count() -> None:
    assert due(wita(2, 11, 25), "15 menit kerja") == wita(2, 13, 10)
    assert due(wita(2, 12, 0), "30 detik kerja") == wita(2, 13, 0, 30)


def test_a_limit_begun_outside_office_hours_starts_at_opening() -> None:
    assert due(wita(3, 10, 0), "15 office minutes") == wita(5, 7, 45)  # a Saturday
    assert due(wita(5, 6, 0), "2 jam kerja") == wita(5, 9, 30)


def test_a_limit_used_up_at_closing_time_falls_due_at_closing_time() -> None:
    assert due(wita(1, 15, 45), "15 menit kerja") == wita(1, 16, 0)


def test_a_day_off_has_no_office_hours() -> None:
    # Friday 6 June 15:55; Monday 9 June is collective leave: due on Tuesday.
    assert due(wita(6, 15, 55, month=6), "15 menit kerja") == wita(10, 7, 40, month=6)


def test_ramadan_hours_replace_the_week_over_their_dates() -> None:
    # Thursday 6 March 2025 closes at 15:00 in Ramadan; Friday opens at 08:00.
    assert due(wita(6, 14, 55, month=3), "15 menit kerja") == wita(7, 8, 10, month=3)


def test_a_closure_on_one_date_moves_the_limit_to_the_next_open_day() -> None:
    # Tuesday 6 May 15:55; Wednesday 7 May is closed: due on Thursday.
    assert due(wita(6, 15, 55), "15 menit kerja") == wita(8, 7, 40)


def test_the_time_zone_may_be_written_wita() -> None:
    start = wita(2, 15, 55)
    makassar = WorkCalendar.for_spec(Calendar("m", time_zone="Asia/Makassar", office_hours=WEEK))
    assert CAL.add(start, parse_duration("15 menit kerja")) == makassar.add(
        start, parse_duration("15 menit kerja")
    )
    # In WIB the same instant is 14:55 local: well inside Friday's hours.
    jakarta = WorkCalendar.for_spec(Calendar("j", time_zone="WIB", office_hours=WEEK))
    assert due(start, "15 menit kerja", jakarta) == start + timedelta(minutes=15)


def test_without_office_hours_an_office_limit_counts_elapsed_time() -> None:
    plain = WorkCalendar.for_spec(Calendar("plain", time_zone="WITA"))
    assert due(wita(2, 15, 55), "15 menit kerja", plain) == wita(2, 16, 10)


def test_elapsed_office_time_skips_the_night_and_the_weekend() -> None:
    used = CAL.elapsed(wita(2, 15, 0), wita(5, 8, 0), "minutes", office=True)
    assert used == pytest.approx(60 + 30)
    assert CAL.elapsed(wita(5, 8, 0), wita(2, 15, 0), "minutes", office=True) == -used


def test_an_office_limit_never_falling_due_is_refused() -> None:
    shut = WorkCalendar.for_spec(Calendar("shut", office_hours=closed_week()))
    with pytest.raises(ValueError, match="can never fall due"):
        shut.add(wita(2, 9), parse_duration("15 menit kerja"))


STEP = Step(1, "desk", "Menerima surat", ("clerk",), (), parse_duration("15 menit kerja"), "")


def start_run_on(cal: Calendar, at: datetime) -> StepRun:
    assert STEP.time_limit is not None
    return StepRun(STEP.id, STEP.no, at, WorkCalendar.for_spec(cal).add(at, STEP.time_limit))


def test_a_pause_keeps_the_office_time_left() -> None:
    run = start_run_on(DESK, wita(1, 15, 50))  # Thursday: due Friday 07:35
    assert run.due == wita(2, 7, 35)
    paused = pause_run(run, wita(1, 15, 55))  # ten office minutes left
    resumed = resume_run(paused, wita(2, 11, 25), DESK, STEP)  # five before lunch, five after
    assert resumed.due == wita(2, 13, 5)


def test_a_pause_after_the_due_time_changes_nothing() -> None:
    run = start_run_on(DESK, wita(1, 15, 50))
    resumed = resume_run(pause_run(run, wita(2, 8, 0)), wita(2, 9, 0), DESK, STEP)
    assert resumed.due == wita(2, 7, 35)
