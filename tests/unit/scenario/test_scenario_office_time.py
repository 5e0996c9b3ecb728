"""Seconds and office time through the scenario runner: the office-clock test SOP (WITA, office
hours with a Friday lunch break), `sop test` failures and `sop simulate` timelines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.authoring.scenario import collect, run_scenario
from engine.cli import main
from engine.spec.catalog import load_catalog
from tests.unit.scenario.paths import PERMIT_ROOT

CASES = collect(load_catalog(PERMIT_ROOT).revisions("office-clock"))


@pytest.mark.parametrize("case", CASES.cases, ids=lambda c: c.id)
def test_office_clock_scenario(case) -> None:
    result = run_scenario(case.rev, case.scenario)
    assert result.passed, "\n".join(result.failure.lines())


def test_office_clock_scenarios_are_valid_and_cover_lunch_pause_and_closure() -> None:
    assert CASES.problems == []
    names = " ".join(c.scenario.name for c in CASES.cases)
    assert "lunch" in names and "pause" in names and "closure" in names


def test_a_failure_of_sop_test_shows_the_seconds(tmp_path: Path) -> None:
    shutil.copytree(PERMIT_ROOT / "office-clock", tmp_path / "office-clock")
    scenarios = tmp_path / "office-clock/scenarios/office-hours.yaml"
    text = scenarios.read_text().replace(
        "due: 2025-05-02T15:55:10+08:00", "due: 2025-05-02T15:55:00+08:00"
    )
    scenarios.write_text(text)
    result = CliRunner().invoke(main, ["test", "office-clock", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "2025-05-02T15:55:10+08:00" in result.output  # the actual due time, to the second
    assert "2025-05-02T15:54:40+08:00" in result.output  # the timeline's row


def test_simulate_shows_seconds_where_they_are_not_zero(tmp_path: Path) -> None:
    events = tmp_path / "events.yaml"
    events.write_text(
        "given: {at: 2025-05-02T15:54:40+08:00}\n"
        "steps:\n"
        "  - advance: 20 detik\n"
        "  - event: {type: received, actor: clerk}\n"
        "  - advance_to: 2025-05-05T07:45:00+08:00\n"
        "  - event: {type: recorded, actor: clerk}\n"
    )
    args = ["simulate", "office-clock", "--events", str(events), "--root", str(PERMIT_ROOT)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("2025-05-02T15:55+08:00") for line in lines), result.output
    assert any(line.startswith("2025-05-02T15:54:40+08:00") for line in lines), result.output
    assert any(line.startswith("2025-05-05T07:45+08:00") for line in lines), result.output
    assert "step 1 met" in result.output  # received at 15:55:00, due 15:55:10
    assert "step 2 breached" in result.output  # 15 office minutes: due Monday 07:40
