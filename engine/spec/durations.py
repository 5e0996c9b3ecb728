"""Read time limits as the paper writes them, in Indonesian or English.

    "30 detik", "15 menit", "2 jam", "1x24 jam", "1 hari kerja", "3 hari", "7 hari kalender",
    "2 minggu", "15 menit kerja"; "30 seconds", "3 working days", "15 office minutes"

A bare "hari" / "day" means what the SOP's `defaults: {day: ...}` says (calendar days when it
says nothing, as before). Seconds, minutes and hours count elapsed time, or office time (the
calendar's `office_hours`) when written with "kerja" / "office" or when the SOP's
`defaults: {time: office_hours}` says so. The Duration keeps the author's words in `text`.
"""

from __future__ import annotations

import re

from engine.spec.model import Duration, TimeDefaults

_AMBIGUOUS_DAY = "day"
# phrase -> (unit, factor, office): office True: office time; None: the SOP's default.
_WORDS: dict[str, tuple[str, float, bool | None]] = {}


def _add(unit: str, factor: float, office: bool | None, *phrases: str) -> None:
    for phrase in phrases:
        _WORDS[phrase] = (unit, factor, office)


_add("seconds", 1, None, "detik", "second", "seconds")
_add("minutes", 1, None, "menit", "minute", "minutes")
_add("hours", 1, None, "jam", "hour", "hours")
_add("seconds", 1, True, "detik kerja", "office second", "office seconds")
_add("minutes", 1, True, "menit kerja", "office minute", "office minutes")
_add("hours", 1, True, "jam kerja", "office hour", "office hours")
_add(_AMBIGUOUS_DAY, 1, None, "hari", "day", "days")
_add("calendar_days", 1, None, "hari kalender", "calendar day", "calendar days")
_add("working_days", 1, None, "hari kerja", "working day", "working days")
_add("calendar_days", 7, None, "minggu", "pekan", "week", "weeks")

UNIT_WORDS = sorted(_WORDS)
_ENGLISH = re.compile(r"[a-z]*(second|minute|hour|day|week)s?$")
SPELLINGS = (
    "'30 detik', '15 menit', '2 jam', '1x24 jam', '1 hari kerja', '3 hari', "
    "'7 hari kalender', '2 minggu', '15 menit kerja' (office time); "
    "'30 seconds', '15 minutes', '24 hours', '3 working days', '7 calendar days', "
    "'2 weeks', '15 office minutes'"
)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PATTERN = re.compile(rf"^{_NUMBER}\s*(?:[x×]\s*{_NUMBER}\s*)?([^\d\s].*?)$")


def parse_duration(text: str, defaults: TimeDefaults | None = None) -> Duration:
    """Return the Duration `text` names, or raise ValueError listing the accepted spellings."""
    said = " ".join(str(text).split())
    match = _PATTERN.match(said.lower())
    word = match and _WORDS.get(match.group(3))
    if not match or not word:
        raise ValueError(f"cannot read {said!r} as a time limit; write a number and a unit")
    amount = _number(match.group(1)) * (_number(match.group(2)) if match.group(2) else 1)
    if match.group(2) and word[0] != "hours":
        raise ValueError(f"cannot read {said!r} as a time limit: 'NxM' is written with 'jam'")
    if amount <= 0:
        raise ValueError(f"time limit {said!r} must be greater than zero")
    rules = defaults or TimeDefaults()
    unit, factor, office = word
    if unit == _AMBIGUOUS_DAY:
        unit = rules.day
    if office is None:
        office = rules.office_time and unit in ("seconds", "minutes", "hours")
    return Duration(amount * factor, unit, text=said, office=office)  # type: ignore[arg-type]


def in_indonesian(text: str) -> bool:
    """Whether a limit was written in Indonesian words (the paper form shows those verbatim)."""
    return bool(text) and not _ENGLISH.search(text.lower())


def _number(text: str) -> float:
    return float(text.replace(",", "."))
