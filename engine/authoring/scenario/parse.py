"""Read scenario files into `ScenarioFile`s, reporting every format problem with its place.

    load_scenario_file(path) -> ScenarioFile        raises SopInvalid listing every problem
    parse_scenario_text(text, file) -> ScenarioFile
    parse_steps(doc, reader, path) -> tuple[ScenarioStep, ...]   (shared with `sop simulate`)

The format is described in docs/scenarios.md. Names of SOP elements are checked later, against
the revision a scenario runs on (engine.authoring.scenario.check).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.authoring.scenario.located import LDict, LList, Loc, load_located
from engine.authoring.scenario.model import (
    AdvanceStep,
    DeadlineExpectation,
    ErrorExpectation,
    EventStep,
    Expect,
    Given,
    NotificationExpectation,
    Scenario,
    ScenarioFile,
    ScenarioStep,
    StepRef,
    Where,
)
from engine.authoring.scenario.reader import Reader, did_you_mean, join, type_name
from engine.errors import Problem, SopInvalid, TicketError
from engine.spec.durations import parse_duration

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


def load_scenario_file(path: str | Path) -> ScenarioFile:
    path = Path(path)
    return parse_scenario_text(path.read_text(encoding="utf-8"), str(path))


def parse_scenario_text(text: str, file: str = "") -> ScenarioFile:
    doc = load_located(text, file)
    reader = Reader(file)
    result = _file(doc, reader)
    if reader.problems or result is None:
        raise SopInvalid(reader.problems or [Problem("empty", "the file is empty", "", file)])
    return result


def _file(doc: Any, r: Reader) -> ScenarioFile | None:
    if doc is None:
        return None
    top = r.mapping(doc, "", (1, 1))
    if top is None or not r.keys(top, "", ("revision", "scenarios"), ("scenarios",)):
        return None
    revisions = _revisions(top, r)
    items = r.sequence(top["scenarios"], "scenarios", top.at("scenarios"))
    if items is None:
        return None
    if not items:
        r.problem("empty", "no scenarios: add at least one", "scenarios", items.loc)
    earlier: dict[str, Scenario] = {}
    scenarios = []
    for i, item in enumerate(items):
        sc = _scenario(item, r, f"scenarios[{i}]", items.at(i), earlier)
        scenarios.append(sc)
        if sc is None:
            continue
        if sc.name in earlier:
            r.problem(
                "duplicate_name",
                f"scenario name {sc.name!r} is already used by an earlier scenario",
                f"scenarios[{i}].name",
                (sc.where.line, sc.where.col),
            )
        earlier.setdefault(sc.name, sc)
    kept = tuple(s for s in scenarios if s is not None)
    return ScenarioFile(r.file, revisions, kept, top.at("revision")[0])


def _revisions(top: LDict, r: Reader) -> tuple[str, ...]:
    if "revision" not in top:
        return ()
    value = top["revision"]
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            out.append(str(v))
        else:
            msg = f"expected a revision label or a list of them, found {type_name(v)}"
            r.problem("wrong_type", msg, "revision", top.at("revision"))
    return tuple(out)


def _scenario(
    item: Any, r: Reader, path: str, loc: Loc, earlier: dict[str, Scenario]
) -> Scenario | None:
    doc = r.mapping(item, path, loc)
    if doc is None or not r.keys(doc, path, ("name", "given", "steps"), ("name", "given", "steps")):
        return None
    name = r.text(doc["name"], join(path, "name"), doc.at("name"))
    given = _given(doc["given"], r, join(path, "given"), doc.at("given"), earlier)
    steps = parse_steps(doc["steps"], r, join(path, "steps"), doc.at("steps"))
    if name is None or given is None or steps is None:
        return None
    return Scenario(name, given, steps, r.where(path, doc.at("name")))


GIVEN_KEYS = ("at", "fields", "actor", "user", "ticket_id")


def _given(
    value: Any, r: Reader, path: str, loc: Loc, earlier: dict[str, Scenario] | None = None
) -> Given | None:
    doc = r.mapping(value, path, loc)
    if doc is None:
        return None
    if "after" in doc and earlier is not None:
        return _given_after(doc, r, path, earlier)
    if not r.keys(doc, path, GIVEN_KEYS, ("at",)):
        return None
    at = r.time(doc["at"], join(path, "at"), doc.at("at"))
    fields = _plain_mapping(doc.get("fields", LDict()), r, join(path, "fields"), doc.at("fields"))
    actor = _optional_text(doc, "actor", r, path)
    user = _optional_text(doc, "user", r, path)
    ticket_id = _optional_text(doc, "ticket_id", r, path) or "T-1"
    if at is None or fields is None:
        return None
    return Given(at, fields, actor, user, ticket_id)


def _given_after(doc: LDict, r: Reader, path: str, earlier: dict[str, Scenario]) -> Given | None:
    """`given: {after: <name>}`: continue from where an earlier scenario of the file ended
    (its ticket and clock), optionally moving the clock to `at` first."""
    r.keys(doc, path, ("after", "at"))
    name = r.text(doc["after"], join(path, "after"), doc.at("after"))
    if name is None:
        return None
    before = earlier.get(name)
    if before is None:
        msg = f"no earlier scenario named {name!r} in this file to continue from"
        r.problem(
            "unknown_scenario",
            msg,
            join(path, "after"),
            doc.at("after"),
            did_you_mean(name, earlier),
        )
        return None
    at = r.time(doc["at"], join(path, "at"), doc.at("at")) if "at" in doc else None
    if "at" in doc and at is None:
        return None
    return Given(
        at,
        before.given.fields,
        before.given.actor,
        before.given.user,
        before.given.ticket_id,
        before,
    )


def parse_steps(value: Any, r: Reader, path: str, loc: Loc) -> tuple[ScenarioStep, ...] | None:
    items = r.sequence(value, path, loc)
    if items is None:
        return None
    if not items:
        r.problem("empty", "no steps: add events, clock moves and expectations", path, items.loc)
    steps = [_step(item, r, f"{path}[{i}]", items.at(i)) for i, item in enumerate(items)]
    if any(s is None for s in steps):
        return None
    return tuple(s for s in steps if s is not None)


def _step(item: Any, r: Reader, path: str, loc: Loc) -> ScenarioStep | None:
    doc = r.mapping(item, path, loc)
    if doc is None:
        return None
    kinds = [k for k in STEP_KINDS if k in doc]
    if len(kinds) != 1:
        found = f"found {', '.join(kinds)}" if kinds else "found none"
        msg = f"a step holds exactly one of {', '.join(STEP_KINDS)}; {found}"
        hint = did_you_mean(next(iter(doc), ""), STEP_KINDS) if not kinds else ""
        r.problem("bad_step", msg, path, doc.loc, hint)
        return None
    kind = kinds[0]
    if kind == "event":
        return _event_step(doc, r, path)
    r.keys(doc, path, (kind,))
    where = r.where(join(path, kind), doc.at(kind))
    if kind == "advance":
        return _advance(doc["advance"], r, where)
    if kind == "advance_to":
        to = r.time(doc["advance_to"], where.path, doc.at(kind))
        return AdvanceStep(where, to=to) if to else None
    return _expect(doc["expect"], r, where)


def _advance(value: Any, r: Reader, where: Where) -> AdvanceStep | None:
    try:
        return AdvanceStep(where, by=parse_duration(value))
    except ValueError as exc:
        r.problem("bad_duration", str(exc), where.path, (where.line, where.col))
        return None


def _event_step(doc: LDict, r: Reader, path: str) -> EventStep | None:
    r.keys(doc, path, ("event", "expect_error", "at"))
    epath = join(path, "event")
    ev = r.mapping(doc["event"], epath, doc.at("event"))
    if ev is None or not r.keys(ev, epath, ("type", "actor", "data", "user"), ("type", "actor")):
        return None
    etype = r.text(ev["type"], join(epath, "type"), ev.at("type"))
    actor = r.text(ev["actor"], join(epath, "actor"), ev.at("actor"))
    data = _plain_mapping(ev.get("data", LDict()), r, join(epath, "data"), ev.at("data"))
    user = _optional_text(ev, "user", r, epath)
    at = r.time(doc["at"], join(path, "at"), doc.at("at")) if "at" in doc else None
    error = None
    if "expect_error" in doc:
        error = _error(doc["expect_error"], r, join(path, "expect_error"), doc.at("expect_error"))
        if error is None:
            return None
    if etype is None or actor is None or data is None or ("at" in doc and at is None):
        return None
    return EventStep(etype, actor, r.where(epath, doc.at("event")), data, user, at, error)


def _error(value: Any, r: Reader, path: str, loc: Loc) -> ErrorExpectation | None:
    mentions: tuple[str, ...] = ()
    if isinstance(value, LDict):
        if not r.keys(value, path, ("code", "mentions"), ("code",)):
            return None
        mloc = value.at("mentions")
        mentions = _texts(value.get("mentions", LList()), r, join(path, "mentions"), mloc)
        loc, value = value.at("code"), value["code"]
    codes = error_codes()
    if value not in codes:
        msg = f"unknown error code {value!r}; expected one of: {', '.join(codes)}"
        r.problem("unknown_error_code", msg, path, loc, did_you_mean(value, codes))
        return None
    return ErrorExpectation(value, mentions)


def _expect(value: Any, r: Reader, where: Where) -> Expect | None:
    doc = r.mapping(value, where.path, (where.line, where.col))
    if doc is None:
        return None
    r.keys(doc, where.path, EXPECT_KEYS)
    if not doc:
        r.problem("empty", "an expect block needs at least one check", where.path, doc.loc)
    p = where.path
    kw: dict[str, Any] = {}
    if "state" in doc:
        kw["state"] = _step_ref(doc["state"], r, join(p, "state"), doc.at("state"))
    if "status" in doc:
        kw["status"] = r.text(doc["status"], join(p, "status"), doc.at("status"))
    if "fields" in doc:
        kw["fields"] = _plain_mapping(doc["fields"], r, join(p, "fields"), doc.at("fields"))
    for flag in ("no_notifications", "no_deadlines", "paused", "closed"):
        if flag in doc:
            kw[flag] = r.boolean(doc[flag], join(p, flag), doc.at(flag))
    if "notifications" in doc:
        kw["notifications"], kw["only_notifications"] = _listing(
            doc, "notifications", r, p, _notification
        )
    if "deadlines" in doc:
        kw["deadlines"], kw["only_deadlines"] = _listing(doc, "deadlines", r, p, _deadline)
    if "sla" in doc:
        kw["sla"] = _sla(doc["sla"], r, join(p, "sla"), doc.at("sla"))
    if "allowed_events" in doc:
        loc = doc.at("allowed_events")
        kw["allowed_events"] = _texts(doc["allowed_events"], r, join(p, "allowed_events"), loc)
    if any(v is None for v in kw.values()):
        return None
    return Expect(where, **kw, locs={str(k): doc.at(k) for k in doc})


def _listing(doc: LDict, key: str, r: Reader, path: str, item_reader: Any) -> tuple[Any, bool]:
    """`key: [items]` or `key: {only: true, items: [...]}` -> (items or None, only)."""
    path, value, loc = join(path, key), doc[key], doc.at(key)
    only = False
    if isinstance(value, LDict):
        if not r.keys(value, path, ("only", "items"), ("items",)):
            return None, False
        only = bool(r.boolean(value.get("only", False), join(path, "only"), value.at("only")))
        path, loc, value = join(path, "items"), value.at("items"), value["items"]
    items = r.sequence(value, path, loc)
    if items is None:
        return None, only
    parsed = [item_reader(v, r, join(path, i), items.at(i)) for i, v in enumerate(items)]
    if any(p is None for p in parsed):
        return None, only
    return tuple(parsed), only


def _notification(value: Any, r: Reader, path: str, loc: Loc) -> NotificationExpectation | None:
    doc = r.mapping(value, path, loc)
    keys = ("to", "template", "escalation", "channel", "scope", "text_contains")
    if doc is None or not r.keys(doc, path, keys, ("to", "template")):
        return None
    to = r.text(doc["to"], join(path, "to"), doc.at("to"))
    template = r.text(doc["template"], join(path, "template"), doc.at("template"))
    escalation = None
    if "escalation" in doc:
        escalation = r.boolean(doc["escalation"], join(path, "escalation"), doc.at("escalation"))
        if escalation is None:
            return None
    extra = {k: _optional_text(doc, k, r, path) for k in ("channel", "scope", "text_contains")}
    if to is None or template is None:
        return None
    return NotificationExpectation(to, template, escalation, **extra)


def _deadline(value: Any, r: Reader, path: str, loc: Loc) -> DeadlineExpectation | None:
    doc = r.mapping(value, path, loc)
    if doc is None or not r.keys(doc, path, ("step", "timer", "due")):
        return None
    if ("step" in doc) == ("timer" in doc):
        r.problem("bad_deadline", "name exactly one of 'step' or 'timer'", path, doc.loc)
        return None
    due = r.time(doc["due"], join(path, "due"), doc.at("due")) if "due" in doc else None
    if "due" in doc and due is None:
        return None
    if "step" in doc:
        ref = _step_ref(doc["step"], r, join(path, "step"), doc.at("step"))
        return DeadlineExpectation("sla", ref, due) if ref is not None else None
    name = r.text(doc["timer"], join(path, "timer"), doc.at("timer"))
    return DeadlineExpectation("timer", name, due) if name else None


def _sla(value: Any, r: Reader, path: str, loc: Loc) -> tuple[tuple[StepRef, tuple[str, ...]], ...]:
    doc = r.mapping(value, path, loc)
    if doc is None:
        return ()
    out = []
    for key, results in doc.items():
        kpath, kloc = join(path, key), doc.at(key)
        ref = _step_ref(key, r, kpath, kloc)
        listed = results if isinstance(results, list) else [results]
        for res in listed:
            if res not in SLA_RESULTS:
                msg = (
                    "expected met, breached or running (or a list of them, one per visit), "
                    f"found {res!r}"
                )
                r.problem("bad_sla", msg, kpath, kloc, did_you_mean(res, SLA_RESULTS))
        if ref is not None:
            out.append((ref, tuple(str(x) for x in listed)))
    return tuple(out)


def _step_ref(value: Any, r: Reader, path: str, loc: Loc) -> StepRef | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return int(value) if value.strip().isdigit() else value
    r.problem("wrong_type", f"expected a step id or number, found {type_name(value)}", path, loc)
    return None


def _plain_mapping(value: Any, r: Reader, path: str, loc: Loc) -> dict[str, Any] | None:
    doc = r.mapping(value, path, loc)
    return None if doc is None else {str(k): _plain(v) for k, v in doc.items()}


def _plain(value: Any) -> Any:
    """Values as a JSON client would send them: dates and times as ISO text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _texts(value: Any, r: Reader, path: str, loc: Loc) -> Any:
    values = value if isinstance(value, list) else [value]
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        r.problem(
            "wrong_type", f"expected text or a list of texts, found {type_name(bad[0])}", path, loc
        )
        return None
    return tuple(values)


def _optional_text(doc: LDict, key: str, r: Reader, path: str) -> Any:
    if key not in doc or doc[key] is None:
        return None
    return r.text(
        str(doc[key]) if isinstance(doc[key], int) else doc[key], join(path, key), doc.at(key)
    )


def load_simulation_file(path: str | Path) -> tuple[Given, tuple[ScenarioStep, ...]]:
    """An events file for `sop simulate`: `given` and `steps`, as in one scenario."""
    path = Path(path)
    doc = load_located(path.read_text(encoding="utf-8"), str(path))
    r = Reader(str(path))
    top = r.mapping(doc, "", (1, 1)) if doc is not None else None
    given = steps = None
    if top is not None and r.keys(top, "", ("name", "given", "steps"), ("given", "steps")):
        given = _given(top["given"], r, "given", top.at("given"))
        steps = parse_steps(top["steps"], r, "steps", top.at("steps"))
    if doc is None:
        r.problem("empty", "the file is empty; write `given` and `steps`", "", (1, 1))
    if r.problems or given is None or steps is None:
        raise SopInvalid(r.problems)
    return given, steps
