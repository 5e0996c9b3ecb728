"""Scenario and events files are read by the same YAML reader as SOP files: the same limits,
the same located problems, the same "did you mean"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.authoring.scenario import (
    check_scenarios,
    load_scenario_file,
    load_simulation_file,
    parse_scenario_text,
)
from engine.cli import main
from engine.errors import Problem, SopInvalid
from engine.spec.hints import did_you_mean
from engine.spec.model import Spec
from engine.spec.yaml_safe import MAX_BYTES, MAX_DEPTH
from tests.unit.scenario.paths import ROOT
from tests.unit.scenario.test_scenario_format import GOOD

EVENTS = "given: {at: 2025-01-06T09:00:00+07:00}\nsteps:\n  - advance: 1 hour\n"
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol"]']
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    + ["boom: *a9", ""]
)

# (what the file does wrong, its bytes, the code, line and column of the problem)
LIMITS: list[tuple[str, bytes, str, int, int]] = [
    ("too large", b"scenarios: []\n" + b"#" * MAX_BYTES, "file_too_large", 1, 1),
    ("not UTF-8", b"scenarios: []\n# Jos\xe9\n", "not_utf8", 2, 6),
    ("tab indent", b"scenarios:\n\t- name: x\n", "tab_indent", 2, 1),
    ("alias bomb", ALIAS_BOMB.encode(), "alias_bomb", 6, 25),
    ("too deep", b"scenarios: " + b"[" * 100 + b"]" * 100 + b"\n", "too_deep", 1, 11 + MAX_DEPTH),
    ("python tag", b"scenarios: !!python/object/apply:os.system [ls]\n", "python_tag", 1, 12),
    ("two documents", b"scenarios: []\n---\nscenarios: []\n", "multiple_documents", 2, 1),
    ("duplicate key", b"steps: []\nscenarios: []\nsteps: []\n", "duplicate_key", 3, 1),
    ("boolean key", b"scenarios: []\nyes: 1\n", "non_string_key", 2, 1),
    ("syntax", b"scenarios: [\n", "yaml_syntax", 2, 1),
]

Loader = Callable[[Path], Any]
KINDS: list[tuple[str, Loader]] = [
    ("scenario", load_scenario_file),
    ("events", load_simulation_file),
]


def _problems(load: Loader, path: Path) -> list[Problem]:
    with pytest.raises(SopInvalid) as info:
        load(path)
    return info.value.problems


@pytest.mark.parametrize(("kind", "load"), KINDS, ids=[k for k, _ in KINDS])
@pytest.mark.parametrize(
    ("raw", "code", "line", "col"), [x[1:] for x in LIMITS], ids=[x[0] for x in LIMITS]
)
def test_each_limit_of_the_reader_holds_for_scenario_and_events_files(
    tmp_path: Path, kind: str, load: Loader, raw: bytes, code: str, line: int, col: int
) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(raw)
    found = _problems(load, path)
    located = [p for p in found if p.code == code]
    assert located, [p.format() for p in found]
    assert located[0].format().startswith(f"{path}:{line}:{col}: {code}: ")


def test_a_refused_value_is_reported_once_not_again_as_a_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("at: 2025-01-06T09:00:00+07:00", "at: !!python/none x"))
    (problem,) = _problems(load_scenario_file, path)
    assert (problem.code, problem.path, problem.line) == ("python_tag", "scenarios[0].given.at", 5)


def test_step_numbers_may_be_keys_but_yes_and_no_may_not(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("sla: {follow_up: [met, breached]}", "sla: {9: met}"))
    (expect,) = [s for s in load_scenario_file(path).scenarios[0].steps if hasattr(s, "sla")]
    assert expect.sla == ((9, ("met",)),)
    path.write_text(GOOD.replace("sla: {follow_up: [met, breached]}", "sla: {no: met}"))
    (problem,) = _problems(load_scenario_file, path)
    assert (problem.code, problem.line, problem.col) == ("non_string_key", 14, 17)
    assert problem.hint == "YAML 1.1 reads `no:` as a boolean: write it in quotes ('no':)"


def test_a_format_hint_comes_from_the_shared_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("only: true", "ONLY: true"))
    (problem,) = _problems(load_scenario_file, path)
    assert problem.code == "unknown_key"
    # difflib alone finds nothing close to ONLY; the shared helper also compares case-blind
    assert problem.hint == did_you_mean("ONLY", ["only", "items"]) == "did you mean 'only'?"


def test_a_name_hint_comes_from_the_shared_did_you_mean(seed_spec: Spec) -> None:
    text = GOOD.replace("type: accept", "type: ACCEPT")
    found = check_scenarios(seed_spec, parse_scenario_text(text, "s.yaml"))
    (problem,) = [p for p in found if p.code == "unknown_event"]
    assert problem.hint == "did you mean 'accept'?"


def test_a_comma_in_a_flow_mapping_text_gets_the_hint_to_quote_it(seed_spec: Spec) -> None:
    """As in SOP files: `{location: Jalan Raya, Gubeng}` ends the text at the comma."""
    text = GOOD.replace("data: {location: here}", "data: {location: Jalan Raya, Gubeng}")
    assert text != GOOD
    found = check_scenarios(seed_spec, parse_scenario_text(text, "s.yaml"))
    (problem,) = [p for p in found if p.code == "unknown_field"]
    assert problem.path.endswith("data.Gubeng")
    assert (
        problem.hint == 'a comma ends a text inside {...}: quote it, location: "Jalan Raya, Gubeng"'
    )


def test_sop_simulate_reports_a_tab_in_the_events_file_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "events.yaml"
    bad.write_text(EVENTS.replace("  - advance", "\t- advance"))
    args = ["simulate", "surabaya-complaints", "--events", str(bad), "--root", str(ROOT / "sop")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"{bad}:3:1: tab_indent: <root>: a tab in the indentation" in result.output
