"""Read the `steps` of a scenario (or of a `sop simulate` events file): events, clock moves and
`expect` blocks, every format problem reported with its place.

    parse_steps(value, reader, path) -> tuple[ScenarioStep, ...] | None
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.authoring.scenario.model import (
    AdvanceStep,
    DeadlineExpectation,
    ErrorExpectation,
    EventStep,
    Expect,
    NotificationExpectation,
    ScenarioStep,
    StepRef,
    Where,
)
from engine.authoring.scenario.reader import Reader
from engine.errors import TicketError
from engine.spec.durations import SPELLINGS, parse_duration
from engine.spec.hints import describe, did_you_mean
from engine.spec.report import Path

STEP_KINDS = ("event", "advance", "advance_to", "expect")
EXPECT_KEYS = (
    "state",
    "status",
    "fields",
    "notifications",
    "no_notifications",
    "deadlines",
    "no_deadlines",
    "sla",
    "paused",
    "allowed_events",
    "closed",
)
SLA_RESULTS = ("met", "breached", "running")
NOTIFICATION_KEYS = ("to", "template", "escalation", "channel", "scope", "text_contains")


def error_codes() -> tuple[str, ...]:
    """The codes `expect_error` may name: every TicketError subclass of engine.errors."""
    found: list[str] = []
    todo: list[type[TicketError]] = [TicketError]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not TicketError:
            found.append(cls.code)
    return tuple(sorted(found))


def parse_steps(value: Any, r: Reader, path: Path) -> tuple[ScenarioStep, ...] | None:
    items = r.sequence(value, path)
    if items is None:
        return None
    if not items:
        r.problem("empty", "no steps: add events, clock moves and expectations", path)
    steps = [_step(item, r, (*path, i)) for i, item in enumerate(items)]
    if any(s is None for s in steps):
        return None
    return tuple(s for s in steps if s is not None)


def _step(item: Any, r: Reader, path: Path) -> ScenarioStep | None:
    doc = r.mapping(item, path)
    if doc is None:
        return None
    kinds = [k for k in STEP_KINDS if k in doc]
    if len(kinds) != 1:
        found = f"found {', '.join(kinds)}" if kinds else "found none"
        msg = f"a step holds exactly one of {', '.join(STEP_KINDS)}; {found}"
        hint = did_you_mean(next(iter(doc), ""), STEP_KINDS) if not kinds else ""
        r.problem("bad_step", msg, path, hint)
        return None
    kind = kinds[0]
    if kind == "event":
        return _event_step(doc, r, path)
    r.keys(doc, path, (kind,))
    where = r.where((*path, kind))
    if kind == "advance":
        return _advance(doc["advance"], r, where, (*path, kind))
    if kind == "advance_to":
        to = r.time(doc["advance_to"], (*path, kind))
        return AdvanceStep(where, to=to) if to else None
    return _expect(doc["expect"], r, where, (*path, kind))


def _advance(value: Any, r: Reader, where: Where, path: Path) -> AdvanceStep | None:
    try:
        return AdvanceStep(where, by=parse_duration(value))
    except ValueError as exc:
        r.problem("bad_duration", str(exc), path, f"write e.g. {SPELLINGS}")
        return None


def _event_step(doc: dict[str, Any], r: Reader, path: Path) -> EventStep | None:
    r.keys(doc, path, ("event", "expect_error", "at"))
    epath = (*path, "event")
    ev = r.mapping(doc["event"], epath)
    if ev is None or not r.keys(ev, epath, ("type", "actor", "data", "user"), ("type", "actor")):
        return None
    etype = r.text(ev["type"], (*epath, "type"))
    actor = r.text(ev["actor"], (*epath, "actor"))
    data = r.plain_mapping(ev.get("data", {}), (*epath, "data"))
    user = r.optional_text(ev, "user", epath)
    at = r.time(doc["at"], (*path, "at")) if "at" in doc else None
    error = None
    if "expect_error" in doc:
        error = _error(doc["expect_error"], r, (*path, "expect_error"))
        if error is None:
            return None
    if etype is None or actor is None or data is None or ("at" in doc and at is None):
        return None
    return EventStep(etype, actor, r.where(epath), data, user, at, error)


def _error(value: Any, r: Reader, path: Path) -> ErrorExpectation | None:
    """`expect_error: <code>` or `{code: <code>, mentions: [texts]}`."""
    mentions: tuple[str, ...] | None = ()
    if isinstance(value, dict):
        if not r.keys(value, path, ("code", "mentions"), ("code",)):
            return None
        if "mentions" in value:
            mentions = r.texts(value["mentions"], (*path, "mentions"))
        path, value = (*path, "code"), value["code"]
    codes = error_codes()
    if value not in codes:
        msg = f"unknown error code {value!r}; expected one of: {', '.join(codes)}"
        r.problem("unknown_error_code", msg, path, did_you_mean(value, codes))
        return None
    return ErrorExpectation(value, mentions) if mentions is not None else None


def _expect(value: Any, r: Reader, where: Where, p: Path) -> Expect | None:
    doc = r.mapping(value, p)
    if doc is None:
        return None
    r.keys(doc, p, EXPECT_KEYS)
    if not doc:
        r.problem("empty", "an expect block needs at least one check", p)
    kw: dict[str, Any] = {}
    if "state" in doc:
        kw["state"] = _step_ref(doc["state"], r, (*p, "state"))
    if "status" in doc:
        kw["status"] = r.text(doc["status"], (*p, "status"))
    if "fields" in doc:
        kw["fields"] = r.plain_mapping(doc["fields"], (*p, "fields"))
    for flag in ("no_notifications", "no_deadlines", "paused", "closed"):
        if flag in doc:
            kw[flag] = r.boolean(doc[flag], (*p, flag))
    if "notifications" in doc:
        kw["notifications"], kw["only_notifications"] = _listing(doc, "notifications", r, p, _note)
    if "deadlines" in doc:
        kw["deadlines"], kw["only_deadlines"] = _listing(doc, "deadlines", r, p, _deadline)
    if "sla" in doc:
        kw["sla"] = _sla(doc["sla"], r, (*p, "sla"))
    if "allowed_events" in doc:
        kw["allowed_events"] = r.texts(doc["allowed_events"], (*p, "allowed_events"))
    if any(v is None for v in kw.values()):
        return None
    return Expect(where, **kw, locs={str(k): r.loc((*p, k)) for k in doc})


ItemReader = Callable[[Any, Reader, Path], Any]


def _listing(
    doc: dict[str, Any], key: str, r: Reader, path: Path, item_reader: ItemReader
) -> tuple[Any, bool]:
    """`key: [items]` or `key: {only: true, items: [...]}` -> (items or None, only)."""
    path, value = (*path, key), doc[key]
    only = False
    if isinstance(value, dict):
        if not r.keys(value, path, ("only", "items"), ("items",)):
            return None, False
        only = bool(r.boolean(value.get("only", False), (*path, "only")))
        path, value = (*path, "items"), value["items"]
    items = r.sequence(value, path)
    if items is None:
        return None, only
    parsed = [item_reader(v, r, (*path, i)) for i, v in enumerate(items)]
    if any(p is None for p in parsed):
        return None, only
    return tuple(parsed), only


def _note(value: Any, r: Reader, path: Path) -> NotificationExpectation | None:
    doc = r.mapping(value, path)
    if doc is None or not r.keys(doc, path, NOTIFICATION_KEYS, ("to", "template")):
        return None
    to = r.text(doc["to"], (*path, "to"))
    template = r.text(doc["template"], (*path, "template"))
    escalation = None
    if "escalation" in doc:
        escalation = r.boolean(doc["escalation"], (*path, "escalation"))
        if escalation is None:
            return None
    extra = {k: r.optional_text(doc, k, path) for k in ("channel", "scope", "text_contains")}
    if to is None or template is None:
        return None
    return NotificationExpectation(to, template, escalation, **extra)


def _deadline(value: Any, r: Reader, path: Path) -> DeadlineExpectation | None:
    doc = r.mapping(value, path)
    if doc is None or not r.keys(doc, path, ("step", "timer", "due")):
        return None
    if ("step" in doc) == ("timer" in doc):
        r.problem("bad_deadline", "name exactly one of 'step' or 'timer'", path)
        return None
    due = r.time(doc["due"], (*path, "due")) if "due" in doc else None
    if "due" in doc and due is None:
        return None
    if "step" in doc:
        ref = _step_ref(doc["step"], r, (*path, "step"))
        return DeadlineExpectation("sla", ref, due) if ref is not None else None
    name = r.text(doc["timer"], (*path, "timer"))
    return DeadlineExpectation("timer", name, due) if name else None


def _sla(value: Any, r: Reader, path: Path) -> tuple[tuple[StepRef, tuple[str, ...]], ...]:
    """`sla: {<step id or number>: <result or list of results>}`."""
    doc = r.mapping(value, path)
    if doc is None:
        return ()
    out = []
    for key, results in doc.items():
        kpath = (*path, key)
        ref = _step_ref(key, r, kpath)
        listed = results if isinstance(results, list) else [results]
        for res in listed:
            if res not in SLA_RESULTS:
                msg = (
                    "expected met, breached or running (or a list of them, one per visit), "
                    f"found {res!r}"
                )
                r.problem("bad_sla", msg, kpath, did_you_mean(res, SLA_RESULTS))
        if ref is not None:
            out.append((ref, tuple(str(x) for x in listed)))
    return tuple(out)


def _step_ref(value: Any, r: Reader, path: Path) -> StepRef | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return int(value) if value.strip().isdigit() else value
    r.problem("wrong_type", f"expected a step id or number, got {describe(value)}", path)
    return None
