"""Rules are checked against the closed registries and the SOP before anything compiles."""

from __future__ import annotations

from typing import Any

import pytest

from engine.core.rules_engine import RulesEngine
from engine.errors import SopInvalid
from engine.spec.model import Spec
from engine.spec.rules import compile_rules, rule_problems
from tests.unit.rules.rules_helpers import tiny_spec

NOTIFY = [{"notify": {"to": "boss", "template": "hello"}}]


def problems(when: Any = None, then: Any = None) -> list[tuple[str, str, str]]:
    rule = {"id": "r", "when": {"event": "poke"} if when is None else when}
    rule["then"] = NOTIFY if then is None else then
    return [(p.code, p.path, p.hint) for p in rule_problems(tiny_spec([rule]))]


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
        ("trigger_count", "rules[0].when", ""),
    ]


def test_exactly_one_trigger_is_required() -> None:
    assert codes({"event": "poke", "entered": "review"}) == ["trigger_count"]
    assert codes({"actor": "boss"}) == ["trigger_count"]


@pytest.mark.parametrize(
    ("when", "path"),
    [
        ({"event": "pokee"}, "rules[0].when.event"),
        ({"entered": "nowhere"}, "rules[0].when.entered"),
        ({"deadline": "report"}, "rules[0].when.deadline"),  # no time limit
        ({"schedule": "intake"}, "rules[0].when.schedule"),  # not periodic
        ({"timer": "never_started"}, "rules[0].when.timer"),
        ({"event": "poke", "actor": "boss_"}, "rules[0].when.actor"),
        ({"event": "poke", "state": "revue"}, "rules[0].when.state"),
    ],
)
def test_names_the_sop_does_not_define_are_refused(when: dict[str, str], path: str) -> None:
    assert [(c, p) for c, p, _ in problems(when)] == [("unknown_reference", path)]


def test_the_hint_names_the_closest_known_name() -> None:
    assert problems({"event": "poke", "state": "revue"})[0][2] == "did you mean 'review'?"


@pytest.mark.parametrize(
    "count", [{"gte": -1}, {"gte": "2"}, {"gte": True}, {"between": 2}, {"lt": 1, "gt": 0}, 3]
)
def test_a_bad_count_filter_is_refused(count: Any) -> None:
    assert codes({"timer": "nag", "count": count}, NOTIFY + [START_NAG]) == ["bad_count"]


START_NAG = {"start_timer": {"name": "nag", "every": "1 hour"}}


@pytest.mark.parametrize(
    "cond",
    [
        {"field": "channel"},  # no operator
        {"field": "channel", "equals": "web", "in": ["web"]},  # two operators
        {"field": "channel", "data": "x", "equals": "web"},  # two subjects
        {"field": "channel", "equalz": "web"},
        {"field": "channel", "in": []},
        {"field": "channel", "in": "web"},
        {"field": "priority", "gt": "3"},
        {"field": "priority", "gt": True},
        {"field": "urgent", "is_set": False},
        {"field": "channel", "equals": ["web"]},
        {"all": []},
        {"any": "x"},
        {"not": {"field": "channel", "equals": "web"}, "field": "channel"},
        {"data": "", "equals": 1},
        "channel == web",
    ],
)
def test_a_malformed_condition_is_refused(cond: Any) -> None:
    assert codes({"event": "poke", "if": cond}) == ["bad_condition"]


def test_conditions_name_known_fields_and_known_choices() -> None:
    assert problems({"event": "poke", "if": {"field": "chanel", "equals": "web"}}) == [
        ("unknown_reference", "rules[0].when.if.field", "did you mean 'channel'?")
    ]
    assert problems({"event": "poke", "if": {"any": [{"field": "channel", "in": ["web", "smz"]}]}})
    assert codes({"event": "poke", "if": {"field": "channel", "in": ["web", "smz"]}}) == [
        "unknown_reference"
    ]


def test_an_unknown_action_is_refused_with_a_hint() -> None:
    assert problems(then=[{"notfy": {"to": "boss"}}]) == [
        ("unknown_action", "rules[0].then[0].notfy", "did you mean 'notify'?")
    ]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"notify": {"to": "boss"}}, "missing_param"),
        ({"notify": {"to": "boss", "template": "hello", "via": "sms"}}, "unknown_param"),
        ({"notify": {"to": "nobody", "template": "hello"}}, "unknown_reference"),
        ({"notify": {"to": "boss", "template": "bye"}}, "unknown_reference"),
        (
            {"notify": {"to": "boss", "template": "hello", "channel_field": "chan"}},
            "unknown_reference",
        ),
        ({"notify": {"to": "boss", "template": "hello", "include_personal": "yes"}}, "bad_param"),
        ({"escalate": {"to": "boss"}}, "missing_param"),
        ({"start_timer": {"name": "nag"}}, "bad_param"),
        ({"start_timer": {"name": "nag", "every": "1 hour", "after": "1 hour"}}, "bad_param"),
        ({"start_timer": {"name": "nag", "every": "soon"}}, "bad_param"),
        ({"start_timer": {"name": "nag", "after": "1 hour", "step": "x"}}, "unknown_reference"),
        ({"start_timer": {"name": 5, "after": "1 hour"}}, "bad_param"),
        ({"cancel_timer": {"name": "ghost"}}, "unknown_reference"),
        ({"fire": {"event": "explode"}}, "unknown_reference"),
        ({"fire": {"event": "take", "actor": "ghost"}}, "unknown_reference"),
        ({"set_status": {"status": "closed"}}, "unknown_reference"),
        ({"set_status": {}}, "missing_param"),
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
    assert codes(then=[]) == ["no_actions"]
    rule = {"id": "same", "when": {"event": "poke"}, "then": NOTIFY}
    found = rule_problems(tiny_spec([rule, rule]))
    assert [(p.code, p.path) for p in found] == [("duplicate_rule", "rules[1].id")]


def test_every_problem_is_reported_at_once_with_its_file_and_rule() -> None:
    rules = [
        {"id": "a", "when": {"event": "pokee"}, "then": NOTIFY},
        {"id": "b", "when": {"event": "poke"}, "then": [{"teleport": {}}]},
    ]
    with pytest.raises(SopInvalid) as caught:
        compile_rules(tiny_spec(rules))
    found = caught.value.problems
    assert sorted(p.code for p in found) == ["unknown_action", "unknown_reference"]
    assert {p.file for p in found} == {"rules/tiny-rules.yaml"}
    assert "rule 'a'" in str(caught.value) and "rule 'b'" in str(caught.value)


def test_an_invalid_spec_gets_no_engine() -> None:
    spec = tiny_spec([{"id": "a", "when": {"event": "pokee"}, "then": NOTIFY}], revision="bad")
    with pytest.raises(SopInvalid):
        RulesEngine.build(spec)
    with pytest.raises(SopInvalid):  # refused again: nothing was half-registered
        RulesEngine.build(spec)
