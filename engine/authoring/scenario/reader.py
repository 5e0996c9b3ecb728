"""Typed reads of a scenario or events file's data, each problem going into the shared `Report`.

The data and its positions come from the one YAML reader (`engine.spec.yaml_safe`); paths are
YAML path tuples, so a problem is located the way an SOP file's is (a key's own problems at the
key, the others at the value, a missing key at its mapping).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from engine.authoring.scenario.model import Where
from engine.spec.hints import describe, quote_hint, suggest
from engine.spec.report import Path, Report, format_path


class Reader:
    """Collects the problems of one file while the parser walks it."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.file = report.file

    def problem(self, code: str, message: str, path: Path, hint: str = "") -> None:
        self.report.add(code, path, message, hint)

    def loc(self, path: Path) -> tuple[int, int]:
        return self.report.locate(path)

    def where(self, path: Path, at: Path | None = None) -> Where:
        """The place of `path` (its position taken from `at` when given)."""
        line, col = self.loc(path if at is None else at)
        return Where(self.file, line, col, format_path(path))

    # --- typed reads: return None (after recording a problem) when the value is unusable ---
    def mapping(self, value: Any, path: Path) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem("wrong_type", f"expected a mapping, got {describe(value)}", path)
        return None

    def sequence(self, value: Any, path: Path) -> list[Any] | None:
        if isinstance(value, list):
            return value
        self.problem("wrong_type", f"expected a list, got {describe(value)}", path)
        return None

    def text(self, value: Any, path: Path) -> str | None:
        if not isinstance(value, str):
            msg = f"expected text, got {describe(value)}"
            self.problem("wrong_type", msg, path, quote_hint(value))
            return None
        if not value.strip():
            self.problem("empty_value", "must not be empty", path)
            return None
        return value

    def boolean(self, value: Any, path: Path) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem("wrong_type", f"expected true or false, got {describe(value)}", path)
        return None

    def time(self, value: Any, path: Path) -> datetime | None:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            msg = f"expected a date and time, got {describe(value)}"
            self.problem("bad_time", msg, path, "write it like 2025-01-06T09:00:00+07:00")
            return None
        if value.tzinfo is None:
            msg = f"time {value.isoformat()} has no UTC offset"
            self.problem("bad_time", msg, path, "add the offset, e.g. 2025-01-06T09:00:00+07:00")
            return None
        return value

    def keys(
        self, doc: dict[Any, Any], path: Path, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> bool:
        """Report unknown and missing keys; True when every required key is present."""
        allowed = list(allowed)
        for key in doc:
            if key not in allowed:
                msg = f"unknown key {key!r}"
                self.problem("unknown_key", msg, (*path, key), suggest(key, allowed))
        missing = [key for key in required if key not in doc]
        for key in missing:
            self.problem("missing_key", f"the required key {key!r} is missing", (*path, key))
        return not missing

    def texts(self, value: Any, path: Path) -> tuple[str, ...] | None:
        """Text, or a list of texts."""
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            msg = f"expected text or a list of texts, got {describe(bad[0])}"
            self.problem("wrong_type", msg, path)
            return None
        return tuple(values)

    def optional_text(self, doc: dict[Any, Any], key: str, path: Path) -> str | None:
        """`doc[key]` as text when written (a whole number reads as its digits), else None."""
        value = doc.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return self.text(value, (*path, key))

    def plain_mapping(self, value: Any, path: Path) -> dict[str, Any] | None:
        """A mapping of values as a JSON client would send them (dates as ISO text)."""
        doc = self.mapping(value, path)
        return None if doc is None else {str(k): _plain(v) for k, v in doc.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
