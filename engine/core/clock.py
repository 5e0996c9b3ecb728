"""Where "now" comes from. The core never reads a clock; the service asks one of these.

    SystemClock()                  the real time, in UTC
    ManualClock(start)             stands still until moved: advance(...) or set(...)
    ManualClock(start, max_move=timedelta(days=400))   a move of more than that is refused
    with clock.held() as now: ...  work done at one time: a manual clock is not moved meanwhile

A manual clock is for demos and end-to-end tests (`sop serve --clock manual`): it lets a test
move a ticket 14 days forward without sleeping. It is thread-safe, and a move waits for the
work begun at the time it replaces (`held`, e.g. a sweep of what is due): once a move has
returned, nothing is done at the time before it. A move it cannot make raises
`InvalidClockMove` and leaves the clock where it was; so does a move, either way, of more than
`max_move` (a server's `SOP_CLOCK_MAX_MOVE`): a move makes the sweeper apply everything that
fell due on the way, and a jump to year 9999 would fire a daily reminder millions of times.
Moving further takes several calls, each applying what fell due in its stretch.
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

__all__ = ["Clock", "ManualClock", "SystemClock", "move_limit"]


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

    def __init__(self, start: datetime | None = None, *, max_move: timedelta | None = None) -> None:
        if max_move is not None and max_move <= timedelta(0):
            raise ValueError(f"max_move must be more than zero, not {max_move}")
        self._now = utc(start, "start") if start is not None else datetime.now(UTC)
        self.max_move = max_move  # the most one move may go, forwards or backwards; None: any
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
            self._check_move(when - self._now, "set")
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
                self._check_move(max(_at_least(amount), timedelta(0)))  # before counting it
                new = _forward(self._now, amount, calendar)
            except InvalidClockMove:
                raise
            except ValueError as exc:
                raise InvalidClockMove(str(exc), errors={"advance": [str(exc)]}) from None
            self._check_move(new - self._now, "advance")
            self._now = new
            return new

    def _check_move(self, move: timedelta, field: str = "advance") -> None:
        """Refuse a move of more than `max_move`, saying how to get there in several calls."""
        if self.max_move is None or abs(move) <= self.max_move:
            return
        most = _span(self.max_move)
        if field == "set":
            step = self._now + (self.max_move if move > timedelta(0) else -self.max_move)
            example = f'{{"set": "{step.isoformat()}"}}'
        else:
            example = f'{{"advance": "{most}"}}'
        raise InvalidClockMove(
            f"moving the clock by {_span(abs(move))} is more than one call may move it "
            f"({most}, SOP_CLOCK_MAX_MOVE); it stays at {self._now.isoformat()}. Move it in "
            f"several calls of at most {most} each, e.g. {example}: each call applies what "
            "fell due on its way",
            errors={field: [f"at most {most} per call; move further in several calls"]},
        )


def move_limit(text: str) -> timedelta:
    """A `max_move` as a setting writes it ("400 days", "36 hours"): elapsed time only, since
    it bounds moves counted on any SOP's calendar. ValueError saying what to write."""
    duration = parse_duration(text)
    if duration.unit == "working_days" or duration.office:
        raise ValueError(f"{text!r}: give the most one move may go in days, hours or minutes")
    return _at_least(duration)


def _at_least(amount: str | timedelta | Duration) -> timedelta:
    """The elapsed time `amount` takes at the least, counted without a calendar (a working day
    lasts at least a calendar day, office time at least as long elapsed): a move too far is
    refused before a huge sum of working days is counted. `timedelta.max` when beyond it."""
    if isinstance(amount, timedelta):
        return amount
    duration = parse_duration(amount) if isinstance(amount, str) else amount
    unit = _ELAPSED[duration.unit]
    try:
        return timedelta(**{unit: duration.amount})
    except OverflowError:
        return timedelta.max


_ELAPSED = {
    "seconds": "seconds",
    "minutes": "minutes",
    "hours": "hours",
    "calendar_days": "days",
    "working_days": "days",
}


def _span(amount: timedelta) -> str:
    """A move's size as a request would write it: "400 days", "36 hours", "2912801.9 days"."""
    seconds = amount.total_seconds()
    units = [(unit, seconds / size) for unit, size in _SPANS if seconds >= size]
    for unit, n in units:
        if n.is_integer():
            return f"{n:.0f} {unit}"
    if units:
        return f"{units[0][1]:.1f} {units[0][0]}"
    return f"{seconds:g} seconds"


_SPANS = (("days", 86_400), ("hours", 3_600), ("minutes", 60))


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
