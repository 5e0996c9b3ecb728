"""Report a scenario run like a test runner: a line per scenario, details on failure, a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.authoring.scenario.run import ScenarioResult
from engine.authoring.scenario.suite import SuiteResult
from engine.authoring.scenario.timeline import format_rows
from engine.spec.model import Spec

TIMELINE_TAIL = 6  # decisions shown before a failure, to see how the ticket got there


def summary(result: SuiteResult) -> str:
    text = f"{result.passed} passed, {result.failed} failed"
    if result.problems:
        text += f", {len(result.problems)} problem(s) in scenario files"
    return text


def text_report(result: SuiteResult, specs: dict[str, Spec]) -> list[str]:
    lines = [p.format() for p in result.problems]
    for res in result.results:
        lines.append(f"{'PASS' if res.passed else 'FAIL'} {_label(res)}")
        if res.failure is not None:
            lines.extend(f"    {line}" for line in res.failure.lines())
            lines.extend(_timeline_tail(res, specs.get(res.sop)))
    lines.append(summary(result))
    return lines


def json_report(result: SuiteResult) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "failed": result.failed,
        "ok": result.ok,
        "problems": [p.as_dict() for p in result.problems],
        "results": [
            {
                "sop": r.sop,
                "file": r.file,
                "line": r.line,
                "name": r.name,
                "passed": r.passed,
                "failure": r.failure.as_dict() if r.failure else None,
            }
            for r in result.results
        ],
    }


def _label(res: ScenarioResult) -> str:
    return f"{res.sop} {Path(res.file).name}:{res.line} {res.name}"


def _timeline_tail(res: ScenarioResult, spec: Spec | None) -> list[str]:
    if spec is None or not res.timeline:
        return []
    rows = res.timeline[-TIMELINE_TAIL:]
    head = f"    timeline (last {len(rows)} of {len(res.timeline)} decisions):"
    return [head, *(f"      {line}" for line in format_rows(spec, rows))]
