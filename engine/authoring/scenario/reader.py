"""A small helper that reads located YAML values and collects every problem, with its place."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from engine.authoring.scenario.located import LDict, LList, Loc
from engine.authoring.scenario.model import Where
from engine.errors import Problem


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"did you mean {close[0]!r}?" if close else ""


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


class Reader:
    """Collects Problems for one file while the parser walks it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, code: str, message: str, path: str, loc: Loc, hint: str = "") -> None:
        self.problems.append(Problem(code, message, path, self.file, loc[0], loc[1], hint))

    def where(self, path: str, loc: Loc) -> Where:
        return Where(self.file, loc[0], loc[1], path)

    # --- typed reads: return None (after recording a problem) when the value is unusable ---
    def mapping(self, value: Any, path: str, loc: Loc) -> LDict | None:
        if isinstance(value, LDict):
            return value
        self.problem("wrong_type", f"expected a mapping, found {type_name(value)}", path, loc)
        return None

    def sequence(self, value: Any, path: str, loc: Loc) -> LList | None:
        if isinstance(value, LList):
            return value
        self.problem("wrong_type", f"expected a list, found {type_name(value)}", path, loc)
        return None

    def text(self, value: Any, path: str, loc: Loc) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.problem("wrong_type", f"expected text, found {type_name(value)}", path, loc)
        return None

    def boolean(self, value: Any, path: str, loc: Loc) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem("wrong_type", f"expected true or false, found {type_name(value)}", path, loc)
        return None

    def time(self, value: Any, path: str, loc: Loc) -> datetime | None:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            self.problem(
                "bad_time",
                f"expected a date and time, found {type_name(value)}",
                path,
                loc,
                "write it like 2025-01-06T09:00:00+07:00",
            )
            return None
        if value.tzinfo is None:
            self.problem(
                "bad_time",
                f"time {value.isoformat()} has no UTC offset",
                path,
                loc,
                "add the offset, e.g. 2025-01-06T09:00:00+07:00",
            )
            return None
        return value

    def keys(
        self,
        doc: LDict,
        path: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> bool:
        """Report unknown and missing keys; True when every required key is present."""
        allowed = list(allowed)
        for key in doc:
            if key not in allowed:
                self.problem(
                    "unknown_key",
                    f"unknown key {key!r}; expected one of: {', '.join(allowed)}",
                    join(path, key),
                    doc.at(key),
                    did_you_mean(key, allowed),
                )
        ok = True
        for key in required:
            if key not in doc:
                self.problem("missing_key", f"{key!r} is required", path, doc.loc)
                ok = False
        return ok


def join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)
