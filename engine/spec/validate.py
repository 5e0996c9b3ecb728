"""Validate revision files and the rules files they name, reporting every problem at once.

    check_revision_file(path, rules_dir=None) -> Checked     problems in `.problems`
    check_rules_alone(path) -> list[Problem]                 a rules file without its revision
    validate_paths(paths, rules_dir=None) -> (files, problems)   files or folders, for the CLI

Order: the YAML reader (size, encoding, tabs, syntax, tags, aliases, duplicate keys), then
structure (marshmallow), then cross-references and flow, then (on a revision sound so far) the
paths a ticket can take (engine.spec.paths). A file the reader refuses is not checked further;
structure and cross-reference problems are reported together.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import Problem
from engine.spec.build import build_spec
from engine.spec.crossref import Context, as_list, check_revision
from engine.spec.flow import check_flow
from engine.spec.hints import describe, suggest
from engine.spec.invariants_check import check_invariants
from engine.spec.paths import check_paths
from engine.spec.report import Report, drop_consequences
from engine.spec.rules_check import Shared, check_rules_document, started_timers
from engine.spec.schema import FORMAT_VERSIONS, REVISION, check_structure
from engine.spec.yaml_safe import read_yaml

RULES_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class RulesFile:
    name: str
    path: Path
    data: dict[str, Any]
    raw: bytes


@dataclass
class Checked:
    """One revision file and its rules files, read and checked."""

    path: Path
    data: dict[str, Any] | None = None
    raw: bytes = b""
    rules: list[RulesFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


def display(path: Path) -> str:
    """The path as an author reads it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def default_rules_dir(revision_path: Path) -> Path:
    """`sop/<id>/<rev>.yaml` names rules in `rules/` beside `sop/`."""
    return revision_path.resolve().parent.parent.parent / "rules"


def _document(path: Path, what: str) -> tuple[dict[str, Any] | None, bytes, Report]:
    doc = read_yaml(path, display(path))
    report = doc.report
    if doc.data is None:
        return None, doc.raw, report
    if not isinstance(doc.data, dict):
        report.add(
            "wrong_type", (), f"a {what} file holds a mapping of keys, not {describe(doc.data)}"
        )
        return None, doc.raw, report
    version = doc.data.get("format_version")
    if (
        isinstance(version, int)
        and not isinstance(version, bool)
        and version not in FORMAT_VERSIONS
    ):
        report.add(
            "unsupported_format_version",
            ("format_version",),
            f"format_version {version} is not supported",
            f"this engine reads format_version {', '.join(map(str, FORMAT_VERSIONS))}",
        )
        return None, doc.raw, report
    return doc.data, doc.raw, report


def check_revision_file(
    path: str | Path, rules_dir: str | Path | None = None, *, paths: bool = True
) -> Checked:
    """`paths=False` skips the path check (engine.spec.paths): only for a revision text the
    store kept when it was first published, rebuilt exactly as it was accepted then, so that
    tickets pinned to a revision older than the check stay readable (engine.store.revisions)."""
    path = Path(path)
    checked = Checked(path)
    data, checked.raw, report = _document(path, "revision")
    if data is None:
        checked.problems = report.problems
        return checked
    check_structure(REVISION, data, report)
    ctx = check_revision(data, path, report)
    check_flow(data, ctx, report)
    check_invariants(data, ctx, report)
    if paths and not report.problems:  # walked on the built Spec, which needs all sound
        check_paths(build_spec(data), report)
    rdir = Path(rules_dir) if rules_dir else default_rules_dir(path)
    checked.rules, rule_problems = _rules(data, rdir, ctx, report)
    checked.data = data
    checked.problems = drop_consequences(report.problems) + rule_problems
    return checked


def _rules(
    data: dict[str, Any], rdir: Path, ctx: Context, report: Report
) -> tuple[list[RulesFile], list[Problem]]:
    """Read every rules file the revision names, then check them with what they share."""
    found: list[tuple[str, Path]] = []
    for i, name in enumerate(as_list(data.get("rules"))):
        file = _rules_path(name, ("rules", i), rdir, report, {n for n, _ in found})
        if file is not None:
            found.append((name, file))
    read = [(name, file, *_document(file, "rules")) for name, file in found]
    shared = Shared()
    for _name, _file, rdata, _raw, _report in read:
        if rdata is not None:
            shared.timers |= started_timers(rdata)
    loaded: list[RulesFile] = []
    problems: list[Problem] = []
    for name, file, rdata, raw, rreport in read:
        if rdata is not None:
            _check_rules(rdata, file, rreport, ctx, shared)
            if not rreport.problems:
                loaded.append(RulesFile(name, file, rdata, raw))
        problems += rreport.problems
    return loaded, problems


def _rules_path(
    name: Any, path: tuple[str, int], rdir: Path, report: Report, seen: set[str]
) -> Path | None:
    if not isinstance(name, str) or not name:
        return None
    if not RULES_NAME.match(name):
        report.add(
            "bad_rules_name",
            path,
            f"{name!r} is not a rules file name",
            "name a file of the rules folder, without its folder or .yaml",
        )
        return None
    if name in seen:
        report.add("duplicate_value", path, f"the rules file {name!r} is named twice")
        return None
    file = rdir / f"{name}.yaml"
    if file.is_file():
        return file
    available = sorted(p.stem for p in rdir.glob("*.yaml")) if rdir.is_dir() else []
    report.add(
        "unknown_rules_file",
        path,
        f"no rules file {name!r} in {display(rdir)}",
        suggest(name, available),
    )
    return None


def _check_rules(
    data: dict[str, Any], file: Path, report: Report, ctx: Context | None, shared: Shared
) -> None:
    rid = data.get("id")
    if isinstance(rid, str) and rid != file.stem:
        report.add(
            "id_mismatch",
            ("id",),
            f"the id {rid!r} does not match the file name {file.name!r}",
            f"write `id: {file.stem}`",
        )
    check_rules_document(data, report, ctx, shared)


def check_rules_alone(path: str | Path) -> list[Problem]:
    """A rules file on its own: structure and the names it defines itself."""
    path = Path(path)
    data, _raw, report = _document(path, "rules")
    if data is not None:
        _check_rules(data, path, report, None, Shared(timers=started_timers(data)))
    return report.problems


def _is_rules_file(path: Path, rules_dir: Path | None) -> bool:
    parent = path.resolve().parent
    if rules_dir is not None:
        return parent == rules_dir.resolve()
    return parent.name == "rules"


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder of SOP folders, an SOP folder or a rules folder: its YAML files."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        direct = sorted(p for p in path.glob("*.yaml") if p.is_file())
        if direct or path.name == "rules":  # an SOP folder (its scenarios/ are not revisions)
            files += direct
        else:  # a folder of SOP folders
            files += sorted(p for p in path.glob("*/*.yaml") if p.is_file())
    return files


def validate_paths(
    paths: Sequence[str | Path], rules_dir: str | Path | None = None
) -> tuple[list[Path], list[Problem]]:
    """Every revision (and the rules files it names) or rules file under `paths`."""
    rdir = Path(rules_dir) if rules_dir else None
    files = expand([Path(p) for p in paths])
    problems: list[Problem] = []
    for file in files:
        if _is_rules_file(file, rdir):
            problems += check_rules_alone(file)
        else:
            problems += check_revision_file(file, rdir).problems
    unique = {(p.file, p.line, p.col, p.code, p.path, p.message): p for p in problems}
    return files, sorted(unique.values(), key=lambda p: (p.file, p.line, p.col, p.code))
