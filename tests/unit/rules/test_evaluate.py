"""RulesEngine.evaluate: which rules a fact matches, in what order, and why."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from engine.core import rules_engine as durable_adapter
from engine.core.rules_engine import RulesEngine
from engine.errors import RulesError
from engine.spec.model import Spec
from engine.spec.rules import Match
from tests.unit.rules.rules_helpers import expected, fact, tiny_spec

NOTIFY = [{"notify": {"to": "boss", "template": "hello"}}]
START_NAG = {"start_timer": {"name": "nag", "every": "1 hour"}}


def engine_for(*whens: dict[str, Any], revision: str = "t1") -> RulesEngine:
    rules = [{"id": f"r{i}", "when": w, "then": [*NOTIFY, START_NAG]} for i, w in enumerate(whens)]
    return RulesEngine.build(tiny_spec(rules, revision=revision))


def ids(engine: RulesEngine, f: dict[str, Any]) -> list[str]:
    return [m.rule_id for m in engine.evaluate(f)]


@pytest.mark.parametrize(
    ("trigger", "name", "other"),
    [
        ("event", "poke", "take"),
        ("entered", "review", "intake"),
        ("deadline", "intake", "review"),
        ("timer", "nag", "nagger"),
        ("schedule", "report", "intake"),
    ],
)
def test_each_trigger_kind_matches_its_own_name_only(trigger: str, name: str, other: str) -> None:
    engine = engine_for({trigger: name})
    assert ids(engine, fact(trigger, name)) == ["r0"]
    assert ids(engine, fact(trigger, other)) == []
    wrong_kind = "event" if trigger != "event" else "entered"
    assert ids(engine, fact(wrong_kind, name)) == []


@pytest.mark.parametrize(
    ("op", "limit", "matching"),
    [
        ("lt", 2, [0, 1]),
        ("lte", 2, [0, 1, 2]),
        ("gt", 2, [3, 4]),
        ("gte", 2, [2, 3, 4]),
        ("equals", 2, [2]),
    ],
)
def test_the_count_filter(op: str, limit: int, matching: list[int]) -> None:
    engine = engine_for({"timer": "nag", "count": {op: limit}})
    assert [n for n in range(5) if ids(engine, fact("timer", "nag", count=n))] == matching


def test_the_actor_filter() -> None:
    engine = engine_for({"event": "poke", "actor": "boss"})
    assert ids(engine, fact(actor="boss")) == ["r0"]
    assert ids(engine, fact(actor="clerk")) == []
    assert ids(engine, fact(actor=None)) == []


def test_the_state_filter() -> None:
    engine = engine_for({"deadline": "intake", "state": "intake"})
    assert ids(engine, fact("deadline", "intake", state="intake")) == ["r0"]
    assert ids(engine, fact("deadline", "intake", state="review")) == []


@pytest.mark.parametrize(
    ("cond", "yes", "no"),
    [
        ({"field": "channel", "equals": "web"}, {"channel": "web"}, {"channel": "sms"}),
        ({"field": "channel", "not_equals": "web"}, {}, {"channel": "web"}),
        ({"field": "channel", "in": ["web", "sms"]}, {"channel": "sms"}, {"channel": "desk"}),
        ({"field": "channel", "not_in": ["web", "sms"]}, {"channel": "desk"}, {"channel": "web"}),
        ({"field": "urgent", "is_set": True}, {"urgent": False}, {"urgent": None}),
        ({"field": "urgent", "is_not_set": True}, {}, {"urgent": True}),
        ({"field": "priority", "gt": 3}, {"priority": 3.5}, {"priority": 3}),
        ({"field": "priority", "lte": 3}, {"priority": 3}, {"priority": "2"}),
        ({"field": "urgent", "equals": True}, {"urgent": True}, {"urgent": "true"}),
        ({"field": "priority", "equals": 1}, {"priority": 1.0}, {"priority": True}),
        ({"field": "note", "equals": "1"}, {"note": "1"}, {"note": 1}),
        ({"field": "note", "equals": date(2024, 5, 1)}, {"note": "2024-05-01"}, {"note": "x"}),
        ({"not": {"field": "priority", "gt": 3}}, {"priority": "9"}, {"priority": 9}),
        (
            {"all": [{"field": "channel", "equals": "web"}, {"field": "priority", "gte": 2}]},
            {"channel": "web", "priority": 2},
            {"channel": "web", "priority": 1},
        ),
        (
            {"any": [{"field": "channel", "equals": "web"}, {"field": "priority", "gte": 2}]},
            {"channel": "sms", "priority": 5},
            {"channel": "sms", "priority": 1},
        ),
        (
            {
                "not": {
                    "any": [
                        {"field": "channel", "equals": "web"},
                        {"field": "urgent", "is_set": True},
                    ]
                }
            },
            {"channel": "sms"},
            {"urgent": False},
        ),
    ],
)
def test_conditions_on_ticket_fields(cond: dict, yes: dict, no: dict) -> None:
    engine = engine_for({"event": "poke", "if": cond})
    assert ids(engine, fact(field=yes)) == ["r0"]
    assert ids(engine, fact(field=no)) == []


def test_conditions_on_event_data_do_not_read_ticket_fields() -> None:
    engine = engine_for({"event": "poke", "if": {"data": "channel", "in": ["web"]}})
    assert ids(engine, fact(data={"channel": "web"})) == ["r0"]
    assert ids(engine, fact(field={"channel": "web"}, data={})) == []


def test_keys_with_dots_are_plain_keys_not_paths() -> None:
    engine = engine_for({"event": "poke", "if": {"data": "a.b", "equals": 1}})
    assert ids(engine, fact(data={"a.b": 1})) == ["r0"]
    assert ids(engine, fact(data={"a": {"b": 1}})) == []


def test_every_matching_rule_comes_back_in_file_order() -> None:
    engine = engine_for(
        {"timer": "nag", "count": {"gte": 1}, "if": {"field": "channel", "equals": "web"}},
        {"timer": "nag"},
        {"timer": "nag", "count": {"lt": 1}},
        {"timer": "nag", "count": {"gte": 1}},
        {"event": "poke"},
        {"timer": "nag", "if": {"field": "channel", "not_equals": "sms"}},
    )
    assert ids(engine, fact("timer", "nag", count=3, field={"channel": "web"})) == [
        "r0",
        "r1",
        "r3",
        "r5",
    ]
    assert ids(engine, fact("timer", "nag", count=0, field={"channel": "sms"})) == ["r1", "r2"]


def test_a_match_carries_the_rule_actions_and_a_reason() -> None:
    engine = engine_for(
        {"timer": "nag", "count": {"gte": 2}, "if": {"field": "channel", "in": ["web", "sms"]}}
    )
    (match,) = engine.evaluate(fact("timer", "nag", count=2, field={"channel": "web"}))
    assert match == Match(
        rule_id="r0",
        actions=engine.compiled.rules[0].actions,
        reason="timer:nag and count 2 >= 2 and field.channel 'web' in ['web', 'sms']",
    )
    assert [a.kind for a in match.actions] == ["notify", "start_timer"]


def test_the_seed_escalates_only_from_its_threshold(seed: Spec) -> None:
    engine = RulesEngine.build(seed)
    late = [ids(engine, fact("timer", "follow_up_reminder", count=n)) for n in range(3)]
    assert late == [["follow-up-reminder"], ["follow-up-escalation"], ["follow-up-escalation"]]
    assert ids(engine, fact("deadline", "second_notification")) == ["auto-close"]
    (match,) = engine.evaluate(fact("timer", "follow_up_reminder", count=2))
    assert match.reason == "timer:follow_up_reminder and count 2 >= 1"


def test_no_match_is_an_empty_list() -> None:
    engine = engine_for({"event": "poke", "actor": "boss"})
    assert engine.evaluate(fact("event", "take")) == []  # no rule has this trigger
    assert engine.evaluate(fact(actor="clerk")) == []  # durable_rules sees it and matches none


def test_a_spec_without_rules_matches_nothing() -> None:
    assert RulesEngine.build(tiny_spec([], revision="none")).evaluate(fact()) == []


def test_the_fact_is_not_changed(seed: Spec) -> None:
    f = fact("timer", "follow_up_reminder", count=2, field={"channel": "web"}, data={"x": [1]})
    before = repr(f)
    RulesEngine.build(seed).evaluate(f)
    assert repr(f) == before


class _Exploding(dict):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom inside a durable action")


def test_an_error_inside_durable_rules_becomes_rules_error(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_for({"event": "poke"})
    monkeypatch.setattr(durable_adapter, "_HITS", _Exploding())
    with pytest.raises(RulesError) as caught:
        engine.evaluate(fact())
    assert "boom inside a durable action" in caught.value.details["durable_exception"]
    monkeypatch.undo()
    assert ids(engine, fact()) == ["r0"]  # the failed call left nothing behind


@pytest.mark.parametrize("bad", [fact(trigger="tick"), fact(name=None), {"name": "poke"}])
def test_a_malformed_fact_is_a_rules_error(bad: dict[str, Any]) -> None:
    with pytest.raises(RulesError):
        engine_for({"event": "poke"}).evaluate(bad)


# --- durable_rules against the reference evaluator, on many random rules and facts ---

FIELD_VALUES: dict[str, list[Any]] = {
    "channel": ["web", "sms", "desk", None, "WEB", 1],
    "priority": [0, 1, 2, 2.0, 2.5, 3, -1, "2", True, None],
    "urgent": [True, False, None, "true", 1, 0],
    "note": ["x", "y", "", "1", 1, None, "n:1", "s:x", [1, 2]],
}
CONDITION_VALUES: dict[str, list[Any]] = {
    "channel": ["web", "sms", "desk"],
    "priority": [0, 1, 2, 2.5, 3],
    "urgent": [True, False],
    "note": ["x", "y", "", "1", 1, "n:1"],
}


FIELD_KINDS = {"channel": str, "priority": int, "urgent": bool, "note": str}


def _fits(name: str, value: Any) -> bool:
    """A value of the kind the field holds (the validator refuses the others on fields)."""
    kind = FIELD_KINDS[name]
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _random_leaf(rnd: random.Random) -> dict[str, Any]:
    subject = rnd.choice(["field", "data"])
    name = rnd.choice(list(CONDITION_VALUES))
    op = rnd.choice(["equals", "not_equals", "in", "not_in", "is_set", "is_not_set", "gt", "lte"])
    if op in ("is_set", "is_not_set"):
        return {subject: name, op: True}
    if op in ("gt", "lte"):
        value: Any = rnd.choice([0, 1, 2, 2.5])
    elif op in ("in", "not_in"):
        value = rnd.sample(CONDITION_VALUES[name], 2)
    else:
        value = rnd.choice(CONDITION_VALUES[name])
    fits = all(_fits(name, v) for v in (value if isinstance(value, list) else [value]))
    key = name if fits else f"x_{name}"  # event data the SOP declares no kind for
    return {"data" if not fits else subject: key, op: value}


def _random_condition(rnd: random.Random, depth: int = 0) -> dict[str, Any]:
    kind = rnd.random()
    if depth >= 2 or kind < 0.5:
        return _random_leaf(rnd)
    if kind < 0.65:
        return {"not": _random_condition(rnd, depth + 1)}
    comb = "all" if kind < 0.85 else "any"
    return {comb: [_random_condition(rnd, depth + 1) for _ in range(rnd.randint(1, 3))]}


def _random_values(rnd: random.Random) -> dict[str, Any]:
    values = {k: rnd.choice(v) for k, v in FIELD_VALUES.items() if rnd.random() < 0.8}
    return values | {f"x_{k}": rnd.choice(v) for k, v in FIELD_VALUES.items()}


def test_durable_rules_agrees_with_the_documented_semantics() -> None:
    rnd = random.Random(20240501)
    whens = []
    for _ in range(60):
        when: dict[str, Any] = {"event": rnd.choice(["poke", "take"]), "if": _random_condition(rnd)}
        if rnd.random() < 0.3:
            when["actor"] = rnd.choice(["clerk", "boss"])
        whens.append(when)
    engine = engine_for(*whens, revision="random")
    seen_matches = 0
    for _ in range(1500):
        f = fact(
            name=rnd.choice(["poke", "take"]),
            actor=rnd.choice(["clerk", "boss", None]),
            field=_random_values(rnd),
            data=_random_values(rnd),
        )
        got = ids(engine, f)
        assert got == expected(engine.compiled.rules, f), f
        seen_matches += len(got)
    assert seen_matches > 1500  # the facts exercise matching, not only refusals


def test_long_texts_compare_exactly() -> None:
    long = "jalan berlubang " * 6000  # 96,000 characters
    engine = engine_for({"event": "poke", "if": {"data": "text", "equals": long}})
    assert ids(engine, fact(data={"text": long})) == ["r0"]
    assert ids(engine, fact(data={"text": long + "!"})) == []
    assert ids(engine, fact(data={"text": long[:-1]})) == []


def test_a_question_asked_again_is_answered_from_memory_and_a_new_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sweep asks the same question for every reminder: durable_rules answers it once. A
    fact differing only in what no rule reads is the same question; one differing in a value
    a rule reads is a new one, with its own answer."""
    engine = engine_for({"event": "poke", "if": {"field": "channel", "equals": "sms"}})
    host = durable_adapter.RulesEngine._host
    assert host is not None
    asked: list[dict[str, Any]] = []
    real = host.assert_fact

    def counting(name: str, message: dict[str, Any]) -> Any:
        asked.append(message)
        return real(name, message)

    monkeypatch.setattr(host, "assert_fact", counting)
    sms = fact(field={"channel": "sms", "priority": 1})
    assert ids(engine, sms) == ["r0"]
    assert ids(engine, fact(field={"channel": "sms", "priority": 2})) == ["r0"]
    assert len(asked) == 1
    assert ids(engine, fact(field={"channel": "web", "priority": 1})) == []
    assert len(asked) == 2
    reasons = [m.reason for m in engine.evaluate(sms)]
    assert reasons and "sms" in reasons[0]
