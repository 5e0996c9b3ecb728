"""Where "now" comes from. The core never reads a clock; the service asks one of these.

    SystemClock()                  the real time, in UTC
    ManualClock(start)             stands still until moved: advance(...) or set(...)
    with clock.held() as now: ...  work done at one time: a manual clock is not moved meanwhile

A manual clock is for demos and end-to-end tests (`sop serve --clock manual`): it lets a test
move a ticket 14 days forward without sleeping. It is thread-safe, and a move waits for the
work begun at the time it replaces (`held`, e.g. a sweep of what is due): once a move has
returned, nothing is done at the time before it. A move it cannot make raises
`InvalidClockMove` and leaves the clock where it was.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol

from engine.core.calendar import WorkCalendar, utc
from engine.errors import InvalidClockMove
from engine.spec.durations import parse_duration
from engine.spec.model import Calendar, Duration

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def held(self) -> AbstractContextManager[datetime]:
        """The current time, for work done at that time (a sweep): the clock is not moved
        until the `with` block ends."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    @contextmanager
    def held(self) -> Iterator[datetime]:
        """The real time cannot be moved: only read."""
        yield self.now()


class ManualClock:
    """A clock that moves only when told to, and not while work at its time is under way."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = utc(start, "start") if start is not None else datetime.now(UTC)
        self._lock = threading.Lock()  # guards _now: reading it never waits for a sweep
        self._still = threading.Lock()  # held by work at the current time; a move takes it

    def now(self) -> datetime:
        with self._lock:
            return self._now

    @contextmanager
    def held(self) -> Iterator[datetime]:
        """The current time, held for the `with` block: a move waits until the block ends, so
        what the block does at this time is done before the clock shows another. Blocks run
        one at a time; do not move the clock inside one (it would wait for itself)."""
        with self._still:
            yield self.now()

    def set(self, when: datetime) -> datetime:
        """Jump to `when` (forwards or backwards), once no work at the current time is under
        way (`held`); returns the new time."""
        try:
            when = utc(when, "set")
        except ValueError as exc:
            raise InvalidClockMove(str(exc), errors={"set": [str(exc)]}) from None
        with self._still, self._lock:
            self._now = when
            return when

    def advance(
        self, amount: str | timedelta | Duration, calendar: Calendar | None = None
    ) -> datetime:
        """Move forward by `amount`: a timedelta, a Duration or text such as "14 days",
        "36 hours", "3 working days", "30 detik", "15 menit kerja". Working days and office
        time need the `calendar` to count on (for example `spec.calendar()`, the SOP's default
        calendar). Waits, as `set` does, for work at the current time; returns the new time."""
        with self._still, self._lock:
            try:
                self._now = _forward(self._now, amount, calendar)
            except ValueError as exc:
                raise InvalidClockMove(str(exc), errors={"advance": [str(exc)]}) from None
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
