"""The steps part of a semantic diff: matching steps across revisions, and what changed in each.

    match_steps(a, b) -> StepMatch          pairs by id, then by number; the rest added/removed
    step_changes(a, b, match) -> list[Change]

Steps are matched by their id first; a step whose id is gone is matched to a new-id step with
the same number (its id changed). A matched step whose number changed is "renumbered"; one
whose place in the activity table changed relative to the other matched steps is "moved" (the
fewest such steps: those outside a longest run kept in order). Event targets in A are read
through the id changes, so renaming one step does not show as a changed target elsewhere.
A matched step's sign-offs are matched by their id: added, removed, reordered, or a part of
one changed (performer, text, event, time limit, reject).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.authoring.diff_model import Change
from engine.authoring.diff_time import limit_json, limit_verdict
from engine.spec.expression import All, AnyOf, Not
from engine.spec.model import Condition, EventDef, Input, SignOff, Spec, Step


@dataclass
class StepMatch:
    pairs: list[tuple[Step, Step]] = field(default_factory=list)
    removed: list[Step] = field(default_factory=list)
    added: list[Step] = field(default_factory=list)

    @property
    def renames(self) -> dict[str, str]:
        """A's step id -> B's, for the pairs matched by number."""
        return {a.id: b.id for a, b in self.pairs if a.id != b.id}


def match_steps(a: Spec, b: Spec) -> StepMatch:
    match = StepMatch()
    b_by_id = {s.id: s for s in b.steps}
    a_ids = {s.id for s in a.steps}
    unmatched_b = {s.no: s for s in b.steps if s.id not in a_ids}
    for step in a.steps:
        other = b_by_id.get(step.id) or unmatched_b.pop(step.no, None)
        if other is None:
            match.removed.append(step)
        else:
            match.pairs.append((step, other))
    match.added = sorted(unmatched_b.values(), key=lambda s: s.no)
    return match


def label(step: Step) -> str:
    return f"step {step.no} ({step.id})"


def step_changes(a: Spec, b: Spec, match: StepMatch) -> list[Change]:
    out: list[Change] = []
    for step in match.removed:
        out.append(_whole(step, "removed"))
    moved = _moved(a, b, match)
    for old, new in sorted(match.pairs, key=lambda p: p[1].no):
        if old.id != new.id:
            out.append(_change(new, "changed", "id", old.id, new.id))
        if old.no != new.no:
            out.append(_change(new, "renumbered", "", old.no, new.no))
        if new.id in moved:
            out.append(_change(new, "moved", "", *moved[new.id]))
        out += _compare(old, new, match.renames)
    for step in match.added:
        out.append(_whole(step, "added"))
    return out


def _whole(step: Step, kind: Any) -> Change:
    value = {
        "no": step.no,
        "activity": step.activity,
        "performers": list(step.performers),
        "time_limit": str(step.time_limit) if step.time_limit else None,
    }
    before, after = (value, None) if kind == "removed" else (None, value)
    return Change("steps", kind, step.id, "", before, after, label=label(step))


def _change(
    step: Step, kind: Any, attribute: str, before: Any, after: Any, note: str = ""
) -> Change:
    return Change("steps", kind, step.id, attribute, before, after, note, label(step))


# -- moved ------------------------------------------------------------------------------------


def _ordered(spec: Spec) -> list[Step]:
    return sorted(spec.steps, key=lambda s: s.no)


def _moved(a: Spec, b: Spec, match: StepMatch) -> dict[str, tuple[str | None, str | None]]:
    """B id -> (the step it followed in A's table, the one it follows in B's), for the fewest
    matched steps whose relative order changed."""
    a_pos = {s.id: i for i, s in enumerate(_ordered(a))}
    b_order = _ordered(b)
    b_pos = {s.id: i for i, s in enumerate(b_order)}
    pairs = sorted(match.pairs, key=lambda p: a_pos[p[0].id])
    kept = _longest_increasing([b_pos[new.id] for _, new in pairs])
    a_order = _ordered(a)
    out: dict[str, tuple[str | None, str | None]] = {}
    for i, (old, new) in enumerate(pairs):
        if i in kept:
            continue
        ai, bi = a_pos[old.id], b_pos[new.id]
        before = a_order[ai - 1].id if ai else None
        after = b_order[bi - 1].id if bi else None
        out[new.id] = (before, after)
    return out


def _longest_increasing(seq: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of `seq`."""
    best: list[int] = []  # best[k]: index ending the smallest tail of length k + 1
    prev: list[int] = [-1] * len(seq)
    for i, value in enumerate(seq):
        lo, hi = 0, len(best)
        while lo < hi:
            mid = (lo + hi) // 2
            if seq[best[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        prev[i] = best[lo - 1] if lo else -1
        if lo == len(best):
            best.append(i)
        else:
            best[lo] = i
    out: set[int] = set()
    i = best[-1] if best else -1
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


# -- one matched step -------------------------------------------------------------------------


def _compare(old: Step, new: Step, renames: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    for attr in ("activity", "output", "remarks", "status", "calendar", "periodic", "final"):
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            out.append(_change(new, "changed", attr, before, after))
    if set(old.performers) != set(new.performers):
        out.append(
            _change(new, "changed", "performers", list(old.performers), list(new.performers))
        )
    if old.time_limit != new.time_limit:
        verdict = limit_verdict(old.time_limit, new.time_limit)
        before, after = limit_json(old.time_limit), limit_json(new.time_limit)
        out.append(_change(new, "changed", "time_limit", before, after, verdict))
    out += _inputs(old, new)
    out += _events(old, new, renames)
    out += _signoffs(old, new)
    return out


def condition_text(cond: Condition | None) -> str | None:
    if cond is None:
        return None
    if isinstance(cond, Not):
        return f"not({condition_text(cond.item)})"
    if isinstance(cond, All | AnyOf):
        inner = "; ".join(condition_text(c) or "" for c in cond.items)
        return f"{'all' if isinstance(cond, All) else 'any'}({inner})"
    where = f"data.{cond.key}" if cond.subject == "data" else cond.key
    if cond.op in ("is_set", "is_not_set"):
        return f"{where} {cond.op.replace('_', ' ')}"
    value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
    return f"{where} {cond.op.replace('_', ' ')} {value!r}"


def _keyed_inputs(step: Step) -> dict[str, Input]:
    """Inputs by their text (a repeated text gets ' #2', ' #3' ...)."""
    seen: Counter[str] = Counter()
    out: dict[str, Input] = {}
    for item in step.inputs:
        seen[item.text] += 1
        key = item.text if seen[item.text] == 1 else f"{item.text} #{seen[item.text]}"
        out[key] = item
    return out


def _input_json(item: Input) -> dict[str, Any]:
    return {"text": item.text, "fields": list(item.fields), "when": condition_text(item.when)}


def _inputs(old: Step, new: Step) -> list[Change]:
    a, b = _keyed_inputs(old), _keyed_inputs(new)
    out: list[Change] = []
    for key in a.keys() - b.keys():
        out.append(_change(new, "removed", f"inputs[{key}]", _input_json(a[key]), None))
    for key in b.keys() - a.keys():
        out.append(_change(new, "added", f"inputs[{key}]", None, _input_json(b[key])))
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        if set(x.fields) != set(y.fields):
            out.append(
                _change(new, "changed", f"inputs[{key}].fields", list(x.fields), list(y.fields))
            )
        if x.when != y.when:
            before, after = condition_text(x.when), condition_text(y.when)
            out.append(_change(new, "changed", f"inputs[{key}].when", before, after))
    return sorted(out, key=lambda c: (c.attribute, c.kind))


def _targets(ev: EventDef, renames: dict[str, str]) -> list[str]:
    """Where the event leads, as text: ["x"] or ["x if <cond>", "y otherwise"]."""
    if ev.to is not None:
        return [renames.get(ev.to, ev.to)]
    out = []
    for br in ev.branches:
        to = renames.get(br.to, br.to)
        text = f"{to} if {condition_text(br.when)}" if br.when else f"{to} otherwise"
        out.append(f"{text} (status {br.status})" if br.status else text)
    return out


def _clock(ev: EventDef) -> str | None:
    return "pause" if ev.pause else "resume" if ev.resume else None


def event_json(ev: EventDef, renames: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "by": list(ev.by),
        "targets": _targets(ev, renames or {}),
        "clock": _clock(ev),
        "requires": list(ev.requires),
        "accepts": list(ev.accepts),
    }


def _events(old: Step, new: Step, renames: dict[str, str]) -> list[Change]:
    a = {e.name: e for e in old.events}
    b = {e.name: e for e in new.events}
    out: list[Change] = []
    for name in sorted(a.keys() - b.keys()):
        out.append(_change(new, "removed", f"events.{name}", event_json(a[name], renames), None))
    for name in sorted(b.keys() - a.keys()):
        out.append(_change(new, "added", f"events.{name}", None, event_json(b[name])))
    for name in sorted(a.keys() & b.keys()):
        out += _event_changes(new, a[name], b[name], renames)
    return out


def _event_changes(step: Step, x: EventDef, y: EventDef, renames: dict[str, str]) -> list[Change]:
    path = f"events.{x.name}"
    pairs: list[tuple[str, Any, Any, bool]] = [
        ("by", list(x.by), list(y.by), True),
        ("targets", _targets(x, renames), _targets(y, {}), False),
        ("clock", _clock(x), _clock(y), False),
        ("requires", list(x.requires), list(y.requires), True),
        ("accepts", list(x.accepts), list(y.accepts), True),
        ("needs", list(x.needs), list(y.needs), True),
        ("status", x.status, y.status, False),
        ("description", x.description, y.description, False),
    ]
    out = []
    for attr, before, after, as_set in pairs:
        same = set(before) == set(after) if as_set else before == after
        if not same:
            out.append(_change(step, "changed", f"{path}.{attr}", before, after))
    return out


# -- sign-offs inside the row -----------------------------------------------------------------


def _signoff_json(signoff: SignOff) -> dict[str, Any]:
    return {
        "performer": signoff.performer,
        "text": signoff.text,
        "event": signoff.event,
        "time_limit": limit_json(signoff.time_limit),
        "reject": list(signoff.reject),
    }


def _signoffs(old: Step, new: Step) -> list[Change]:
    """Sign-offs matched by id: added, removed, each part changed, and their order."""
    a = {s.id: s for s in old.signoffs}
    b = {s.id: s for s in new.signoffs}
    out: list[Change] = []
    for sid in [s.id for s in old.signoffs if s.id not in b]:
        out.append(_change(new, "removed", f"signoffs.{sid}", _signoff_json(a[sid]), None))
    for sid in [s.id for s in new.signoffs if s.id not in a]:
        out.append(_change(new, "added", f"signoffs.{sid}", None, _signoff_json(b[sid])))
    kept_a = [s.id for s in old.signoffs if s.id in b]
    kept_b = [s.id for s in new.signoffs if s.id in a]
    if kept_a != kept_b:
        out.append(_change(new, "changed", "signoffs.order", kept_a, kept_b))
    for sid in kept_b:
        out += _signoff_changes(new, a[sid], b[sid])
    return out


def _signoff_changes(step: Step, x: SignOff, y: SignOff) -> list[Change]:
    path = f"signoffs.{x.id}"
    out = [
        _change(step, "changed", f"{path}.{attr}", getattr(x, attr), getattr(y, attr))
        for attr in ("performer", "text", "event")
        if getattr(x, attr) != getattr(y, attr)
    ]
    if x.time_limit != y.time_limit:
        verdict = limit_verdict(x.time_limit, y.time_limit)
        before, after = limit_json(x.time_limit), limit_json(y.time_limit)
        out.append(_change(step, "changed", f"{path}.time_limit", before, after, verdict))
    if set(x.reject) != set(y.reject):
        out.append(_change(step, "changed", f"{path}.reject", list(x.reject), list(y.reject)))
    return out
