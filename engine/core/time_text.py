"""Times and spans of time as a person reads them: the one formatter every page, report and
command uses. Seconds are shown where they are not zero ("2025-05-02 08:00:30"), and left out
where they are ("2025-05-02 08:00"), so a 30-second step does not read "08:00 - 08:00"."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from engine.spec.office_hours import zone_name

__all__ = ["moment_text", "span_text"]


def moment_text(
    moment: datetime | None,
    zone: tzinfo | str = "Asia/Jakarta",
    *,
    iso: bool = False,
    with_zone: bool = False,
    none: str = "-",
) -> str:
    """`moment` on the wall clock of `zone` (a tzinfo, an IANA name, WIB, WITA or WIT):
    "YYYY-MM-DD HH:MM[:SS]", or ISO 8601 with its offset (`iso`), or followed by the zone's
    abbreviation (`with_zone`). Fractions of a second are dropped."""
    if moment is None:
        return none
    where = ZoneInfo(zone_name(zone)) if isinstance(zone, str) else zone
    local = moment.astimezone(where).replace(microsecond=0)
    spec = "seconds" if local.second else "minutes"
    if iso:
        return local.isoformat(timespec=spec)
    text = local.replace(tzinfo=None).isoformat(sep=" ", timespec=spec)
    return f"{text} {local.tzname() or ''}".strip() if with_zone else text


def span_text(seconds: float | None) -> str:
    """A span in Indonesian words: "2 hari 3 jam", "1 jam 5 menit", "45 detik"; minutes and
    seconds are left out of spans of a day or more, seconds out of spans of an hour or more."""
    if not seconds:
        return "-"
    whole = round(seconds)
    if whole == 0:
        return "< 1 detik"
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    parts = [(days, "hari"), (hours, "jam")]
    if not days:
        parts.append((mins, "menit"))
    if not days and not hours:
        parts.append((secs, "detik"))
    return " ".join(f"{n} {word}" for n, word in parts if n)
