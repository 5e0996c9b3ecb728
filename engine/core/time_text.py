"""Times and spans of time as a person reads them: the one formatter every page, report and
command uses. Seconds are shown where they are not zero ("2025-05-02 08:00:30"), and left out
where they are ("2025-05-02 08:00"), so a 30-second step does not read "08:00 - 08:00".

People read the civil servant's form (`civil_text`): "6 Januari 2025 09.00 WIB", the zone as
WIB, WITA or WIT in Indonesia and as its UTC offset ("UTC+01.00") elsewhere; and a deadline as
the time left (`left_text`): "2 hari 3 jam lagi", "terlambat 5 jam"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from engine.spec.office_hours import zone_name

__all__ = [
    "MONTHS",
    "civil_text",
    "left_text",
    "long_date",
    "moment_text",
    "span_text",
    "zone_text",
]

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
INDONESIAN_ZONES = ("WIB", "WITA", "WIT")


def _zone(zone: tzinfo | str) -> tzinfo:
    return ZoneInfo(zone_name(zone)) if isinstance(zone, str) else zone


def long_date(day: date | None) -> str:
    """ "6 Januari 2025", or "-"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "-"


def civil_text(moment: datetime | None, zone: tzinfo | str = "Asia/Jakarta") -> str:
    """`moment` as an Indonesian letter dates it, on the wall clock of `zone`:
    "6 Januari 2025 09.00 WIB" (seconds where they are not zero: "09.00.30"); the abbreviation
    of the zone is WIB, WITA or WIT, else the UTC offset ("UTC+01.00", "UTC")."""
    if moment is None:
        return "-"
    local = moment.astimezone(_zone(zone)).replace(microsecond=0)
    clock = f"{local.hour:02}.{local.minute:02}" + (f".{local.second:02}" if local.second else "")
    return f"{long_date(local.date())} {clock} {_abbreviation(local)}"


def _abbreviation(local: datetime) -> str:
    name = local.tzname() or ""
    if name in INDONESIAN_ZONES:
        return name
    offset = local.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = round(abs(offset.total_seconds()) / 60)
    sign = "+" if offset > timedelta(0) else "-"
    return f"UTC{sign}{minutes // 60:02}.{minutes % 60:02}"


def zone_text(zone: tzinfo | str, day: date) -> str:
    """The zone as people name it on `day`: WIB, WITA, WIT, else its UTC offset."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return _abbreviation(noon.astimezone(_zone(zone)))


def left_text(due: datetime | None, now: datetime) -> str:
    """The time until `due` at `now`: "2 hari 3 jam lagi", "terlambat 5 jam", "sekarang"."""
    if due is None:
        return "-"
    seconds = (due - now).total_seconds()
    if abs(seconds) < 1:
        return "sekarang"
    words = span_text(abs(seconds))
    return f"{words} lagi" if seconds > 0 else f"terlambat {words}"


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
    local = moment.astimezone(_zone(zone)).replace(microsecond=0)
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
