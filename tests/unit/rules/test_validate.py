"""Rules are checked against the closed registries and the SOP before anything compiles.

A built Spec's rules go through the same validator as a rules file `sop validate` reads
(engine.spec.rules_check): the same codes and paths for the same mistake."""

from __future__ import annotations

from typing import Any

import pytest

from engine.core.rules_engine import RulesEngine
from engine.errors import Problem, SopInvalid
from engine.spec.conditions import check_condition
from engine.spec.model import Spec
from engine.spec.report import Report
from engine.spec.rules import compile_rules, rule_problems
from tests.unit.rules.rules_helpers import TINY_SOP, tiny_spec

FIELDS = TINY_SOP["fields"]

NOTIFY = [{"notify": {"to": "boss", "template": "hello"}}]


def rule_with(when_if: Any) -> dict[str, Any]:
    return {"id": "r", "when": {"event": "poke", "if": when_if}, "then": NOTIFY}


def problems(when: Any = None, then: Any = None) -> list[tuple[str, str, str]]:
    rule = {"id": "r", "when": {"event": "poke"} if when is None else when}
    rule["then"] = NOTIFY if then is None else then
    return [(p.code, p.path, p.hint) for p in rule_problems(tiny_spec([rule]))]


def branch_problems(cond: Any) -> list[Problem]:
    """What a branch `when` of the tiny SOP gets for `cond`."""
    report = Report(file="sop/tiny/t1.yaml")
    check_condition(cond, ("steps", 0, "events", "take", "branches", 0, "when"), FIELDS, report)
    return report.problems


def codes(when: Any = None, then: Any = None) -> list[str]:
    return [c for c, _, _ in problems(when, then)]


def test_the_seed_rules_have_no_problems(seed: Spec) -> None:
    assert rule_problems(seed) == []


def test_a_sound_rule_has_no_problems() -> None:
    assert problems() == []


@pytest.mark.parametrize(
    "when",
    [
        {"event": "poke"},
        {"entered": "review"},
        {"deadline": "intake"},
        {"timer": "nag"},
        {"schedule": "report"},
    ],
)
def test_each_trigger_kind_is_accepted(when: dict[str, str]) -> None:
    start = [{"start_timer": {"name": "nag", "after": "1 hour"}}]
    assert problems(when, start) == []


def test_an_unknown_trigger_kind_is_refused_with_a_hint() -> None:
    assert problems({"evnt": "poke"}) == [
        ("unknown_trigger", "rules[0].when.evnt", "did you mean 'event'?"),
    ]


def test_exactly_one_trigger_is_required() -> None:
    assert codes({"event": "poke", "entered": "review"}) == ["several_triggers"]
    assert codes({"actor": "boss"}) == ["missing_trigger"]


@pytest.mark.parametrize(
    ("when", "code", "path"),
    [
        ({"event": "pokee"}, "unknown_event", "rules[0].when.event"),
        ({"entered": "nowhere"}, "unknown_step", "rules[0].when.entered"),
        ({"deadline": "report"}, "deadline_without_time_limit", "rules[0].when.deadline"),
        ({"schedule": "intake"}, "not_periodic", "rules[0].when.schedule"),
        ({"timer": "never_started"}, "timer_never_started", "rules[0].when.timer"),
        ({"event": "poke", "actor": "boss_"}, "unknown_actor", "rules[0].when.actor"),
        ({"event": "poke", "state": "revue"}, "unknown_step", "rules[0].when.state"),
    ],
)
def test_names_the_sop_does_not_define_are_refused(
    when: dict[str, str], code: str, path: str
) -> None:
    assert [(c, p) for c, p, _ in problems(when)] == [(code, path)]


def test_the_hint_names_the_closest_known_name() -> None:
    assert problems({"event": "poke", "state": "revue"})[0][2] == "did you mean 'review'?"


@pytest.mark.parametrize(
    "count", [{"gte": -1}, {"gte": "2"}, {"gte": True}, {"between": 2}, {"lt": 1, "gt": 0}, 3]
)
def test_a_bad_count_filter_is_refused(count: Any) -> None:
    assert codes({"timer": "nag", "count": count}, NOTIFY + [START_NAG]) == ["bad_count"]


START_NAG = {"start_timer": {"name": "nag", "every": "1 hour"}}


@pytest.mark.parametrize(
    ("cond", "found"),
    [
        ({"field": "channel"}, ["bad_condition"]),  # no operator
        ({"field": "channel", "equals": "web", "in": ["web"]}, ["bad_condition"]),  # two
        ({"field": "channel", "data": "x", "equals": "web"}, ["bad_condition"]),  # two subjects
        ({"field": "channel", "equalz": "web"}, ["unknown_key", "bad_condition"]),
        ({"field": "channel", "in": []}, ["wrong_type"]),
        ({"field": "channel", "in": "web"}, ["wrong_type"]),
        ({"field": "priority", "gt": "3"}, ["wrong_type"]),  # a number field, a text
        ({"field": "priority", "gt": True}, ["wrong_type"]),
        ({"field": "urgent", "is_set": False}, ["wrong_type"]),
        ({"field": "channel", "equals": ["web"]}, ["wrong_type"]),
        ({"all": []}, ["bad_condition"]),
        ({"any": "x"}, ["bad_condition"]),
        ({"not": {"field": "channel", "equals": "web"}, "field": "channel"}, ["bad_condition"]),
        ({"data": "", "equals": 1}, ["wrong_type"]),
        ("channel == web", ["bad_condition"]),
    ],
)
def test_a_malformed_condition_is_refused(cond: Any, found: list[str]) -> None:
    """The codes a branch `when` gets for the same mistake (engine.spec.conditions)."""
    assert codes({"event": "poke", "if": cond}) == found


def test_a_rule_condition_and_a_branch_condition_get_the_same_problems() -> None:
    cond = {"field": "priority", "gte": "3"}
    branch = [(p.code, p.message, p.hint) for p in branch_problems(cond)]
    rule = [(p.code, p.message, p.hint) for p in rule_problems(tiny_spec([rule_with(cond)]))]
    assert rule == branch and [c for c, _, _ in rule] == ["wrong_type"]
    assert "write the number without quotes: 3" in rule[0][2]


def test_conditions_name_known_fields_and_known_choices() -> None:
    assert problems({"event": "poke", "if": {"field": "chanel", "equals": "web"}}) == [
        ("unknown_field", "rules[0].when.if.field", "did you mean 'channel'?")
    ]
    assert problems({"event": "poke", "if": {"any": [{"field": "channel", "in": ["web", "smz"]}]}})
    assert codes({"event": "poke", "if": {"field": "channel", "in": ["web", "smz"]}}) == [
        "unknown_choice"
    ]


def test_an_unknown_action_is_refused_with_a_hint() -> None:
    assert problems(then=[{"notfy": {"to": "boss"}}]) == [
        ("unknown_action", "rules[0].then[0].notfy", "did you mean 'notify'?")
    ]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"notify": {"to": "boss"}}, "missing_key"),
        ({"notify": {"to": "boss", "template": "hello", "via": "sms"}}, "unknown_key"),
        ({"notify": {"to": "nobody", "template": "hello"}}, "unknown_actor"),
        ({"notify": {"to": "boss", "template": "bye"}}, "unknown_template"),
        (
            {"notify": {"to": "boss", "template": "hello", "channel_field": "chan"}},
            "unknown_field",
        ),
        ({"notify": {"to": "boss", "template": "hello", "include_personal": "yes"}}, "wrong_type"),
        ({"escalate": {"to": "boss"}}, "missing_key"),
        ({"start_timer": {"name": "nag"}}, "missing_key"),
        (
            {"start_timer": {"name": "nag", "every": "1 hour", "after": "1 hour"}},
            "conflicting_keys",
        ),
        ({"start_timer": {"name": "nag", "every": "soon"}}, "bad_duration"),
        ({"start_timer": {"name": "nag", "after": "1 hour", "step": "x"}}, "unknown_step"),
        ({"start_timer": {"name": 5, "after": "1 hour"}}, "wrong_type"),
        ({"cancel_timer": {"name": "ghost"}}, "timer_never_started"),
        ({"fire": {"event": "explode"}}, "unknown_event"),
        ({"fire": {"event": "take", "actor": "ghost"}}, "unknown_actor"),
        ({"set_status": {"status": "closed"}}, "unknown_status"),
        ({"set_status": {}}, "missing_key"),
    ],
)
def test_bad_action_parameters_are_refused(action: dict[str, Any], code: str) -> None:
    assert codes(then=[action]) == [code]


def test_every_action_kind_with_good_parameters_is_accepted() -> None:
    then = [
        {"notify": {"to": "boss", "template": "hello", "channel_field": "channel"}},
        {"notify": {"to": "clerk", "template": "hello", "include_personal": True}},
        {"escalate": {"to": "boss", "template": "late"}},
        {"start_timer": {"name": "nag", "every": "1 working day", "step": "intake"}},
        {"start_timer": {"name": "once", "after": "2 hours"}},
        {"cancel_timer": {"name": "nag"}},
        {"fire": {"event": "take", "actor": "clerk"}},
        {"set_status": {"status": "shut"}},
    ]
    assert problems(then=then) == []


def test_a_rule_needs_actions_and_a_unique_id() -> None:
    assert codes(then=[]) == ["empty_value"]
    rule = {"id": "same", "when": {"event": "poke"}, "then": NOTIFY}
    found = rule_problems(tiny_spec([rule, rule]))
    assert [(p.code, p.path) for p in found] == [("duplicate_rule_id", "rules[1].id")]


def test_every_problem_is_reported_at_once_with_its_file_and_rule() -> None:
    rules = [
        {"id": "a", "when": {"event": "pokee"}, "then": NOTIFY},
        {"id": "b", "when": {"event": "poke"}, "then": [{"teleport": {}}]},
    ]
    with pytest.raises(SopInvalid) as caught:
        compile_rules(tiny_spec(rules))
    found = caught.value.problems
    assert sorted(p.code for p in found) == ["unknown_action", "unknown_event"]
    assert {p.file for p in found} == {"rules/tiny-rules.yaml"}
    assert "rules[0].when.event" in str(caught.value) and "rules[1].then" in str(caught.value)


def test_an_invalid_spec_gets_no_engine() -> None:
    spec = tiny_spec([{"id": "a", "when": {"event": "pokee"}, "then": NOTIFY}], revision="bad")
    with pytest.raises(SopInvalid):
        RulesEngine.build(spec)
    with pytest.raises(SopInvalid):  # refused again: nothing was half-registered
        RulesEngine.build(spec)
