"""Find the scenario files beside each revision and run them all.

    scenario_files(spec) -> list[Path]              <sop-root>/<sop-id>/scenarios/*.yaml
    collect(specs) -> Collected                     every (revision, scenario) to run, and
                                                    problems; each revision compiled once
    run_suite(specs) -> SuiteResult                 run what `collect` found

A file applies to the revisions its `revision` key names (every revision when absent). Format
problems and names unknown to a revision are reported with their place, and count as failures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.authoring.scenario.check import check_scenarios
from engine.authoring.scenario.model import Scenario, ScenarioFile
from engine.authoring.scenario.parse import load_scenario_file
from engine.authoring.scenario.run import ScenarioResult, run_scenario
from engine.core.revision import CompiledRevision, compile_revision
from engine.errors import Problem, SopInvalid
from engine.spec.model import Spec

SCENARIO_DIR = "scenarios"


@dataclass(frozen=True)
class Case:
    rev: CompiledRevision  # compiled once per revision, shared by its cases
    scenario: Scenario

    @property
    def spec(self) -> Spec:
        return self.rev.spec

    @property
    def id(self) -> str:
        return f"{self.spec.key}:{Path(self.scenario.where.file).name}:{self.scenario.name}"


@dataclass
class Collected:
    cases: list[Case] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SuiteResult:
    results: list[ScenarioResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems


def scenario_files(spec: Spec) -> list[Path]:
    if not spec.source_path:
        return []
    folder = Path(spec.source_path).parent / SCENARIO_DIR
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


def collect(specs: Iterable[Spec], every: Iterable[Spec] | None = None) -> Collected:
    """`specs`: the revisions to test; `every`: all revisions loaded (to tell a revision
    that is not selected from one that does not exist), by default `specs`."""
    out = Collected()
    specs = list(specs)
    parsed: dict[Path, ScenarioFile | None] = {}
    for spec in specs:
        rev: CompiledRevision | None = None
        for path in scenario_files(spec):
            if path not in parsed:
                parsed[path] = _parse(path, out.problems)
            sfile = parsed[path]
            if sfile is None or not sfile.applies_to(spec.revision):
                continue
            problems = check_scenarios(spec, sfile)
            out.problems.extend(_tagged(problems, spec))
            if not problems:
                rev = rev or compile_revision(spec)
                out.cases.extend(Case(rev, sc) for sc in sfile.scenarios)
    out.problems.extend(_unknown_revisions(parsed, list(every) if every is not None else specs))
    return out


def run_suite(specs: Iterable[Spec], every: Iterable[Spec] | None = None) -> SuiteResult:
    collected = collect(specs, every)
    results = [run_scenario(case.rev, case.scenario) for case in collected.cases]
    return SuiteResult(results, collected.problems)


def _parse(path: Path, problems: list[Problem]) -> ScenarioFile | None:
    try:
        return load_scenario_file(path)
    except SopInvalid as exc:
        problems.extend(exc.problems)
        return None


def _tagged(problems: list[Problem], spec: Spec) -> list[Problem]:
    """Say which revision a name is unknown to: a file may serve several."""
    return [
        Problem(p.code, f"{p.message} (in {spec.key})", p.path, p.file, p.line, p.col, p.hint)
        for p in problems
    ]


def _unknown_revisions(parsed: dict[Path, ScenarioFile | None], specs: list[Spec]) -> list[Problem]:
    out = []
    for path, sfile in parsed.items():
        if sfile is None:
            continue
        known = {s.revision for s in specs if path in scenario_files(s)}
        for rev in sfile.revisions:
            if rev not in known:
                out.append(
                    Problem(
                        "unknown_revision",
                        f"no revision {rev!r} beside this file; known: {', '.join(sorted(known))}",
                        "revision",
                        str(path),
                        sfile.revision_line,
                        1,
                    )
                )
    return out
