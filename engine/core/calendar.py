"""The SLA calendar: when a time limit falls due, and how much of it has been used.

A `WorkCalendar` wraps one `engine.spec.model.Calendar` and answers, for a `Duration`:

- ``seconds`` / ``minutes`` / ``hours``: elapsed wall-clock time (real seconds, whatever the
  time zone does); for a Duration with ``office`` on a calendar with ``office_hours``, only the
  time inside office hours counts (engine.core.office_time).
- ``calendar_days``: ``amount`` x 24 hours of elapsed time; weekends and holidays count.
- ``working_days``: a *working date* is a date, in the calendar's time zone, that falls on one of
  ``working_days`` (Monday=0) and is neither a holiday (the `holidays` package, for
  ``holidays_country`` / ``holidays_subdiv`` / ``holidays_categories``) nor one of the calendar's
  ``collective_leave`` dates. Every working date contributes its 24 hours of local wall-clock
  time; time on any other date does not count. So 1 working day from Friday 15:00 is Monday
  15:00, from Saturday 10:00 it is Tuesday 00:00 (the end of Monday), and 0.5 working day from
  Friday 18:00 is Monday 06:00. Fractional amounts are allowed. Working time follows the local
  wall clock: a date on which daylight saving starts or ends still counts as one whole day, and
  "1 working day later" keeps the same wall-clock time (a due time that falls into a skipped
  hour is read with the offset before the change, as `zoneinfo` does with ``fold=0``).

The due time `add` returns is the *earliest* instant at which the amount is used up, so a limit
that ends exactly at a date boundary falls due at the following local midnight.

All inputs must be timezone-aware datetimes; every datetime returned is in UTC. Holidays are
loaded lazily, one year at a time, and cached on the instance; `WorkCalendar.for_spec` caches
one instance per `Calendar`, so the cost is paid once per process. Internally working time is
counted in whole microseconds, so `add` and `elapsed` agree exactly and long spans cost a few
bisections instead of a loop over days.

Bad input (a naive datetime, a negative amount, an unknown unit, an unknown time zone or holiday
country) raises `ValueError` saying what to fix; nothing is cached for it.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from engine.core.identity_cache import by_identity
from engine.core.office_time import OfficeTime
from engine.spec.model import Calendar, Duration
from engine.spec.office_hours import zone_name

__all__ = ["UNITS", "WorkCalendar"]

UNITS = ("seconds", "minutes", "hours", "calendar_days", "working_days")
_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "calendar_days": 86400.0}
_OFFICE_UNITS = ("seconds", "minutes", "hours")
_US = 1_000_000
_DAY_US = 86_400_000_000
_MIN_ORD = date.min.toordinal()
_MAX_ORD = date.max.toordinal()

_CACHE: dict[Calendar, WorkCalendar] = {}
# By the Calendar object itself first: hashing one (its dates, office hours, overrides) on
# every due time cost more than the arithmetic.
_BY_ID: dict[int, tuple[Any, Any]] = {}
_CACHE_LOCK = threading.Lock()


class WorkCalendar:
    """Due times and elapsed amounts on one SOP calendar (see the module docstring)."""

    def __init__(self, cal: Calendar) -> None:
        self.calendar = cal
        try:
            self._zone = ZoneInfo(zone_name(cal.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"calendar {cal.id!r}: unknown time zone {cal.time_zone!r}; "
                "use an IANA name such as 'Asia/Jakarta'"
            ) from None
        bad = [d for d in cal.working_days if not (isinstance(d, int) and 0 <= d <= 6)]
        if bad:
            raise ValueError(
                f"calendar {cal.id!r}: working_days {bad!r} are not weekdays (Monday=0 .. Sunday=6)"
            )
        self._days = sorted(set(cal.working_days))  # working weekdays, Monday=0
        self._per_week = len(self._days)
        self._mask = tuple(d in self._days for d in range(7))
        # _prefix[i]: working weekdays among Monday..weekday i-1.
        self._prefix = tuple(sum(1 for d in self._days if d < i) for i in range(8))
        self._fixed = frozenset(d.toordinal() for d in cal.collective_leave)
        if cal.holidays_country:
            try:  # fail now, not on the first deadline, if the package cannot serve this
                self._holidays_for(date.today().year)
            except (NotImplementedError, ValueError, KeyError) as exc:
                raise ValueError(
                    f"calendar {cal.id!r}: the holidays package cannot give holidays for "
                    f"country={cal.holidays_country!r} subdiv={cal.holidays_subdiv!r} "
                    f"categories={list(cal.holidays_categories)!r}: {exc}"
                ) from None
        self._lock = threading.Lock()
        self._years: set[int] = set()
        self._off_set: frozenset[int] = frozenset()  # non-working ordinals on working weekdays
        self._off: list[int] = []  # the same, sorted
        self._lo = self._hi = 0  # ordinals [lo, hi) whose years are loaded
        self._office = OfficeTime(cal, self) if cal.office_hours is not None else None

    @classmethod
    def for_spec(cls, cal: Calendar) -> WorkCalendar:
        """The shared instance for `cal` (built once per process)."""
        return by_identity(_BY_ID, cal, cls._shared)

    @classmethod
    def _shared(cls, cal: Calendar) -> WorkCalendar:
        found = _CACHE.get(cal)
        if found is None:
            built = cls(cal)
            with _CACHE_LOCK:
                found = _CACHE.setdefault(cal, built)
        return found

    # -- public API ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True if `day` (a local date in this calendar) counts for working-days limits."""
        o = day.toordinal()
        if not self._mask[(o - 1) % 7]:
            return False
        self._ensure(o, o + 1)
        return o not in self._off_set

    def is_working_ordinal(self, ordinal: int) -> bool:
        """`is_working_day` for a local date's ordinal."""
        self._ensure(ordinal, ordinal + 1)
        return self._working(ordinal)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The due time of `duration` started at `start` (UTC)."""
        unit, amount = _check_duration(duration)
        start_utc = utc(start, "start")
        office = self._office_for(unit, duration.office)
        if office is not None:
            return office.add(start_utc, round(amount * _SECONDS[unit] * _US))
        if unit == "working_days":
            return self._add_working(start_utc, round(amount * _DAY_US))
        try:
            return start_utc + timedelta(seconds=amount * _SECONDS[unit])
        except OverflowError:
            raise ValueError(f"{duration} from {start.isoformat()} is beyond year 9999") from None

    def elapsed(self, start: datetime, end: datetime, unit: str, office: bool = False) -> float:
        """How much of `unit` lies between `start` and `end` (negative if `end` is earlier);
        with `office`, only office time counts (when the calendar has office hours)."""
        _check_unit(unit)
        a, b = utc(start, "start"), utc(end, "end")
        counter = self._office_for(unit, office)
        if counter is not None:
            return counter.between(a, b) / _US / _SECONDS[unit]
        if unit == "working_days":
            return self._working_us(a, b) / _DAY_US
        return (b - a).total_seconds() / _SECONDS[unit]

    def shift_for_pause(
        self,
        due: datetime,
        paused_at: datetime,
        resumed_at: datetime,
        unit: str,
        office: bool = False,
    ) -> datetime:
        """The new due time after the clock stopped at `paused_at` and restarted at `resumed_at`.

        The amount of `unit` that was left at `paused_at` is left again at `resumed_at`. A due
        time already reached when the clock stopped stays as it is (it fell due; a pause does
        not undo that), and a pause never brings a due time forward (a working-days due time
        set on a non-working date, with no working time left, stays where it was).
        """
        _check_unit(unit)
        due_u = utc(due, "due")
        p, r = utc(paused_at, "paused_at"), utc(resumed_at, "resumed_at")
        if r < p:
            raise ValueError(
                f"resumed_at {resumed_at.isoformat()} is before paused_at {paused_at.isoformat()}"
            )
        if due_u <= p:
            return due_u
        counter = self._office_for(unit, office)
        if counter is not None:  # the office time left at the pause is left at the resume
            return max(due_u, counter.add(r, counter.between(p, due_u)))
        if unit == "working_days":
            return max(due_u, self._add_working(r, self._working_us(p, due_u)))
        return due_u + (r - p)

    def _office_for(self, unit: str, office: bool) -> OfficeTime | None:
        """The office-time counter when `unit` counts office time here, else None."""
        return self._office if office and unit in _OFFICE_UNITS else None

    # -- working time ---------------------------------------------------------------------------

    def local(self, t: datetime) -> tuple[int, int]:
        """(local date ordinal, local wall-clock microseconds since midnight) of aware `t`."""
        loc = t.astimezone(self._zone)
        us = ((loc.hour * 60 + loc.minute) * 60 + loc.second) * 1_000_000 + loc.microsecond
        return loc.toordinal(), us

    def at(self, ordinal: int, us: int) -> datetime:
        """The UTC instant of local wall-clock time `us` after midnight of date `ordinal`."""
        start = datetime.combine(date.fromordinal(ordinal), time(), tzinfo=self._zone)
        return (start + timedelta(microseconds=us)).astimezone(UTC)

    def _working(self, o: int) -> bool:
        return self._mask[(o - 1) % 7] and o not in self._off_set

    def _working_us(self, a: datetime, b: datetime) -> int:
        """Working time between aware instants `a` and `b`, in microseconds (signed)."""
        if b < a:
            return -self._working_us(b, a)
        oa, ua = self.local(a)
        ob, ub = self.local(b)
        self._ensure(oa, ob + 1)
        days = self._count(oa, ob)
        return days * _DAY_US + (ub if self._working(ob) else 0) - (ua if self._working(oa) else 0)

    def _add_working(self, start: datetime, amount_us: int) -> datetime:
        if amount_us == 0:
            return start
        if self._per_week == 0:
            raise ValueError(
                f"calendar {self.calendar.id!r} has no working days; "
                "a working-days time limit can never fall due"
            )
        o, us = self.local(start)
        self._ensure(o, o + 1)
        total = (us if self._working(o) else 0) + amount_us
        n, rest = divmod(total, _DAY_US)
        try:
            if rest == 0:  # ends exactly at the end of a working date: the next local midnight
                return self.at(self._nth(o, n - 1) + 1, 0)
            return self.at(self._nth(o, n), rest)
        except (OverflowError, ValueError):
            raise ValueError(
                f"{amount_us / _DAY_US:g} working days from {start.isoformat()} is beyond year 9999"
            ) from None

    def _pattern_before(self, o: int) -> int:
        """Working weekdays (ignoring holidays) among ordinals [1, o)."""
        weeks, rest = divmod(o - 1, 7)
        return weeks * self._per_week + self._prefix[rest]

    def _count(self, a: int, b: int) -> int:
        """Working dates among ordinals [a, b); years must be loaded."""
        off = self._off
        holidays_in = bisect_left(off, b) - bisect_left(off, a)
        return self._pattern_before(b) - self._pattern_before(a) - holidays_in

    def _nth(self, a: int, n: int) -> int:
        """The ordinal of the working date d >= a with exactly `n` working dates in [a, d)."""
        base = self._pattern_before(a)
        m = n  # working weekdays to skip: n plus the holidays met on the way (a fixpoint)
        while True:
            weeks, r = divmod(base + m, self._per_week)
            d = weeks * 7 + self._days[r] + 1
            self._ensure(a, d + 1)
            off = self._off
            needed = n + bisect_left(off, d + 1) - bisect_left(off, a)
            if needed == m:
                return d
            m = needed

    # -- holidays -------------------------------------------------------------------------------

    def _holidays_for(self, year: int) -> set[date]:
        cal = self.calendar
        if not cal.holidays_country:
            return set()
        found = holidays.country_holidays(
            cal.holidays_country,
            subdiv=cal.holidays_subdiv,
            years=year,
            categories=tuple(cal.holidays_categories),
        )
        return set(found)

    def _ensure(self, a: int, b: int) -> None:
        """Load the holidays of every year that ordinals [a, b) touch."""
        if self._lo <= a and b <= self._hi:
            return
        with self._lock:
            if self._lo <= a and b <= self._hi:
                return
            y0 = date.fromordinal(max(a, _MIN_ORD)).year
            y1 = date.fromordinal(min(max(b - 1, a), _MAX_ORD)).year
            if self._years:  # keep the loaded span contiguous
                y0, y1 = min(y0, min(self._years)), max(y1, max(self._years))
            off = set(self._off_set)
            for year in range(y0, y1 + 1):
                if year in self._years:
                    continue
                days = {d.toordinal() for d in self._holidays_for(year)}
                days |= {o for o in self._fixed if date.fromordinal(o).year == year}
                off |= {o for o in days if self._mask[(o - 1) % 7]}
                self._years.add(year)
            self._off_set = frozenset(off)
            self._off = sorted(off)
            # Publish the bounds last: a reader that sees them also sees the lists.
            self._lo = date(y0, 1, 1).toordinal()
            self._hi = date(y1, 12, 31).toordinal() + 1


def utc(t: datetime, name: str) -> datetime:
    """`t` in UTC; ValueError naming `name` when it is not a timezone-aware datetime."""
    if not isinstance(t, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} {t.isoformat()} has no time zone; give one, e.g. +07:00")
    return t.astimezone(UTC)


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown time unit {unit!r}; use one of {', '.join(UNITS)}")


def _check_duration(duration: Duration) -> tuple[str, float]:
    _check_unit(duration.unit)
    amount = float(duration.amount)
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"time limit amount {duration.amount!r} must be a finite number >= 0")
    return duration.unit, amount
