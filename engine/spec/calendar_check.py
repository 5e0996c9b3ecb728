"""Checks of one calendar: its time zone, working days and holiday source."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date
from typing import Any

from engine.spec.hints import suggest
from engine.spec.office_hours import zone_name
from engine.spec.report import Path, Report


def check_calendar(cal: dict[str, Any], path: Path, report: Report) -> None:
    tz = cal.get("time_zone")
    if isinstance(tz, str) and tz and not _zone_exists(zone_name(tz)):
        report.add(
            "unknown_time_zone",
            (*path, "time_zone"),
            f"no time zone {tz!r}",
            "write WIB, WITA or WIT, or an IANA name such as Asia/Jakarta, Asia/Makassar",
        )
    days = cal.get("working_days")
    if isinstance(days, list) and len(set(map(str, days))) != len(days):
        report.add("duplicate_value", (*path, "working_days"), "a working day is listed twice")
    hol = cal.get("holidays")
    if isinstance(hol, dict) and isinstance(hol.get("country"), str):
        _holidays(hol, (*path, "holidays"), report)
    overrides = cal.get("overrides")
    for i, over in enumerate(overrides if isinstance(overrides, list) else ()):
        if isinstance(over, dict):
            _override(over, (*path, "overrides", i), report)


def _override(over: dict[str, Any], path: Path, report: Report) -> None:
    if "hours" in over and over.get("closed"):
        report.add(
            "conflicting_keys",
            path,
            "an override has office hours and is closed",
            "write either hours: {...} or closed: true",
        )
    elif "hours" not in over and not over.get("closed"):
        report.add(
            "missing_key",
            path,
            "an override says neither its hours nor that the office is closed",
            "write hours: {mon-thu: [08:00-15:00]} or closed: true",
        )
    first, last = _day(over.get("from")), _day(over.get("to"))
    if isinstance(first, date) and isinstance(last, date) and last < first:
        report.add(
            "bad_office_hours",
            (*path, "to"),
            f"the override ends ({last}) before it begins ({first})",
            "write the first date in from: and the last in to:",
        )


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None  # reported by the structure check


@functools.lru_cache(maxsize=64)
def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _holidays(hol: dict[str, Any], path: Path, report: Report) -> None:
    country = hol["country"]
    subdiv = hol.get("subdiv") if isinstance(hol.get("subdiv"), str) else None
    cats = hol.get("categories")
    categories = tuple(c for c in cats if isinstance(c, str)) if isinstance(cats, list) else ()
    supported = _supported(country)
    if supported is None:
        report.add(
            "unknown_country",
            (*path, "country"),
            f"the holidays package has no country {country!r}",
            suggest(country, _countries()),
        )
        return
    subdivs, known_categories = supported
    if subdiv is not None and subdiv not in subdivs:
        report.add(
            "unknown_subdivision",
            (*path, "subdiv"),
            f"{country} has no subdivision {subdiv!r} in the holidays package",
            suggest(subdiv, subdivs),
        )
    for i, cat in enumerate(categories):
        if cat not in known_categories:
            report.add(
                "unknown_holiday_category",
                (*path, "categories", i),
                f"{country} has no holiday category {cat!r}",
                suggest(cat, known_categories),
            )


@functools.lru_cache(maxsize=64)
def _supported(country: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(subdivisions, categories) the holidays package knows for `country`, or None."""
    import holidays  # imported here: only revisions with a holiday source pay for it

    try:
        cls = holidays.country_holidays(country).__class__
    except NotImplementedError:
        return None
    return tuple(getattr(cls, "subdivisions", ())), tuple(cls.supported_categories)


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[str, ...]:
    import holidays

    return tuple(holidays.list_supported_countries())
