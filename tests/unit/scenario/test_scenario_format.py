"""Scenario files are validated like SOP files: every problem at once, each with file, line,
column, YAML path and a hint, and nothing runs until the file is sound."""

from __future__ import annotations

import pytest

from engine.authoring.scenario import check_scenarios, parse_scenario_text
from engine.authoring.scenario.model import AdvanceStep, EventStep, Expect
from engine.errors import SopInvalid

GOOD = """\
revision: r1
scenarios:
  - name: ok
    given:
      at: 2025-01-06T09:00:00+07:00
      fields: {channel: wargaku}
    steps:
      - event: {type: accept, actor: staff, data: {location: here}}
      - advance: 3 working days
      - advance_to: 2025-01-20T09:00:00+07:00
      - expect:
          state: 9
          status: Selesai
          sla: {follow_up: [met, breached]}
          notifications: {only: true, items: [{to: reporter, template: result_reply}]}
          deadlines: [{timer: follow_up_reminder}]
"""


def problems(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SopInvalid) as info:
        parse_scenario_text(text, "s.yaml")
    return [(p.code, p.line, p.col, p.path) for p in info.value.problems]


def test_a_sound_file_parses_into_steps() -> None:
    sfile = parse_scenario_text(GOOD, "s.yaml")
    assert sfile.revisions == ("r1",) and sfile.applies_to("r1") and not sfile.applies_to("r2")
    (sc,) = sfile.scenarios
    event, advance, advance_to, expect = sc.steps
    assert isinstance(event, EventStep) and event.data == {"location": "here"}
    assert isinstance(advance, AdvanceStep) and str(advance.by) == "3 working days"
    assert isinstance(advance_to, AdvanceStep) and advance_to.to is not None
    assert isinstance(expect, Expect)
    assert expect.state == 9 and expect.sla == (("follow_up", ("met", "breached")),)
    assert expect.only_notifications and expect.notifications[0].template == "result_reply"
    assert expect.deadlines[0].kind == "timer" and not expect.only_deadlines


def test_every_problem_is_reported_at_once_with_its_place() -> None:
    text = """\
scenarios:
  - name: bad
    given:
      at: 2025-01-06T09:00:00
    steps:
      - event: {type: accept}
      - advance: 3 fortnights
      - expect: {stat: end}
      - wait: 1 hour
"""
    found = problems(text)
    assert ("bad_time", 4, 11, "scenarios[0].given.at") in found
    # as in SOP files: a missing key's path names the key, its place is the mapping's
    assert ("missing_key", 6, 16, "scenarios[0].steps[0].event.actor") in found
    assert ("bad_duration", 7, 18, "scenarios[0].steps[1].advance") in found
    assert ("unknown_key", 8, 18, "scenarios[0].steps[2].expect.stat") in found  # at the key
    assert ("bad_step", 9, 9, "scenarios[0].steps[3]") in found


def test_problems_carry_hints() -> None:
    with pytest.raises(SopInvalid) as info:
        parse_scenario_text(GOOD.replace("only: true", "onyl: true"), "s.yaml")
    (problem,) = info.value.problems
    assert problem.hint == "did you mean 'only'?"
    assert problem.format().startswith("s.yaml:15:")


def test_a_time_without_offset_says_how_to_write_it() -> None:
    with pytest.raises(SopInvalid) as info:
        parse_scenario_text(GOOD.replace("+07:00\n      fields", "\n      fields"), "s.yaml")
    assert "has no UTC offset" in info.value.problems[0].message
    assert "2025-01-06T09:00:00+07:00" in info.value.problems[0].hint


def test_unknown_error_code_and_sla_result_are_refused() -> None:
    text = GOOD.replace(
        "data: {location: here}}", "data: {location: here}}\n        expect_error: missing_input"
    ).replace("[met, breached]", "[met, late]")
    found = problems(text)
    assert [f[0] for f in found] == ["unknown_error_code", "bad_sla"]


def test_duplicate_keys_and_names_and_yaml_errors_are_located() -> None:
    assert problems("scenarios: []\nscenarios: []\n") == [("duplicate_key", 2, 1, "scenarios")]
    dup = GOOD + GOOD.split("scenarios:\n")[1]
    assert ("duplicate_name", 17, 11, "scenarios[1].name") in problems(dup)
    assert problems("scenarios: [\n")[0][0] == "yaml_syntax"
    assert problems("")[0][0] == "empty_file"  # the code SOP files use for an empty file


def test_a_merge_key_may_be_overridden() -> None:
    text = GOOD.replace(
        "fields: {channel: wargaku}", "fields: {<<: {channel: x}, channel: wargaku}"
    )
    assert parse_scenario_text(text).scenarios[0].given.fields == {"channel": "wargaku"}


def test_after_must_name_an_earlier_scenario() -> None:
    text = GOOD + "  - name: next\n    given: {after: okk}\n    steps: [{advance: 1 hour}]\n"
    found = problems(text)
    assert found == [("unknown_scenario", 18, 20, "scenarios[1].given.after")]
    good = parse_scenario_text(text.replace("okk", "ok"))
    assert [s.name for s in good.scenarios[1].given.chain()] == ["ok"]


def test_names_are_checked_against_the_revision(seed_spec) -> None:
    text = GOOD.replace("type: accept", "type: acept").replace("state: 9", "state: 99")
    text = text.replace("template: result_reply", "template: reply").replace(
        "follow_up_reminder", "follow_up_remind"
    )
    found = {p.code: p for p in check_scenarios(seed_spec, parse_scenario_text(text, "s.yaml"))}
    assert set(found) == {
        "unknown_event",
        "unknown_step number",
        "unknown_template",
        "unknown_timer",
    }
    assert found["unknown_event"].hint == "did you mean 'accept'?"
    assert found["unknown_event"].line == 8
    assert found["unknown_template"].line == 15


def test_status_may_be_an_id_or_a_label_and_a_state_may_be_end(seed_spec) -> None:
    for status in ("done", "Selesai", "Sedang Ditindaklanjuti"):
        text = GOOD.replace("status: Selesai", f"status: {status}").replace(
            "state: 9", "state: end"
        )
        assert check_scenarios(seed_spec, parse_scenario_text(text)) == []
    text = GOOD.replace("status: Selesai", "status: Closed")
    (problem,) = check_scenarios(seed_spec, parse_scenario_text(text))
    assert problem.code == "unknown_status"


def test_a_refusal_the_scenario_expects_is_not_a_typo(seed_spec) -> None:
    text = GOOD.replace(
        "{type: accept, actor: staff, data: {location: here}}",
        "{type: accept, actor: mayor}\n        expect_error: actor_not_allowed",
    )
    assert check_scenarios(seed_spec, parse_scenario_text(text)) == []
