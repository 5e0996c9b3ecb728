"""What people read for an id: the labels an SOP gives its events and fields, and its conditions
in words (ids stay in JSON).

An event is named per step (the same name may read differently at two steps); a name no step
labels, and the engine's own `deadline` and `timer`, are shown as they are.
"""

from __future__ import annotations

from engine.spec.expression import All, AnyOf, Expr, Not
from engine.spec.model import Spec


def event_label(spec: Spec, name: str, step_id: str | None = None) -> str:
    """The label of event `name` at step `step_id`, else at the first step that labels it."""
    steps = [s for s in spec.steps if s.id == step_id] + list(spec.steps)
    for step in steps:
        ev = step.event(name)
        if ev is not None and ev.label:
            return ev.label
    return name


def actor_label(spec: Spec, actor_id: str) -> str:
    try:
        return spec.actor(actor_id).label
    except KeyError:
        return actor_id


def status_label(spec: Spec, status_id: str) -> str:
    """The public status's label, else its id (a status the revision does not declare)."""
    try:
        return spec.status(status_id).label
    except KeyError:
        return status_id


def actor_named(spec: Spec, actor_id: str) -> str:
    """`id (Label)` for messages: the caller writes the id and reads the label."""
    return f"{actor_id} ({actor_label(spec, actor_id)})"


def field_label(spec: Spec, field_id: str) -> str:
    try:
        return spec.field_def(field_id).label
    except KeyError:
        return field_id


def event_named(spec: Spec, name: str, step_id: str | None = None) -> str:
    """`'name' (Label)` for messages to an author, who writes the name and reads the label."""
    label = event_label(spec, name, step_id)
    return f"{name!r}" if label == name else f"{name!r} ({label})"


_WORDS = {
    "equals": "=",
    "not_equals": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "salah satu dari",
    "not_in": "bukan salah satu dari",
}


def condition_words(spec: Spec, cond: Expr) -> str:
    """A condition as a civil servant reads it, with the SOP's field labels:
    `Disposisi = teruskan`, `Nomor Telepon diisi`, `... dan ...`, `bukan (...)`."""
    if isinstance(cond, Not):
        return f"bukan ({condition_words(spec, cond.item)})"
    if isinstance(cond, All | AnyOf):
        joiner = " dan " if isinstance(cond, All) else " atau "
        return joiner.join(condition_words(spec, c) for c in cond.items)
    name = field_label(spec, cond.key) if cond.key else cond.subject
    if cond.op in ("is_set", "is_not_set"):
        return f"{name} {'diisi' if cond.op == 'is_set' else 'kosong'}"
    value = cond.value
    shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return f"{name} {_WORDS[cond.op]} {shown}"
