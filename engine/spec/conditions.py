"""The one validator of the condition language (engine.spec.expression), wherever it is used.

    {field: channel, equals: x}      a ticket field compared with a value
    {data: amount, gt: 10}           a key of the event's data
    {all: [...]} {any: [...]} {not: {...}}
Branch and input `when` and rule `if` are all checked here, with the same codes: bad_condition
(not a condition's shape), unknown_key, wrong_type (a value the operator cannot take),
unknown_field, unknown_choice. Anything else is a problem, never evaluated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.spec.expression import COMBINATORS, CONDITION_OPS, ORDERING_OPS
from engine.spec.hints import describe, did_you_mean, suggest
from engine.spec.report import Path, Report
from engine.spec.semantics import as_float, kind

SUBJECTS = ("field", "data")
_SCALAR = (str, int, float, bool, date, type(None))


def check_condition(cond: Any, path: Path, fields: dict[str, Any] | None, report: Report) -> None:
    """Add a problem for every mistake in `cond` (written at `path`). `fields`: the ticket
    fields a `field:` test may name; None when unknown (a rules file checked on its own)."""
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
    cond: dict[str, Any],
    found: list[str],
    path: Path,
    fields: dict[str, Any] | None,
    report: Report,
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


def _comparison(
    cond: dict[str, Any], path: Path, fields: dict[str, Any] | None, report: Report
) -> None:
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
    if not isinstance(name, str) or not name:
        report.add(
            "wrong_type",
            (*path, subject),
            f"expected a name, got {describe(name)}",
            f"write the {'ticket field' if subject == 'field' else 'event data key'} to test",
        )
        return
    before = len(report.problems)
    _value(op, value, (*path, op), report)
    value_ok = len(report.problems) == before
    if fields is None:
        return
    if subject == "field" and name not in fields:
        report.add("unknown_field", (*path, subject), f"no field {name!r}", suggest(name, fields))
    elif name in fields and value_ok:
        fits = _kinds_fit(name, fields[name], op, value, (*path, op), report)
        if fits and subject == "field":
            _choices(name, fields[name], op, value, (*path, op), report)


def _scalar(value: Any) -> bool:
    """A value a test may compare with: text, a finite number, true/false, a date, or null."""
    if kind(value) == "number":
        return as_float(value) is not None
    return isinstance(value, _SCALAR)


def _orderable(value: Any) -> bool:
    return _scalar(value) and value is not None and not isinstance(value, bool)


def _value(op: str, value: Any, path: Path, report: Report) -> None:
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            report.add("wrong_type", path, f"`{op}` takes a non-empty list, got {describe(value)}")
            return
        for i, item in enumerate(value):
            if not _scalar(item):
                report.add(
                    "wrong_type",
                    (*path, i),
                    f"`{op}` lists single values, got {describe(item)}",
                    "write text, a number, true/false, a date or null",
                )
    elif op in ("is_set", "is_not_set"):
        if value is not True:
            other = "is_not_set" if op == "is_set" else "is_set"
            report.add(
                "wrong_type",
                path,
                f"write `{op}: true`, got {describe(value)}",
                f"to negate it write `{other}: true`",
            )
    elif op in ORDERING_OPS:
        if not _orderable(value):
            report.add(
                "wrong_type",
                path,
                f"`{op}` compares with a number, a text or a date, got {describe(value)}",
                "write a number (10), a text ('B') or a date (2024-05-01)",
            )
    elif not _scalar(value):
        report.add(
            "wrong_type",
            path,
            f"`{op}` takes one value, got {describe(value)}",
            "write text, a number, true/false, a date or null; for several values use `in`",
        )


# Every other field type holds text; a file field holds references, tested by is_set only.
_FIELD_KINDS = {"number": "number", "boolean": "bool", "file": "file"}
_KIND_WORDS = {"number": "numbers", "bool": "true or false", "text": "text", "file": "files"}


def _kinds_fit(name: str, fdef: Any, op: str, value: Any, path: Path, report: Report) -> bool:
    """A value of another kind than the field holds never equals nor orders with it (typed
    semantics, engine.spec.semantics): say so rather than let the test silently never hold."""
    if not isinstance(fdef, dict) or op in ("is_set", "is_not_set"):
        return True
    holds_kind = _FIELD_KINDS.get(str(fdef.get("type", "string")), "text")
    values = value if isinstance(value, list) else [value]
    fits = True
    for i, item in enumerate(values):
        if not _scalar(item) or item is None or kind(item) == holds_kind:
            continue
        fits = False
        shown = f"{item!r}" if not isinstance(item, date) else item.isoformat()
        report.add(
            "wrong_type",
            (*path, i) if isinstance(value, list) else path,
            f"the field {name!r} holds {_KIND_WORDS[holds_kind]}, so {shown} never matches it",
            _kind_hint(holds_kind, item),
        )
    return fits


def _kind_hint(holds_kind: str, item: Any) -> str:
    if holds_kind == "number":
        return f"write the number without quotes: {str(item).strip()}"
    if holds_kind == "bool":
        return "write true or false without quotes"
    if holds_kind == "file":
        return "test a file field with `is_set: true` or `is_not_set: true`"
    return f"write the text in quotes: '{item}'"


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
