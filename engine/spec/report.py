"""Located problems: a YAML path such as `steps[3].events.triage.to` to a line and column.

`Report` is the one problem collector of every YAML file kind (SOP revisions, rules files,
state maps, scenario and events files): the YAML reader (engine.spec.yaml_safe) fills its
positions and its own refusals, later checks add theirs by path, and each comes out as
`file:line:col: code: path: message (hint)`.
"""

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

    def add_at(
        self, code: str, line: int, col: int, message: str, hint: str = "", path: Path = ()
    ) -> None:
        """A problem at a known position (the YAML reader's, before positions are complete)."""
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

    @property
    def ok(self) -> bool:
        return not self.problems


_REFUSED = ("python_tag", "unknown_tag", "bad_scalar", "duplicate_key")
_MEANT = re.compile(r"did you mean '([^']+)'")


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _last(path: str) -> str:
    return path[len(_parent(path)) :].lstrip(".")


def drop_consequences(problems: list[Problem]) -> list[Problem]:
    """Drop problems that only repeat the cause of another one:
    - anything at or under a value the reader refused (a tag, an unreadable scalar, a duplicate);
    - a missing key that an unknown key's hint names ("did you mean 'activity'?"), or that sits
      beside a key YAML did not read as text (`no:` meant as `number:`)."""
    refused = {p.path for p in problems if p.code in _REFUSED and p.path}
    odd_keys = {_parent(p.path) for p in problems if p.code == "non_string_key"}
    meant = {
        (_parent(p.path), name)
        for p in problems
        if p.code == "unknown_key"
        for name in _MEANT.findall(p.hint)
    }

    def repeats(p: Problem) -> bool:
        if p.code in _REFUSED:
            return False
        if any(p.path == r or p.path.startswith((r + ".", r + "[")) for r in refused):
            return True
        return p.code == "missing_key" and (
            _parent(p.path) in odd_keys or (_parent(p.path), _last(p.path)) in meant
        )

    return [p for p in problems if not repeats(p)]
