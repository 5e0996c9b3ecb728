"""What a changed time limit means: tighter, looser, the same length, or a changed unit.

    limit_verdict(old, new) -> str      "tighter" | "looser" | "same length" | "changed unit"
                                        | "added" | "removed" | "unchanged"

Minutes, hours and calendar days are compared exactly (as elapsed time). Working days compare
exactly with working days. Between working days and the exact units only bounds hold: N working
days last at least N x 24 hours, and (holidays aside) at most N calendar days plus a weekend per
started working week. The verdict is "tighter" or "looser" only when the other limit lies
outside those bounds: on or beyond the sure lower bound (3 working days -> 3 calendar days is
tighter; 24 hours -> 1 working day is looser, never shorter and longer over a weekend), strictly
beyond the holiday-free upper bound (3 working days -> 6 calendar days is looser, 5 -> 7 is
not). Otherwise "changed unit" (`approx_calendar_days` gives the rough figure, 1 working day ~
1.4 calendar days, for the reader).
"""

from __future__ import annotations

import math

from engine.spec.model import Duration

WORKING_TO_CALENDAR = 1.4  # 7 calendar days per 5 working days
_HOURS = {"minutes": 1 / 60, "hours": 1.0, "calendar_days": 24.0}


def hours(limit: Duration) -> float | None:
    """The limit as elapsed hours, when its unit is an exact one."""
    factor = _HOURS.get(limit.unit)
    return None if factor is None else limit.amount * factor


def approx_calendar_days(limit: Duration) -> float:
    if limit.unit == "working_days":
        return round(limit.amount * WORKING_TO_CALENDAR, 2)
    return round(limit.amount * _HOURS[limit.unit] / 24, 2)


def _bounds_hours(limit: Duration) -> tuple[float, float]:
    """Shortest and longest elapsed time the limit can take (working days: holidays aside)."""
    exact = hours(limit)
    if exact is not None:
        return exact, exact
    n = limit.amount
    return n * 24, (n + 2 * math.ceil(n / 5)) * 24


def _compare(old: float, new: float) -> str:
    if math.isclose(old, new):
        return "same length"
    return "tighter" if new < old else "looser"


def limit_verdict(old: Duration | None, new: Duration | None) -> str:
    if old == new:
        return "unchanged"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.unit == "working_days" and new.unit == "working_days":
        return _compare(old.amount, new.amount)
    old_h, new_h = hours(old), hours(new)
    if old_h is not None and new_h is not None:
        return _compare(old_h, new_h)
    old_lo, old_hi = _bounds_hours(old)
    new_lo, new_hi = _bounds_hours(new)
    # A lower bound is sure; a working-days upper bound holds only without holidays, so a
    # verdict resting on one needs a clear margin.
    if new_hi < old_lo or (new_hi == old_lo and new.unit != "working_days"):
        return "tighter"
    if new_lo > old_hi or (new_lo == old_hi and old.unit != "working_days"):
        return "looser"
    return "changed unit"


def limit_json(limit: Duration | None) -> dict[str, object] | None:
    if limit is None:
        return None
    return {"amount": limit.amount, "unit": limit.unit, "text": str(limit)}
