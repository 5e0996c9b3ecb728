"""Located problems: a YAML path such as `steps[3].events.triage.to` to a line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.errors import Problem

Path = tuple[str | int, ...]
Positions = dict[Path, tuple[int, int]]

_PLAIN_KEY = re.compile(r"^[^.\[\]\s\"']+$")

# Problems about a key itself (not its value) point at the key.
KEY_CODES = frozenset(
    {"unknown_key", "duplicate_key", "non_string_key", "bad_identifier", "unknown_trigger"}
)


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


@dataclass
class Report:
    """The problems found in one file, located through the positions its YAML reader recorded."""

    file: str
    values: Positions = field(default_factory=dict)
    keys: Positions = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, path: Path, at_key: bool = False) -> tuple[int, int]:
        if at_key and path in self.keys:
            return self.keys[path]
        probe = path
        while probe:
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def add(self, code: str, path: Path, message: str, hint: str = "") -> None:
        line, col = self.locate(path, at_key=code in KEY_CODES)
        self.problems.append(
            Problem(
                code=code,
                message=message,
                path=format_path(path),
                file=self.file,
                line=line,
                col=col,
                hint=hint,
            )
        )

    def add_at(self, code: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(code=code, message=message, file=self.file, line=line, col=col, hint=hint)
        )

    @property
    def ok(self) -> bool:
        return not self.problems
