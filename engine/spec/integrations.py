"""Per-SOP integration settings: how outside systems' words map onto an SOP's fields.

    load_integrations(sop_dir, specs) -> (Integrations, problems)

They live in `sop/<sop-id>/integrations/`, one file per kind:

- `open311.yaml`: the Open311 GeoReport v2 facade's services and field mapping
  (engine.spec.open311_config);
- `exports.yaml`: hand-over exports to other systems, such as a national complaint system
  (engine.spec.exports_config).

They are configuration of the SOP, not of a revision: no revision's content hash covers them, so
a mapping can be corrected without a new revision of the paper (which did not change), and a
ticket's decisions never depend on them. Each file is checked against every loaded revision of
its SOP: a field, step or event it names must exist in each, so a new revision that drops one is
refused until the mapping follows. A file of another name in the folder is refused, so a typo
(`open-311.yaml`) is not silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import Problem
from engine.spec.exports_config import ExportDef, check_exports
from engine.spec.load import load_revision
from engine.spec.model import Spec
from engine.spec.open311_config import Open311Config, check_open311
from engine.spec.report import Report
from engine.spec.validate import display
from engine.spec.yaml_safe import read_yaml

__all__ = [
    "FOLDER",
    "Integrations",
    "check_integration_folders",
    "integration_files",
    "load_integrations",
]

FOLDER = "integrations"


@dataclass(frozen=True)
class Integrations:
    """One SOP's integration settings; an SOP without the folder has none."""

    open311: Open311Config | None = None
    exports: Mapping[str, ExportDef] = field(default_factory=dict)


Checker = Callable[[Any, Sequence[Spec], Report], Any]
KINDS: dict[str, Checker] = {"open311": check_open311, "exports": check_exports}


def integration_files(sop_dir: Path) -> list[Path]:
    folder = sop_dir / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def load_integrations(sop_dir: Path, specs: Sequence[Spec]) -> tuple[Integrations, list[Problem]]:
    """The settings in `sop_dir/integrations/`, checked against `specs` (the SOP's revisions)."""
    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for path in integration_files(sop_dir):
        checker = KINDS.get(path.stem) if path.suffix == ".yaml" else None
        if checker is None:
            report = Report(display(path))
            known = ", ".join(f"{k}.yaml" for k in KINDS)
            report.add_at("unknown_file", 1, 1, f"not an integration file; known: {known}")
            problems += report.problems
            continue
        doc = read_yaml(path, display(path))
        if doc.data is not None and not doc.report.problems:
            found[path.stem] = checker(doc.data, specs, doc.report)
        problems += doc.report.problems
    if problems:
        return Integrations(), problems
    return Integrations(open311=found.get("open311"), exports=found.get("exports") or {}), problems


def check_integration_folders(
    revision_files: Sequence[Path], rules_dir: Path | None
) -> tuple[list[Path], list[Problem]]:
    """For `sop validate`: the integration files of the SOP folders `revision_files` lie in,
    checked against those folders' revisions (which must be valid already)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for folder in sorted({p.resolve().parent for p in revision_files}):
        found = integration_files(folder)
        if not found:
            continue
        specs = [load_revision(p, rules_dir) for p in sorted(folder.glob("*.yaml"))]
        files += found
        problems += load_integrations(folder, specs)[1]
    return files, problems
