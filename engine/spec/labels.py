"""What people read for an id: the labels an SOP gives its events and fields (ids stay in JSON).

An event is named per step (the same name may read differently at two steps); a name no step
labels, and the engine's own `deadline` and `timer`, are shown as they are.
"""

from __future__ import annotations

from engine.spec.model import Spec


def event_label(spec: Spec, name: str, step_id: str | None = None) -> str:
    """The label of event `name` at step `step_id`, else at the first step that labels it."""
    steps = [s for s in spec.steps if s.id == step_id] + list(spec.steps)
    for step in steps:
        ev = step.event(name)
        if ev is not None and ev.label:
            return ev.label
    return name


def field_label(spec: Spec, field_id: str) -> str:
    try:
        return spec.field_def(field_id).label
    except KeyError:
        return field_id


def event_named(spec: Spec, name: str, step_id: str | None = None) -> str:
    """`'name' (Label)` for messages to an author, who writes the name and reads the label."""
    label = event_label(spec, name, step_id)
    return f"{name!r}" if label == name else f"{name!r} ({label})"
