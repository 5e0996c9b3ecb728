"""Moving the manual clock as a request asks (`POST /v1/clock`), refusals in the one tree.

    move_manual_clock(clock, catalog, to=when)
    move_manual_clock(clock, catalog, by="2 working days", sop=sop_id)

Working days and office time are counted on an SOP's calendar: the one named, or the only SOP's
when one is loaded. A move that cannot be made raises `InvalidClockMove` naming the request's
field at fault (`set`, `advance` or `sop`), and the clock stands.
"""

from __future__ import annotations

from datetime import datetime

from engine.core.clock import ManualClock
from engine.errors import InvalidClockMove, UnknownSop
from engine.spec.catalog import Catalog
from engine.spec.model import Calendar

__all__ = ["move_manual_clock"]


def move_manual_clock(
    clock: ManualClock,
    catalog: Catalog,
    *,
    to: datetime | None = None,
    by: str | None = None,
    sop: str | None = None,
) -> datetime:
    """Set the clock `to` a time, or advance it `by` a duration; returns the new time."""
    if to is not None:
        return clock.set(to)
    if by is None:
        raise InvalidClockMove("give a time to set or a duration to advance by")
    return clock.advance(by, _calendar(catalog, sop))


def _calendar(catalog: Catalog, sop: str | None) -> Calendar | None:
    ids = catalog.sop_ids()
    if sop is None and len(ids) != 1:
        return None
    try:
        return catalog.get(sop or ids[0]).calendar()
    except UnknownSop as exc:  # a field of the request, not a resource that is missing
        raise InvalidClockMove(exc.message, errors={"sop": [exc.message]}) from None
