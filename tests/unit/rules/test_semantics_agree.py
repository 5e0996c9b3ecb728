"""One condition language: the durable_rules adapter gives the reference evaluator's answer.

Random conditions (every operator, nested all/any/not) x random facts (missing keys, null,
"", 0, false, numbers written as text, dates, lists, unicode, NUL, lone surrogates, long
texts), compared rule by rule. Derandomized and bounded, so it runs in `make test` and cannot
flake; a failure prints the smallest condition and fact that disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.conditions import holds as guard_holds
from engine.core.rules_engine import RulesEngine
from engine.spec.expression import build_condition
from engine.spec.semantics import holds
from tests.unit.rules.rules_helpers import fact, tiny_spec

NOTIFY = [{"notify": {"to": "boss", "template": "hello"}}]
KEYS = ("a", "b", "c")  # event data keys the tiny SOP declares no kind for: any value may do
TEXTS = ["", "0", "1", "2.5", "true", "web", "Web", "é", "e\u0301", "😀", "a\x00b", '"', "\\"]

MAY = date(2024, 5, 1)
EDGES = [None, "", 0, 0.0, 1, 1.0, True, False, "0", "1", "true", "é", MAY, "2024-05-01"]
numbers = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, -2.5, 1e20, 1e-7, 0.1 + 0.2, 2**60]),
)
texts = st.one_of(
    st.sampled_from(TEXTS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=4),
)
written = st.one_of(  # what a condition may compare with (the validator refuses the rest)
    st.sampled_from(EDGES), st.none(), st.booleans(), numbers, texts
)
orderable = st.one_of(numbers, texts, st.sampled_from([MAY, "2024-05-01", "", "B", "é"]))
given_values = st.one_of(  # what a fact may hold: anything JSON or a scenario could give
    st.sampled_from(EDGES),
    st.sampled_from([[], [1], {}, {"k": 1}, "\ud800", "x" * 300, "2024-05-02", -0.0]),
    st.sampled_from([float("nan"), float("inf"), 10**400, 2**53 + 1]),
    written,
    st.text(max_size=3),
)


@st.composite
def leaves(draw: Any) -> dict[str, Any]:
    subject = {"data": draw(st.sampled_from(KEYS))}
    op = draw(st.sampled_from(["equals", "not_equals", "in", "not_in", "is_set", "is_not_set"]))
    op = draw(st.sampled_from([op, "gt", "gte", "lt", "lte"]))
    if op in ("is_set", "is_not_set"):
        return subject | {op: True}
    if op in ("in", "not_in"):
        return subject | {op: draw(st.lists(written, min_size=1, max_size=3))}
    return subject | {op: draw(orderable if op in ("gt", "gte", "lt", "lte") else written)}


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda c: {"not": c}, inner),
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)
facts = st.dictionaries(st.sampled_from(KEYS), given_values, min_size=1, max_size=3)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    ifs=st.lists(conditions, min_size=1, max_size=6),
    datas=st.lists(facts, min_size=6, max_size=16),
)
def test_durable_rules_gives_the_reference_answer(
    ifs: list[dict[str, Any]], datas: list[dict[str, Any]]
) -> None:
    rules = [
        {"id": f"r{i}", "when": {"event": "poke", "if": c}, "then": NOTIFY}
        for i, c in enumerate(ifs)
    ]
    engine = RulesEngine.build(tiny_spec(rules, revision="agree"))
    for data in datas:
        f = fact(data=data)
        got = [m.rule_id for m in engine.evaluate(f)]
        want = [r.id for r in engine.compiled.rules if holds(r.test, f)]
        assert got == want, (data, [ifs[int(i[1:])] for i in set(got) ^ set(want)])


def test_the_cases_the_two_semantics_used_to_answer_differently() -> None:
    """Each pair below got different answers as a branch guard and as a rule `if`."""
    cases = [
        ({"data": "a", "is_set": True}, {"a": ""}, False),
        ({"data": "a", "is_set": True}, {"a": []}, False),
        ({"data": "a", "is_set": True}, {"a": 0}, True),
        ({"data": "a", "is_set": True}, {"a": False}, True),
        ({"data": "a", "is_not_set": True}, {}, True),
        ({"data": "a", "equals": 1}, {"a": True}, False),
        ({"data": "a", "equals": 1}, {"a": 1.0}, True),
        ({"data": "a", "equals": "1"}, {"a": 1}, False),
        ({"data": "a", "in": [1, 2]}, {"a": True}, False),
        ({"data": "a", "gt": 0}, {"a": True}, False),
        ({"data": "a", "gt": 5}, {"a": "7"}, False),  # a number written as text is text
        ({"data": "a", "gt": "B"}, {"a": "a"}, True),  # code points: "a" (97) > "B" (66)
        ({"data": "a", "lt": "é"}, {"a": "z"}, True),
        ({"data": "a", "equals": None}, {}, True),  # a missing key is null
        ({"data": "a", "not_equals": None}, {"a": ""}, True),
        ({"data": "a", "gte": date(2024, 5, 1)}, {"a": "2024-05-02"}, True),
    ]
    rules = [
        {"id": f"r{i}", "when": {"event": "poke", "if": c}, "then": NOTIFY}
        for i, (c, _data, _) in enumerate(cases)
    ]
    engine = RulesEngine.build(tiny_spec(rules, revision="cases"))
    for i, (cond, data, answer) in enumerate(cases):
        f = fact(data=data)
        assert holds(engine.compiled.rules[i].test, f) is answer, cond
        assert guard_holds(build_condition(cond), {}, data) is answer, cond  # a branch guard
        assert (f"r{i}" in [m.rule_id for m in engine.evaluate(f)]) is answer, cond
