"""Hints for validation problems: "did you mean ...?" and plain descriptions of YAML values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """`did you mean 'x'?` for the closest candidate, or "" when none is close."""
    if not isinstance(word, str):
        return ""
    pool = sorted(set(candidates))
    best = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not best:
        lowered = {c.lower(): c for c in pool}
        best = [lowered[word.lower()]] if word.lower() in lowered else []
    return f"did you mean {best[0]!r}?" if best else ""


def one_of(candidates: Iterable[str], limit: int = 12) -> str:
    """`known: a, b, c` (cut after `limit` names), for a hint when nothing is close."""
    pool = sorted(set(candidates))
    if not pool:
        return "none is defined"
    shown = ", ".join(pool[:limit])
    return f"known: {shown}{', ...' if len(pool) > limit else ''}"


def suggest(word: object, candidates: Iterable[str]) -> str:
    pool = list(candidates)
    return did_you_mean(word, pool) or one_of(pool)


def describe(value: Any) -> str:
    """How a YAML value reads to an author: `the number 3`, `text 'abc'`, `a list`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def quote_hint(value: Any) -> str:
    """For text written so that YAML read it as something else."""
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as booleans: write the text in quotes"
    if isinstance(value, int | float | date):
        return "write it in quotes to keep it as text"
    return ""
