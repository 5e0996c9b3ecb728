"""Office time: the seconds that fall inside a calendar's office hours.

A limit written in office time ("15 menit kerja", or any seconds/minutes/hours limit of an SOP
whose `defaults: {time: office_hours}`) counts only the time inside the office hours of the
calendar's *working dates* (its working weekdays, minus holidays and collective leave). On a
date that one of the calendar's `overrides` covers, the override's hours replace the usual
week (a closure has none). So with Mon-Thu 07:30-16:00 and Fri 07:30-11:30, 13:00-16:00, a
15-minute limit begun on Friday at 15:55 has 5 minutes on Friday and falls due on Monday at
07:40; begun at 11:25 it falls due at 13:10.

The due time is the earliest instant at which the amount is used up (a limit that ends exactly
at closing time falls due at closing time). Times are read on the calendar's local wall clock.
`WorkCalendar` (engine.core.calendar) owns one of these per calendar with office hours.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from engine.spec.model import Calendar, Hours

_US = 1_000_000
_DAY_US = 86_400 * _US
_IDLE_DAYS = 3_700  # about ten years with no office hour: the limit can never fall due


class WallClock(Protocol):
    """What office time needs of its calendar: local positions and working dates."""

    def local(self, t: datetime) -> tuple[int, int]: ...  # (local ordinal, microseconds)

    def at(self, ordinal: int, us: int) -> datetime: ...  # the UTC instant of that position

    def is_working_ordinal(self, ordinal: int) -> bool: ...


class OfficeTime:
    """Office-time arithmetic on one calendar (see the module docstring)."""

    def __init__(self, cal: Calendar, wall: WallClock) -> None:
        assert cal.office_hours is not None
        self._week = cal.office_hours
        self._overrides = cal.overrides
        self._wall = wall
        self._id = cal.id

    def spans(self, ordinal: int) -> Hours:
        """The office hours of a local date (ordinal), as (from, until) seconds."""
        if not self._wall.is_working_ordinal(ordinal):
            return ()
        day = date.fromordinal(ordinal)
        for over in reversed(self._overrides):  # the last override written wins
            if over.first <= day <= over.last:
                return over.hours[day.weekday()]
        return self._week[day.weekday()]

    def add(self, start: datetime, amount_us: int) -> datetime:
        """The earliest instant at which `amount_us` of office time from `start` is used up."""
        if amount_us <= 0:
            return start
        o, now_us = self._wall.local(start)
        idle = 0
        while idle < _IDLE_DAYS:
            spans = self.spans(o)
            idle = 0 if spans else idle + 1
            for a, b in spans:
                lo, hi = max(a * _US, now_us), b * _US
                if lo >= hi:
                    continue
                if amount_us <= hi - lo:
                    return self._wall.at(o, lo + amount_us)
                amount_us -= hi - lo
            o, now_us = o + 1, 0
        raise ValueError(
            f"calendar {self._id!r} has no office hours for ten years after "
            f"{start.isoformat()}; an office-time limit there can never fall due"
        )

    def between(self, a: datetime, b: datetime) -> int:
        """Office time between instants `a` and `b`, in microseconds (signed)."""
        if b < a:
            return -self.between(b, a)
        oa, ua = self._wall.local(a)
        ob, ub = self._wall.local(b)
        total = 0
        for o in range(oa, ob + 1):
            lo_day = ua if o == oa else 0
            hi_day = ub if o == ob else _DAY_US
            for s, e in self.spans(o):
                total += max(0, min(e * _US, hi_day) - max(s * _US, lo_day))
        return total
