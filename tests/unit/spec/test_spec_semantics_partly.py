"""Three-valued evaluation of the one condition language, held to the reference evaluator.

`holds_partly` may answer true or false only when `holds` gives that answer for every value
that fits what is known; `learn` may only add what is true of every value for which the
condition came out as said. Both are checked on random conditions x random values x random
partial knowledge of those values (derandomized and bounded, so it cannot flake).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.spec.expression import build_condition
from engine.spec.semantics import (
    UNKNOWN,
    Known,
    Ref,
    holds,
    holds_partly,
    is_set,
    learn,
    same,
)
from tests.unit.rules.test_semantics_agree import KEYS, conditions, given_values, written

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fits(value: Any, known: Known) -> bool:
    """`value` is one of the values `known` allows."""
    if known.value and not (known.value[0] is value or same(known.value[0], value)):  # NaN
        return False
    if known.set is not None and is_set(value) != known.set:
        return False
    return not any(same(v, value) for v in known.not_values)


@st.composite
def partly_known(draw: Any, value: Any) -> Known:
    """Something true of `value`, with some of it forgotten."""
    how = draw(st.sampled_from(["nothing", "set", "value", "not"]))
    if how == "value":
        return Known.exactly(value)
    others = [v for v in draw(st.lists(written, max_size=3)) if not same(v, value)]
    return Known(
        set=is_set(value) if how == "set" or draw(st.booleans()) else None,
        not_values=tuple(others) if how == "not" else (),
    )


@st.composite
def cases(draw: Any) -> tuple[dict[str, Any], dict[str, Any], dict[Ref, Known]]:
    cond = draw(conditions)
    values = draw(st.dictionaries(st.sampled_from(KEYS), given_values, max_size=3))
    known = {("data", k): draw(partly_known(values.get(k))) for k in KEYS}
    return cond, values, known


@SETTINGS
@given(cases())
def test_a_definite_answer_is_the_answer_for_every_fitting_value(case: Any) -> None:
    cond, values, known = case
    expr = build_condition(cond)
    answer = holds_partly(expr, known)
    assert answer is None or answer == holds(expr, {"data": values}), (cond, values, known)


@SETTINGS
@given(cases())
def test_what_is_learnt_holds_of_the_value(case: Any) -> None:
    cond, values, known = case
    expr = build_condition(cond)
    truth = holds(expr, {"data": values})
    learnt = learn(expr, truth, known)
    for key in KEYS:
        assert fits(values.get(key), learnt.get(("data", key), UNKNOWN)), (cond, values, key)


def test_the_wargaku_branch_decides_the_media_sosial_item() -> None:
    """Step 2's branch `channel equals wargaku`, taken or passed over, settles step 3's item
    `channel not_equals wargaku`; before the branch it is unknown."""
    branch = build_condition({"field": "channel", "equals": "wargaku"})
    item = build_condition({"field": "channel", "not_equals": "wargaku"})
    assert holds_partly(item, {}) is None
    taken = learn(branch, True, {})
    assert taken[("field", "channel")] == Known(set=True, value=("wargaku",))
    assert holds_partly(item, taken) is False
    assert holds_partly(item, learn(branch, False, {})) is True


def test_set_but_unknown_answers_what_it_can() -> None:
    known = {("field", "agency"): Known(set=True)}
    assert holds_partly(build_condition({"field": "agency", "is_set": True}), known) is True
    assert holds_partly(build_condition({"field": "agency", "equals": None}), known) is False
    assert holds_partly(build_condition({"field": "agency", "equals": "DSDABM"}), known) is None
    both = {"all": [{"field": "agency", "is_set": True}, {"field": "topic", "is_set": True}]}
    assert holds_partly(build_condition(both), known) is None
    either = {"any": [{"field": "agency", "is_set": True}, {"field": "topic", "is_set": True}]}
    assert holds_partly(build_condition(either), known) is True


def test_all_false_or_any_true_proves_nothing_of_one_item() -> None:
    both = build_condition({"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]})
    assert learn(both, False, {}) == {}
    assert learn(both, True, {}) == {
        ("field", "a"): Known.exactly(1),
        ("field", "b"): Known.exactly(2),
    }
