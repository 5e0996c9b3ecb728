"""The runner reports like a test runner: PASS/FAIL per scenario, expected against actual, a
summary, exit code 1 on failure; and each kind of check notices what it should."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.authoring.scenario import parse_scenario_text, run_scenario
from engine.cli import main
from tests.unit.scenario.paths import FIXTURES

FIELDS = """
        complaint_text: Lampu mati
        attachment: https://wargaku.example/1.jpg
        reporter_name: Budi
        reporter_phone: "+6281234567890"
        location: Jl. Darmo 1
        channel: wargaku
"""


TO_ROUTING = """\
      - event: {type: accept, actor: staff}
      - event: {type: triage, actor: staff}
      - event:
          type: responded
          actor: staff
          data: {response_text: ok, category: a, topic: b, agency: DLH}
      - event: {type: within_authority, actor: staff}
      - event: {type: routed, actor: staff}
"""


def one(rev, steps: str, given_at: str = "2025-01-06T09:00:00+07:00"):
    """Run a single scenario written inline (steps indented by 6 spaces)."""
    text = (
        "scenarios:\n  - name: inline\n    given:\n"
        f"      at: {given_at}\n      fields:{FIELDS}    steps:\n{steps}"
    )
    sfile = parse_scenario_text(text, "inline.yaml")
    return run_scenario(rev, sfile.scenarios[0])


def test_sop_test_shows_expected_against_actual_and_exits_1(seed_root: Path) -> None:
    shutil.copy(FIXTURES / "failing.yaml", seed_root / "surabaya-complaints" / "scenarios")
    result = CliRunner().invoke(main, ["test", "--root", str(seed_root)])
    out = result.output
    assert result.exit_code == 1
    assert "PASS surabaya-complaints@r1 failing.yaml:4 passes" in out
    assert "FAIL surabaya-complaints@r1 failing.yaml:18 wrong state and status" in out
    assert "expected: enter_into_app (3)" in out
    assert "actual:   respond_to_reporter (4)" in out
    assert "expected: Selesai" in out and "actual:   received (Diterima)" in out
    assert "was refused: event_not_allowed" in out
    assert "was accepted" in out and "expects it refused with actor_not_allowed" in out
    assert out.rstrip().endswith("1 passed, 3 failed")


def test_sop_test_json_lists_each_result(seed_root: Path) -> None:
    shutil.copy(FIXTURES / "failing.yaml", seed_root / "surabaya-complaints" / "scenarios")
    result = CliRunner().invoke(main, ["test", "--root", str(seed_root), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["passed"], doc["failed"], doc["ok"]) == (1, 3, False)
    wrong = next(r for r in doc["results"] if r["name"] == "wrong state and status")
    checks = {m["check"]: m for m in wrong["failure"]["mismatches"]}
    assert checks["state"]["expected"] == "enter_into_app (3)"
    assert checks["state"]["line"] == 24


def test_sop_test_passes_with_exit_0_and_selects_a_revision(seed_root: Path) -> None:
    text = (FIXTURES / "failing.yaml").read_text().split("  - name: wrong state")[0]
    (seed_root / "surabaya-complaints" / "scenarios" / "ok.yaml").write_text(text)
    result = CliRunner().invoke(main, ["test", "surabaya-complaints@r1", "--root", str(seed_root)])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 passed, 0 failed")
    unknown = CliRunner().invoke(main, ["test", "surabaya-complaints@r9", "--root", str(seed_root)])
    assert unknown.exit_code == 2 and "no revision 'r9'" in unknown.output


def test_a_scenario_file_with_problems_fails_the_run_with_located_messages(seed_root: Path) -> None:
    (seed_root / "surabaya-complaints" / "scenarios" / "bad.yaml").write_text(
        "scenarios:\n  - name: x\n    given: {at: 2025-01-06T09:00:00+07:00}\n"
        "    steps:\n      - event: {type: acept, actor: staff}\n"
    )
    result = CliRunner().invoke(main, ["test", "--root", str(seed_root)])
    assert result.exit_code == 1
    assert "bad.yaml:5:16: unknown_event" in result.output
    assert "did you mean 'accept'?" in result.output
    assert "0 passed, 0 failed, 1 problem(s) in scenario files" in result.output


def test_no_scenarios_found_is_a_failure(seed_root: Path) -> None:
    result = CliRunner().invoke(main, ["test", "--root", str(seed_root)])
    assert result.exit_code == 1
    assert "no scenarios found" in result.output


def test_the_building_permit_sop_runs_through_sop_test() -> None:
    from tests.unit.scenario.paths import PERMIT_ROOT

    result = CliRunner().invoke(main, ["test", "--root", str(PERMIT_ROOT)])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and " 0 failed" in result.output


def test_a_failure_shows_the_timeline_that_led_to_it(seed_root: Path) -> None:
    shutil.copy(FIXTURES / "failing.yaml", seed_root / "surabaya-complaints" / "scenarios")
    out = CliRunner().invoke(main, ["test", "--root", str(seed_root)]).output
    assert "timeline (last 3 of 3 decisions)" in out
    assert "monitor_channels -> respond_to_reporter" in out


# --- what each check notices ---------------------------------------------------------------


def test_notifications_are_those_since_the_previous_expect(seed_rev) -> None:
    steps = (
        TO_ROUTING
        + """\
      - expect: {notifications: [{to: agency, template: routed_to_agency}]}
      - expect: {notifications: [{to: agency, template: routed_to_agency}]}
"""
    )
    result = one(seed_rev, steps)
    assert not result.passed
    # the second expect fails: the first one emptied the window
    assert result.failure.where.path == "scenarios[0].steps[6].expect"
    (mismatch,) = result.failure.mismatches
    assert mismatch.expected == "to agency: routed_to_agency" and mismatch.actual == "none"


def test_only_notifications_rejects_extra_ones(seed_rev) -> None:
    steps = (
        TO_ROUTING
        + """\
      - advance: 25 hours
      - expect: {notifications: {only: true, items: [{to: agency, template: routed_to_agency}]}}
"""
    )
    result = one(seed_rev, steps)
    assert not result.passed
    assert "remind_first_response" in result.failure.mismatches[0].actual


def test_wrong_due_time_and_sla_are_reported(seed_rev) -> None:
    steps = """\
      - expect:
          deadlines: [{step: receive_inquiry, due: 2025-01-07T10:00:00+07:00}]
          sla: {1: met}
"""
    result = one(seed_rev, steps)
    checks = {m.check: m for m in result.failure.mismatches}
    assert checks["deadlines"].expected == "step receive_inquiry due 2025-01-07T10:00+07:00"
    assert checks["deadlines"].actual == "step receive_inquiry due 2025-01-07T09:00+07:00"
    assert checks["sla"].actual == "running"


def test_a_deadline_fires_at_its_own_due_time_while_the_clock_moves_past_it(seed_rev) -> None:
    steps = """\
      - advance: 3 working days
"""
    result = one(seed_rev, steps)
    deadline_rows = [r for r in result.timeline if r.event == "deadline"]
    assert [r.at.isoformat() for r in deadline_rows] == ["2025-01-07T02:00:00+00:00"]


def test_the_clock_cannot_go_back(seed_rev) -> None:
    result = one(seed_rev, "      - advance_to: 2025-01-05T09:00:00+07:00\n")
    assert "cannot move the clock back" in result.failure.message


def test_an_expected_refusal_with_another_code_fails(seed_rev) -> None:
    steps = """\
      - event: {type: accept, actor: reporter}
        expect_error: missing_inputs
"""
    result = one(seed_rev, steps)
    assert "expected refusal missing_inputs" in result.failure.message
    assert "actor_not_allowed" in result.failure.message


def test_a_refusal_must_mention_what_the_scenario_names(seed_rev) -> None:
    steps = """\
      - event: {type: triage, actor: staff}
        expect_error: {code: event_not_allowed, mentions: [accept, nonsense]}
"""
    result = one(seed_rev, steps)
    assert "does not mention 'nonsense'" in result.failure.message


def test_a_failure_in_a_continued_scenario_names_it(seed_rev) -> None:
    text = f"""scenarios:
  - name: base
    given:
      at: 2025-01-06T09:00:00+07:00
      fields:{FIELDS}    steps:
      - expect: {{state: 2}}
  - name: next
    given: {{after: base}}
    steps:
      - expect: {{state: 1}}
"""
    sfile = parse_scenario_text(text, "chain.yaml")
    result = run_scenario(seed_rev, sfile.scenarios[1])
    assert result.failure.message.startswith("in 'base', which this scenario continues")
    assert result.failure.where.path == "scenarios[0].steps[0].expect"  # in 'base'
    assert result.failure.where.line == 13


def test_a_file_naming_a_revision_that_does_not_exist_is_a_problem(seed_root: Path) -> None:
    text = (FIXTURES / "failing.yaml").read_text().replace("revision: r1", "revision: r2")
    (seed_root / "surabaya-complaints" / "scenarios" / "r2.yaml").write_text(text)
    result = CliRunner().invoke(main, ["test", "--root", str(seed_root)])
    assert result.exit_code == 1
    assert "r2.yaml:2:1: unknown_revision: revision: no revision 'r2'" in result.output
