"""Where "now" comes from. The core never reads a clock; the service asks one of these.

    SystemClock()                  the real time, in UTC
    ManualClock(start)             stands still until moved: advance(...) or set(...)

A manual clock is for demos and end-to-end tests (`sop serve --clock manual`): it lets a test
move a ticket 14 days forward without sleeping. It is thread-safe.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

from engine.core.calendar import WorkCalendar, utc
from engine.spec.durations import parse_duration
from engine.spec.model import Calendar, Duration

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = utc(start, "start") if start is not None else datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> datetime:
        """Jump to `when` (forwards or backwards); returns the new time."""
        when = utc(when, "set")
        with self._lock:
            self._now = when
            return when

    def advance(
        self, amount: str | timedelta | Duration, calendar: Calendar | None = None
    ) -> datetime:
        """Move forward by `amount`: a timedelta, a Duration or text such as "14 days",
        "36 hours", "3 working days", "30 detik", "15 menit kerja". Working days and office
        time need the `calendar` to count on (for example `spec.calendar()`, the SOP's default
        calendar). Returns the new time."""
        with self._lock:
            self._now = _forward(self._now, amount, calendar)
            return self._now


def _forward(now: datetime, amount: str | timedelta | Duration, cal: Calendar | None) -> datetime:
    if isinstance(amount, timedelta):
        if amount < timedelta(0):
            raise ValueError(f"cannot advance the clock by a negative amount ({amount})")
        return now + amount
    duration = parse_duration(amount) if isinstance(amount, str) else amount
    if duration.amount < 0:
        raise ValueError(f"cannot advance the clock by a negative amount ({duration})")
    if cal is None:
        if duration.unit == "working_days" or duration.office:
            raise ValueError(
                f"advancing by {duration} needs a calendar; give the SOP's calendar, "
                "or use hours or calendar days"
            )
        cal = Calendar("elapsed")  # elapsed time is the same on every calendar
    return WorkCalendar.for_spec(cal).add(now, duration)
