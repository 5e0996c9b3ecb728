"""The manual clock moves only when told, by text durations, timedeltas, or to a set time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from engine.core.clock import ManualClock, SystemClock, move_limit
from engine.errors import InvalidClockMove
from tests.support.seed import MONDAY

FRIDAY_4PM = datetime(2025, 1, 10, 16, 0, tzinfo=timezone(timedelta(hours=7)))


def test_it_stands_still_until_moved():
    clock = ManualClock(MONDAY)
    assert clock.now() == clock.now() == MONDAY
    assert clock.now().tzinfo == UTC


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("36 hours", timedelta(hours=36)),
        ("90 minutes", timedelta(minutes=90)),
        ("14 days", timedelta(days=14)),
        ("7 calendar days", timedelta(days=7)),
        (timedelta(seconds=5), timedelta(seconds=5)),
    ],
)
def test_it_advances_by_a_duration(amount, expected):
    clock = ManualClock(MONDAY)
    assert clock.advance(amount) == MONDAY + expected == clock.now()


def test_working_days_are_counted_on_the_sop_calendar(catalog):
    spec = catalog.get("surabaya-complaints")
    clock = ManualClock(FRIDAY_4PM)
    assert clock.advance("1 working day", spec.calendar()) == FRIDAY_4PM + timedelta(days=3)
    with pytest.raises(ValueError, match="needs a calendar"):
        clock.advance("1 working day")


def test_bad_moves_are_refused_and_change_nothing():
    clock = ManualClock(MONDAY)
    for bad in ("soon", "-3 hours", "0 hours"):
        with pytest.raises(ValueError):
            clock.advance(bad)
    with pytest.raises(ValueError):
        clock.advance(timedelta(hours=-1))
    with pytest.raises(ValueError, match="time zone"):
        clock.set(datetime(2025, 1, 1))
    assert clock.now() == MONDAY
    assert clock.set(MONDAY - timedelta(days=1)) == MONDAY - timedelta(days=1)


def test_the_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo == UTC


def test_a_clock_with_a_maximum_refuses_longer_moves_either_way_and_stands(catalog):
    clock = ManualClock(MONDAY, max_move=move_limit("400 days"))
    cal = catalog.get("surabaya-complaints").calendar()
    far = [
        lambda: clock.set(datetime(9999, 12, 31, tzinfo=UTC)),
        lambda: clock.set(MONDAY - timedelta(days=401)),
        lambda: clock.advance("401 days"),
        lambda: clock.advance("999999999 working days", cal),  # refused before it is counted
        lambda: clock.advance("9601 hours"),
    ]
    for move in far:
        with pytest.raises(InvalidClockMove, match="at most 400 days each"):
            move()
    assert clock.now() == MONDAY
    assert clock.advance("400 days") == MONDAY + timedelta(days=400)
    assert clock.set(MONDAY) == MONDAY  # back again, in one move of the maximum
    with pytest.raises(ValueError, match="days, hours or minutes"):
        move_limit("3 working days")
