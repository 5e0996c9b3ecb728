"""Event labels from the YAML are what `sop simulate` and notification texts show; ids stay in
JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from tests.support.labels import labelled_seed
from tests.unit.scenario.paths import FIXTURES

EVENTS = str(FIXTURES / "simulate_events.yaml")


def simulate(root: Path, *extra: str) -> str:
    args = ["simulate", "surabaya-complaints@r1", "--events", EVENTS, "--root", str(root)]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_simulate_shows_an_events_label_instead_of_its_id(tmp_path: Path) -> None:
    out = simulate(labelled_seed(tmp_path))
    entered = next(line for line in out.splitlines() if "Data dimasukkan" in line)
    assert "enter_into_app -> respond_to_reporter" in entered
    assert " entered " not in out
    assert " responded " in out  # an event without a label is shown by its id, as before


def test_a_notification_names_the_event_by_its_label(tmp_path: Path) -> None:
    doc = json.loads(simulate(labelled_seed(tmp_path), "--format", "json"))
    routed = next(r for r in doc["timeline"] if r["event"] == "routed")
    assert routed["event_label"] == "Diteruskan ke OPD"
    assert routed["notifications"][0]["text"].startswith("Pengaduan T-1 (Diteruskan ke OPD) ")
