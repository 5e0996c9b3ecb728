"""The path check: on every path a ticket can take, each event can be given the data it waits for.

    check_paths(spec, report) -> int    a located problem for each way a ticket can get stuck;
                                        returns how many (step, what is known) states it walked

A ticket is created with any fields (none required), so along a path from `start` only these
are sure to be set: the `requires` of the events taken, their `needs`, the step inputs that
applied when a step was completed, and what a taken branch's condition proves (`{field: kind,
equals: renewal}`: kind is set, and is renewal). Beside them the path keeps what the branches
prove of values (equal to one, different from others), so that an input whose `when` is false
on the path is not required there. Conditions are evaluated three ways by the one condition
language (`engine.spec.semantics.holds_partly`); unknown counts as "may apply".

At each step of a path, an event may be refused for good (whatever anyone sends) when:
- a field it `needs` is neither sure to be set nor given by another event of the step that
  keeps the ticket there (internal, pause, resume): `needs_never_set`;
- it completes the step, and an input that may apply is neither sure to be set, nor accepted by
  the event, nor given by an event of the step that keeps the ticket there:
  `input_never_supplied`.
Each (step, event, missing fields) is reported once, at the event, with the shortest path that
shows it; when every event that moves the ticket on may be refused there, the message says a
ticket can get stuck there. A step that pauses with no event to resume is `no_resume`.

Loops are unrolled once (a step appears at most twice on a path); paths that reach the same
step knowing the same are walked once. More than MAX_STATES of those is `too_many_paths`.
A value once set is taken to stay set (an event could clear a field it accepts with ""; the
check does not follow that). Every event's `requires` is accepted too (engine.spec.build), so
an event whose data no one may give cannot be written.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

from engine.spec.expression import Expr, leaves
from engine.spec.labels import event_named, field_label
from engine.spec.model import END, EventDef, Spec, Step
from engine.spec.report import Report
from engine.spec.semantics import UNKNOWN, Known, Ref, holds_partly, learn

MAX_VISITS = 2  # a step appears at most twice on a path: each loop is taken once
MAX_STATES = 20_000  # distinct (step, steps visited, what is known) walked before giving up
MAX_SPLITS = 4  # inputs of unknown `when` split a path in two each, up to this many per step

Knowledge = dict[Ref, Known]  # field refs only between steps; data refs inside one event


@dataclass(frozen=True)
class _Walk:
    """One path from the start, up to and including the step the ticket is at."""

    step: str
    steps: tuple[int, ...]  # step numbers
    taken: tuple[tuple[str, str], ...]  # (step id, event name) of each event that moved it
    visits: tuple[tuple[str, int], ...]
    known: tuple[tuple[Ref, Known], ...]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.step, self.visits, frozenset(self.known))

    def knowledge(self) -> Knowledge:
        return dict(self.known)


@dataclass
class _Refusal:
    code: str
    event: EventDef
    missing: tuple[str, ...]


def check_paths(spec: Spec, report: Report) -> int:
    index = {s.id: i for i, s in enumerate(spec.steps)}
    _resumes(spec, index, report)
    start = spec.step(spec.start)
    first = _Walk(start.id, (start.no,), (), ((start.id, 1),), ())
    queue: deque[_Walk] = deque([first])
    walked: set[tuple[object, ...]] = {first.key}
    reported: set[tuple[object, ...]] = set()
    while queue:
        if len(walked) > MAX_STATES:
            report.add(
                "too_many_paths",
                ("start",),
                f"more than {MAX_STATES:,} different ways through the steps: the path check "
                "stopped there, so a ticket may still wait for good for data no one can give",
                "fewer loops and branches, or several SOPs",
            )
            return len(walked)
        walk = queue.popleft()
        step = spec.step(walk.step)
        refusals, onward = _at_step(step, walk.knowledge())
        moving = [e for e in step.events if e.completes_step]
        refused_moves = {r.event.name for r in refusals if r.event.completes_step}
        stuck = not step.final and {e.name for e in moving} <= refused_moves
        for refusal in refusals:
            key = (step.id, refusal.event.name, refusal.code, frozenset(refusal.missing))
            if key not in reported:
                reported.add(key)
                _report(spec, index, step, walk, refusal, stuck, report)
        for evdef, target, known in onward:
            nxt = _onward(spec, walk, step, evdef, target, known)
            if nxt is not None and nxt.key not in walked:
                walked.add(nxt.key)
                queue.append(nxt)
    return len(walked)


def _onward(
    spec: Spec, walk: _Walk, step: Step, evdef: EventDef, target: str, known: Knowledge
) -> _Walk | None:
    if target == END:
        return None
    visits = dict(walk.visits)
    if visits.get(target, 0) >= MAX_VISITS:
        return None
    visits[target] = visits.get(target, 0) + 1
    return _Walk(
        target,
        (*walk.steps, spec.step(target).no),
        (*walk.taken, (step.id, evdef.name)),
        tuple(sorted(visits.items())),
        tuple(sorted(known.items())),
    )


def _sure(known: Knowledge) -> set[str]:
    """The fields sure to be set."""
    return {key for (subject, key), k in known.items() if subject == "field" and k.set is True}


def _given_in_step(step: Step, sure: set[str], besides: EventDef) -> set[str]:
    """Fields the step's events that keep the ticket there (but `besides`) can give: those
    events whose own `needs` are met (by what is sure, or by another such event); a resume
    event once a pause event can be given."""
    staying = [e for e in step.events if not e.completes_step and e is not besides]
    given: set[str] = set()
    paused = False
    posted: set[str] = set()
    while True:
        ready = [
            e
            for e in staying
            if e.name not in posted and set(e.needs) <= sure | given and (paused or not e.resume)
        ]
        if not ready:
            return given
        for ev in ready:
            posted.add(ev.name)
            given |= set(ev.accepts)
            paused = paused or ev.pause


def _at_step(
    step: Step, known: Knowledge
) -> tuple[list[_Refusal], list[tuple[EventDef, str, Knowledge]]]:
    """The events that may be refused for good at `step` given what is `known`, and where each
    moving event leads (with what is known there)."""
    sure = _sure(known)
    refusals: list[_Refusal] = []
    onward: list[tuple[EventDef, str, Knowledge]] = []
    changing = {f for e in step.events if not e.completes_step for f in e.accepts}
    for evdef in step.events:
        given = _given_in_step(step, sure, evdef)
        lacking = tuple(f for f in evdef.needs if f not in sure and f not in given)
        if lacking:
            refusals.append(_Refusal("needs_never_set", evdef, lacking))
        if not evdef.completes_step:
            continue
        after = _forget(known, changing | set(evdef.accepts))
        after = {**_with_set(after, (*evdef.requires, *evdef.needs)), **_data(step, evdef)}
        missing: dict[str, None] = {}
        for target, branch_known in _branches(evdef, after):
            for f in _missing_inputs(step, branch_known, given | set(evdef.accepts)):
                missing[f] = None
            for split in _split_inputs(step, branch_known):
                onward.append((evdef, target, _fields_only(split)))
        if missing:
            refusals.append(_Refusal("input_never_supplied", evdef, tuple(missing)))
    return refusals, onward


def _set(known: Known) -> Known:
    return known if known.set is True else Known(set=True, not_values=known.not_values)


def _forget(known: Knowledge, changed: Iterable[str]) -> Knowledge:
    """What stays known once `changed` fields may have been given new values: that they are
    set, if they were."""
    out = dict(known)
    for f in changed:
        was = out.pop(("field", f), UNKNOWN)
        if was.set is True:
            out[("field", f)] = Known(set=True)
    return out


def _data(step: Step, evdef: EventDef) -> Knowledge:
    """What is known of the event's data keys the step's conditions test: a key the event does
    not accept is never in its data (null); a required one is set."""
    conditions: list[Expr] = [i.when for i in step.inputs if i.when is not None]
    conditions += [b.when for b in evdef.branches if b.when is not None]
    out: Knowledge = {}
    for leaf in (x for c in conditions for x in leaves(c)):
        if leaf.subject != "data":
            continue
        if leaf.key not in evdef.accepts:
            out[leaf.ref] = Known.exactly(None)
        elif leaf.key in evdef.requires:
            out[leaf.ref] = Known(set=True)
    return out


def _branches(evdef: EventDef, known: Knowledge) -> list[tuple[str, Knowledge]]:
    """Where the event may lead, with what each way proves: the first branch that holds."""
    if evdef.to is not None:
        return [(evdef.to, known)]
    out: list[tuple[str, Knowledge]] = []
    for branch in evdef.branches:
        if branch.when is None:
            out.append((branch.to, known))
            break
        answer = holds_partly(branch.when, known)
        if answer is False:
            continue
        out.append((branch.to, learn(branch.when, True, known)))
        if answer is True:
            break
        known = learn(branch.when, False, known)
    return out


def _missing_inputs(step: Step, known: Knowledge, given: set[str]) -> list[str]:
    sure = _sure(known)
    out: list[str] = []
    for item in step.inputs:
        if item.when is not None and holds_partly(item.when, known) is False:
            continue
        out += [f for f in item.fields if f not in sure and f not in given and f not in out]
    return out


def _split_inputs(step: Step, known: Knowledge) -> list[Knowledge]:
    """What is known once the step completed: the inputs that applied are set. An input whose
    `when` is unknown splits the path in two: it applied (and its condition held), or not."""
    sure_items: list[str] = []
    unsure: dict[Expr, list[str]] = {}
    for item in step.inputs:
        answer = True if item.when is None else holds_partly(item.when, known)
        if answer is True:
            sure_items += item.fields
        elif answer is None and item.when is not None:
            unsure.setdefault(item.when, []).extend(item.fields)
    base = _with_set(known, sure_items)
    conditions = list(unsure.items())[:MAX_SPLITS]
    out: list[Knowledge] = []
    for truths in product((True, False), repeat=len(conditions)):
        split = base
        for (cond, fields), truth in zip(conditions, truths, strict=True):
            if holds_partly(cond, split) == (not truth):
                break  # an earlier assumption already decided it the other way
            split = learn(cond, truth, split)
            if truth:
                split = _with_set(split, fields)
        else:
            out.append(split)
    return out


def _with_set(known: Knowledge, fields: Iterable[str]) -> Knowledge:
    out = dict(known)
    for f in fields:
        out[("field", f)] = _set(out.get(("field", f), UNKNOWN))
    return out


def _fields_only(known: Knowledge) -> Knowledge:
    return {ref: k for ref, k in known.items() if ref[0] == "field"}


def _report(
    spec: Spec,
    index: dict[str, int],
    step: Step,
    walk: _Walk,
    refusal: _Refusal,
    stuck: bool,
    report: Report,
) -> None:
    ev = refusal.event
    at = f"step {step.no} ({step.id})"
    labels = ", ".join(field_label(spec, f) for f in refusal.missing)
    ids = ", ".join(refusal.missing)
    them = "them" if len(refusal.missing) > 1 else "it"
    name = event_named(spec, ev.name, step.id)
    others = any(not e.completes_step and e is not ev for e in step.events)
    head = f"{' → '.join(map(str, walk.steps))}: "
    earlier = f"no event on this path requires {them}{_accepted_before(spec, walk, refusal)}"
    if refusal.code == "needs_never_set":
        nor = f" and no other event of step {step.no} accepts {them}" if others else ""
        message = f"{head}{name} at {at} needs {labels} set first; {earlier}{nor}"
        hint = (
            f"require {ids} on an earlier event of this path, or accept {them} in an event "
            f"of step {step.no} that keeps the ticket there"
        )
    else:
        nor = f", nor does another event of step {step.no}" if others else ""
        message = f"{head}{at} requires {labels}; {earlier} and {name} does not accept {them}{nor}"
        hint = f"add {ids} to `accepts` of {ev.name!r}, or require {them} earlier on this path"
    if stuck:
        message += f": a ticket on this path can get stuck at step {step.no} for good"
    report.add(refusal.code, ("steps", index[step.id], "events", ev.name), message, hint)


def _accepted_before(spec: Spec, walk: _Walk, refusal: _Refusal) -> str:
    """` ('x' may give them but does not require them)` for the events on the path that may."""
    missing = set(refusal.missing)
    names: list[str] = []
    for step_id, name in walk.taken:
        ev = spec.step(step_id).event(name)
        if ev is not None and missing & set(ev.accepts) and repr(name) not in names:
            names.append(repr(name))
    if not names:
        return ""
    them = "it" if len(missing) == 1 else "them"
    does = "does" if len(names) == 1 else "do"
    return f" ({', '.join(names)} may give {them} but {does} not require {them})"


def _resumes(spec: Spec, index: dict[str, int], report: Report) -> None:
    for step in spec.ticket_steps:
        if any(e.resume for e in step.events):
            continue
        for ev in step.events:
            if ev.pause:
                report.add(
                    "no_resume",
                    ("steps", index[step.id], "events", ev.name),
                    f"{event_named(spec, ev.name, step.id)} pauses step {step.no} ({step.id}), "
                    "which has no event to resume it: a paused ticket's clock never runs "
                    "again (its time limit and deadline rules wait for good)",
                    f"add an event with `resume: true` to step {step.no}",
                )
