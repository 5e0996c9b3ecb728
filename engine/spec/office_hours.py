"""Read a calendar's office hours and time zone as an author writes them.

    office_hours:
      mon-thu: [07:30-16:00]
      fri: [07:30-11:30, 13:00-16:30]

A key is a weekday (`mon` .. `sun`) or a range of them (`mon-thu`); a value is a list of spans
"HH:MM-HH:MM" (or "HH.MM-HH.MM", as Indonesian papers write times; one span may be written
without the list). Weekdays not named have no office hours. `WIB`, `WITA` and `WIT` name the
three Indonesian time zones.
"""

from __future__ import annotations

import re
from typing import Any

from engine.spec.model import WeekHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
HOURS_HINT = "write weekdays or a range (mon, mon-thu) mapped to spans such as [07:30-16:00]"
_SPAN = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$")


def zone_name(written: str) -> str:
    """The IANA name of a time zone written as an IANA name or as WIB, WITA or WIT."""
    return ZONE_ALIASES.get(written.strip().upper(), written)


def parse_week(doc: Any) -> WeekHours:
    """Seven entries of spans (Monday first) from an `office_hours` mapping, or ValueError."""
    if not isinstance(doc, dict):
        raise ValueError("office hours are a mapping of weekdays to spans")
    week: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
    for key, spans in doc.items():
        days = _days(key)
        for span in spans if isinstance(spans, list) else [spans]:
            for day in days:
                week[day].append(_span(span))
    for day, spans in enumerate(week):
        spans.sort()
        for (_, until), (start, _) in zip(spans, spans[1:], strict=False):
            if start < until:
                raise ValueError(f"office hours on {WEEKDAYS[day]} overlap")
    return tuple(tuple(spans) for spans in week)


def _days(key: Any) -> list[int]:
    parts = str(key).strip().lower().split("-")
    if len(parts) > 2 or any(p not in WEEKDAYS for p in parts):
        raise ValueError(f"{key!r} is not a weekday or a range of weekdays such as mon-thu")
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    if last < first:
        raise ValueError(f"the range {key!r} runs backwards; write it Monday first, e.g. mon-thu")
    return list(range(first, last + 1))


def _span(text: Any) -> tuple[int, int]:
    match = _SPAN.match(str(text).strip())
    if not match or isinstance(text, bool):
        raise ValueError(f"cannot read {text!r} as office hours; write e.g. 07:30-16:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if (
        h1 > 24
        or h2 > 24
        or m1 > 59
        or m2 > 59
        or h1 * 60 + m1 >= h2 * 60 + m2
        or h2 * 60 + m2 > 1440
    ):
        raise ValueError(f"office hours {text!r} must start before they end, within one day")
    return (h1 * 60 + m1) * 60, (h2 * 60 + m2) * 60


def closed_week() -> WeekHours:
    return tuple(() for _ in WEEKDAYS)
