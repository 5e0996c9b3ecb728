"""The manual clock moves only when told, by text durations, timedeltas, or to a set time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from engine.core.clock import ManualClock, SystemClock
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
