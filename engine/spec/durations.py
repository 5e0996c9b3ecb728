"""Parse time limits written as text: "1 working day", "3 working days", "24 hours"."""

from __future__ import annotations

import re

from engine.spec.model import Duration, DurationUnit

_UNITS: dict[str, DurationUnit] = {
    "minute": "minutes",
    "minutes": "minutes",
    "hour": "hours",
    "hours": "hours",
    "calendar day": "calendar_days",
    "calendar days": "calendar_days",
    "day": "calendar_days",
    "days": "calendar_days",
    "working day": "working_days",
    "working days": "working_days",
}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z ]+?)\s*$")

UNIT_WORDS = sorted(_UNITS)


def parse_duration(text: str) -> Duration:
    """Return the Duration `text` names, or raise ValueError saying what is accepted."""
    match = _PATTERN.match(str(text).lower())
    if not match or match.group(2) not in _UNITS:
        raise ValueError(
            f"cannot read {text!r} as a time limit; write a number and a unit, "
            "e.g. '1 working day', '3 working days', '7 calendar days', '24 hours'"
        )
    amount = float(match.group(1))
    if amount <= 0:
        raise ValueError(f"time limit {text!r} must be greater than zero")
    return Duration(amount, _UNITS[match.group(2)])
