"""An SOP's demo values: `<sop root>/<sop-id>/demo/values.yaml` (the catalog reads only
`<sop-id>/<revision>.yaml`, so this folder is never taken for a revision).

    cases:  [{field: value, ...}, ...]   one per ticket, used for all its events
    fields: {field: [value, ...]}        one value per ticket for each field, picked on its own

`{n}` in a text value is the ticket's number in the demo (`{n:06d}`: with leading zeros), for
values no two tickets may share, such as another system's reference (engine.app.exports).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InvalidData


def values_file(sop_root: Path, sop_id: str) -> Path:
    return Path(sop_root) / sop_id / "demo" / "values.yaml"


@dataclass(frozen=True)
class DemoValues:
    cases: tuple[dict[str, Any], ...] = ()
    fields: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DemoValues:
        """The file's values; none (sample values only) when the SOP has no such file."""
        if not path.is_file():
            return cls()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InvalidData(f"{path}: not YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise InvalidData(f"{path}: expected `cases` and `fields`")
        cases, fields = raw.get("cases") or [], raw.get("fields") or {}
        if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
            raise InvalidData(f"{path}: `cases` must be a list of mappings")
        if not isinstance(fields, dict) or not all(
            isinstance(v, list) and v for v in fields.values()
        ):
            raise InvalidData(f"{path}: `fields` must map each field to a list of values")
        return cls(tuple(cases), {k: tuple(v) for k, v in fields.items()})

    def for_ticket(self, rng: random.Random, n: int = 1) -> dict[str, Any]:
        """One ticket's values (the `n`th): one of each field's values, then one case."""
        picked = {key: rng.choice(values) for key, values in self.fields.items()}
        if self.cases:
            picked.update(rng.choice(self.cases))
        return {key: _numbered(value, n) for key, value in picked.items()}


_NUMBER = re.compile(r"\{n(?::0(\d)d)?\}")


def _numbered(value: Any, n: int) -> Any:
    if not isinstance(value, str) or "{n" not in value:
        return value
    return _NUMBER.sub(lambda m: str(n).zfill(int(m.group(1) or 0)), value)
