"""Checks of the condition vocabulary (see engine.spec.build.build_condition).

    {field: channel, equals: x}      a ticket field compared with a value
    {data: amount, gt: 10}           a key of the event's data
    {all: [...]} {any: [...]} {not: {...}}
Operators: engine.spec.build.CONDITION_OPS. Anything else is a problem, never evaluated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.spec.build import COMBINATORS, CONDITION_OPS
from engine.spec.hints import describe, did_you_mean, suggest
from engine.spec.report import Path, Report

SUBJECTS = ("field", "data")
_SCALAR = (str, int, float, bool, date, type(None))


def check_condition(cond: Any, path: Path, fields: dict[str, Any], report: Report) -> None:
    """Add a problem for every mistake in `cond` (written at `path`)."""
    if not isinstance(cond, dict) or not cond:
        report.add(
            "bad_condition",
            path,
            f"expected a condition such as {{field: name, equals: value}}, got {describe(cond)}",
        )
        return
    combinators = [k for k in cond if k in COMBINATORS]
    if combinators:
        _combinator(cond, combinators, path, fields, report)
    else:
        _comparison(cond, path, fields, report)


def _combinator(
    cond: dict[str, Any], found: list[str], path: Path, fields: dict[str, Any], report: Report
) -> None:
    extra = [k for k in cond if k not in COMBINATORS]
    if len(found) > 1 or extra:
        report.add(
            "bad_condition",
            path,
            f"`{found[0]}` must be the only key of its condition; found {sorted(map(str, cond))}",
            "nest the other conditions inside it",
        )
        return
    comb = found[0]
    inner = cond[comb]
    if comb == "not":
        check_condition(inner, (*path, "not"), fields, report)
        return
    if not isinstance(inner, list) or not inner:
        report.add(
            "bad_condition",
            (*path, comb),
            f"`{comb}` takes a non-empty list of conditions, got {describe(inner)}",
        )
        return
    for i, child in enumerate(inner):
        check_condition(child, (*path, comb, i), fields, report)


def _comparison(cond: dict[str, Any], path: Path, fields: dict[str, Any], report: Report) -> None:
    subjects = [k for k in cond if k in SUBJECTS]
    ops = [k for k in cond if k in CONDITION_OPS]
    for key in cond:
        if key not in SUBJECTS and key not in CONDITION_OPS:
            report.add(
                "unknown_key",
                (*path, str(key)),
                f"{key!r} is not a condition key",
                did_you_mean(key, (*SUBJECTS, *CONDITION_OPS, *COMBINATORS))
                or f"operators: {', '.join(CONDITION_OPS)}",
            )
    if len(subjects) != 1:
        report.add(
            "bad_condition",
            path,
            "a condition names one subject: `field: <ticket field>` or `data: <event data key>`",
        )
        return
    if len(ops) != 1:
        report.add(
            "bad_condition",
            path,
            f"a condition has exactly one operator; found {len(ops)}",
            f"operators: {', '.join(CONDITION_OPS)}",
        )
        return
    subject, op = subjects[0], ops[0]
    name, value = cond[subject], cond[op]
    if not isinstance(name, str):
        report.add("wrong_type", (*path, subject), f"expected a name, got {describe(name)}")
        return
    _value(op, value, (*path, op), report)
    if subject == "field":
        if name not in fields:
            report.add(
                "unknown_field", (*path, subject), f"no field {name!r}", suggest(name, fields)
            )
        else:
            _choices(name, fields[name], op, value, (*path, op), report)


def _value(op: str, value: Any, path: Path, report: Report) -> None:
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            report.add("wrong_type", path, f"`{op}` takes a non-empty list, got {describe(value)}")
    elif op in ("is_set", "is_not_set"):
        if value is not True:
            report.add("wrong_type", path, f"write `{op}: true`, got {describe(value)}")
    elif op in ("gt", "gte", "lt", "lte"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            report.add("wrong_type", path, f"`{op}` compares numbers, got {describe(value)}")
    elif not isinstance(value, _SCALAR):
        report.add("wrong_type", path, f"`{op}` takes one value, got {describe(value)}")


def _choices(name: str, fdef: Any, op: str, value: Any, path: Path, report: Report) -> None:
    if not isinstance(fdef, dict) or fdef.get("type") != "choice":
        return
    choices = fdef.get("choices")
    if not isinstance(choices, list) or op not in ("equals", "not_equals", "in", "not_in"):
        return
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        if item not in choices:
            where = (*path, i) if isinstance(value, list) else path
            report.add(
                "unknown_choice",
                where,
                f"{item!r} is not a choice of the field {name!r}",
                suggest(item, [c for c in choices if isinstance(c, str)]),
            )
