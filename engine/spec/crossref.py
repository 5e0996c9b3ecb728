"""Cross-reference checks of a revision: every id it names must exist, once.

These run after the structural checks and read the YAML data defensively (a value of the wrong
type was already reported; here it is skipped), so one pass reports every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, get_args

from engine.spec.calendar_check import check_calendar
from engine.spec.conditions import check_condition
from engine.spec.hints import suggest
from engine.spec.identity_check import check_identity
from engine.spec.model import END, FIELD_MAX_LENGTH, FILE_MAX_MB, FieldType
from engine.spec.report import Path, Report

RESERVED_EVENTS = ("deadline", "timer")  # the engine's own timer events


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass
class Context:
    """The ids a revision defines, for its own checks and those of its rules files."""

    actors: dict[str, Any]
    fields: dict[str, Any]
    statuses: dict[str, Any]
    calendars: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> step (first)
    step_index: dict[str, int] = field(default_factory=dict)
    events: dict[str, list[str]] = field(default_factory=dict)  # event name -> step ids


def context(data: dict[str, Any]) -> Context:
    ctx = Context(
        actors=as_map(data.get("actors")),
        fields=as_map(data.get("fields")),
        statuses=as_map(data.get("statuses")),
        calendars=as_map(data.get("calendars")),
    )
    for i, step in enumerate(as_list(data.get("steps"))):
        sid = as_map(step).get("id")
        if isinstance(sid, str) and sid not in ctx.steps:
            ctx.steps[sid] = step
            ctx.step_index[sid] = i
            for name in as_map(step.get("events")):
                ctx.events.setdefault(name, []).append(sid)
    return ctx


def check_revision(data: dict[str, Any], file: FsPath, report: Report) -> Context:
    ctx = context(data)
    _names(data, file, report)
    check_identity(data, report)
    _columns(data, ctx, report)
    for aid, actor in ctx.actors.items():
        _ref(
            as_map(actor).get("scope_field"),
            ctx.fields,
            "field",
            ("actors", aid, "scope_field"),
            report,
        )
    for fid, fdef in ctx.fields.items():
        _choices(fid, as_map(fdef), report)
        _max_length(fid, as_map(fdef), report)
        _file_keys(fid, as_map(fdef), report)
    _ref(data.get("initial_status"), ctx.statuses, "status", ("initial_status",), report)
    _calendars(data, ctx, report)
    _steps(data, ctx, report)
    return ctx


def _ref(
    value: Any, known: dict[str, Any] | set[str], what: str, path: Path, report: Report
) -> bool:
    """Report `value` (when it is text) if it is not one of `known`."""
    if not isinstance(value, str) or value in known:
        return True
    report.add(f"unknown_{what}", path, f"no {what} {value!r} is defined", suggest(value, known))
    return False


def _names(data: dict[str, Any], file: FsPath, report: Report) -> None:
    folder, stem = file.resolve().parent.name, file.stem
    sop_id, revision = data.get("id"), data.get("revision")
    if isinstance(sop_id, str) and sop_id != folder:
        report.add(
            "id_mismatch",
            ("id",),
            f"the id {sop_id!r} does not match the folder {folder!r}",
            f"write `id: {folder}` or move the file to sop/{sop_id}/",
        )
    if isinstance(revision, str) and revision != stem:
        report.add(
            "revision_mismatch",
            ("revision",),
            f"the revision {revision!r} does not match the file name {file.name!r}",
            f"write `revision: {stem}` or rename the file to {revision}.yaml",
        )


def _columns(data: dict[str, Any], ctx: Context, report: Report) -> None:
    seen: set[str] = set()
    for i, aid in enumerate(as_list(data.get("performers"))):
        _ref(aid, ctx.actors, "actor", ("performers", i), report)
        if isinstance(aid, str) and aid in seen:
            report.add("duplicate_performer", ("performers", i), f"{aid!r} is listed twice")
        if isinstance(aid, str):
            seen.add(aid)


def _choices(fid: str, fdef: dict[str, Any], report: Report) -> None:
    has_choices = "choices" in fdef
    if fdef.get("type") == "choice" and not has_choices:
        report.add(
            "missing_key",
            ("fields", fid, "choices"),
            f"the choice field {fid!r} needs its list of choices",
        )
    elif has_choices and fdef.get("type") != "choice":
        report.add(
            "choices_not_allowed",
            ("fields", fid, "choices"),
            "only a field of `type: choice` has choices",
            "add `type: choice` or remove `choices`",
        )


def _max_length(fid: str, fdef: dict[str, Any], report: Report) -> None:
    """`max_length` lowers the text limit of the field's type (FIELD_MAX_LENGTH)."""
    value, kind = fdef.get("max_length"), fdef.get("type", "string")
    if value is None or kind not in get_args(FieldType):
        return
    cap = FIELD_MAX_LENGTH.get(kind)
    if cap is None:
        texts = ", ".join(FIELD_MAX_LENGTH)
        report.add(
            "max_length_not_allowed",
            ("fields", fid, "max_length"),
            f"a field of `type: {kind}` holds no free text, so it has no `max_length`",
            f"remove `max_length`, or give the field one of the types {texts}",
        )
    elif isinstance(value, int) and not isinstance(value, bool) and value > cap:
        report.add(
            "bad_value",
            ("fields", fid, "max_length"),
            f"`max_length` {value} is more than a {kind} field holds ({cap} characters)",
            f"write at most `max_length: {cap}`"
            + ("" if kind == "text" else ", or use `type: text` for longer text"),
        )


def _calendars(data: dict[str, Any], ctx: Context, report: Report) -> None:
    default = data.get("default_calendar")
    _ref(default, ctx.calendars, "calendar", ("default_calendar",), report)
    for cid, cal in ctx.calendars.items():
        check_calendar(as_map(cal), ("calendars", cid), report)
    if data.get("calendars", {}) == {}:
        report.add(
            "no_calendar",
            ("calendars",),
            "the revision defines no calendar: its time limits, pauses and schedules need one",
            "add `calendars:` with a time zone and working days (see docs/sop-format.md)",
        )


def _steps(data: dict[str, Any], ctx: Context, report: Report) -> None:
    numbers: dict[int, int] = {}
    ids: dict[str, int] = {}
    for i, raw in enumerate(as_list(data.get("steps"))):
        step = as_map(raw)
        no, sid = step.get("number"), step.get("id")
        if isinstance(no, int) and no in numbers:
            report.add(
                "duplicate_step_number",
                ("steps", i, "number"),
                f"step number {no} is used twice",
                f"steps[{numbers[no]}] already has it",
            )
        elif isinstance(no, int):
            numbers[no] = i
        if isinstance(sid, str) and sid in ids:
            report.add(
                "duplicate_step_id",
                ("steps", i, "id"),
                f"step id {sid!r} is used twice",
                f"steps[{ids[sid]}] already has it",
            )
        elif isinstance(sid, str):
            ids[sid] = i
        if sid == END:
            report.add("reserved_id", ("steps", i, "id"), f"{END!r} is the reserved target")
        _step_refs(step, ("steps", i), ctx, report)


def _step_refs(step: dict[str, Any], path: Path, ctx: Context, report: Report) -> None:
    for j, aid in enumerate(as_list(step.get("performers"))):
        _ref(aid, ctx.actors, "actor", (*path, "performers", j), report)
    for j, item in enumerate(as_list(step.get("inputs"))):
        item = as_map(item)
        for k, fid in enumerate(as_list(item.get("fields"))):
            _ref(fid, ctx.fields, "field", (*path, "inputs", j, "fields", k), report)
        if item.get("when") is not None:
            check_condition(item["when"], (*path, "inputs", j, "when"), ctx.fields, report)
    _ref(step.get("status"), ctx.statuses, "status", (*path, "status"), report)
    _ref(step.get("calendar"), ctx.calendars, "calendar", (*path, "calendar"), report)
    for name, event in as_map(step.get("events")).items():
        _event(name, as_map(event), (*path, "events", name), ctx, report)
    _signoffs(step, path, ctx, report)


def _event(name: str, ev: dict[str, Any], path: Path, ctx: Context, report: Report) -> None:
    if name in RESERVED_EVENTS:
        report.add(
            "reserved_id",
            path,
            f"{name!r} is the engine's own timer event",
            "choose another event name",
        )
    for j, aid in enumerate(as_list(ev.get("by"))):
        _ref(aid, ctx.actors, "actor", (*path, "by", j), report)
    for key in ("requires", "accepts", "needs"):
        for j, fid in enumerate(as_list(ev.get(key))):
            _ref(fid, ctx.fields, "field", (*path, key, j), report)
    _ref(ev.get("status"), ctx.statuses, "status", (*path, "status"), report)
    targets = {*ctx.steps, END}
    _ref(ev.get("to"), targets, "step", (*path, "to"), report)
    branches = as_list(ev.get("branches"))
    for j, branch in enumerate(branches):
        branch = as_map(branch)
        _ref(branch.get("to"), targets, "step", (*path, "branches", j, "to"), report)
        _ref(branch.get("status"), ctx.statuses, "status", (*path, "branches", j, "status"), report)
        if branch.get("when") is not None:
            check_condition(branch["when"], (*path, "branches", j, "when"), ctx.fields, report)
        elif j != len(branches) - 1:
            report.add(
                "otherwise_not_last",
                (*path, "branches", j),
                "a branch without `when` (the otherwise branch) must be the last",
                "later branches could never be taken: move it to the end",
            )
    _event_kind(ev, path, report)


def _event_kind(ev: dict[str, Any], path: Path, report: Report) -> None:
    moves = "to" in ev or "branches" in ev
    if "to" in ev and "branches" in ev:
        report.add(
            "to_and_branches",
            path,
            "an event has either `to` or `branches`, not both",
            "put the target in an otherwise branch (a branch without `when`)",
        )
    if ev.get("pause") is True and ev.get("resume") is True:
        report.add("pause_and_resume", path, "an event either pauses or resumes the clock")
    if moves and (ev.get("pause") is True or ev.get("resume") is True):
        report.add(
            "pause_moves",
            path,
            "a pause or resume event keeps the ticket in its step: it cannot also move it",
            "remove `to`/`branches`, or make a separate event that moves",
        )


def _signoffs(step: dict[str, Any], path: Path, ctx: Context, report: Report) -> None:
    """Sign-offs: a known performer, ids and events of their own, rejections that move."""
    events = as_map(step.get("events"))
    moving = [n for n, ev in events.items() if "to" in as_map(ev) or "branches" in as_map(ev)]
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, raw in enumerate(as_list(step.get("signoffs"))):
        here, item = (*path, "signoffs", i), as_map(raw)
        _ref(item.get("performer"), ctx.actors, "actor", (*here, "performer"), report)
        sid, name = item.get("id"), item.get("event")
        if isinstance(sid, str) and sid in ids:
            report.add(
                "duplicate_signoff",
                (*here, "id"),
                f"sign-off id {sid!r} is used twice in this step",
                f"signoffs[{ids[sid]}] already has it: give each sign-off its own id",
            )
        elif isinstance(sid, str):
            ids[sid] = i
        if isinstance(name, str):
            _signoff_event(name, (*here, "event"), events, names, report)
            names.setdefault(name, i)
        for j, rej in enumerate(as_list(item.get("reject"))):
            if isinstance(rej, str) and rej not in moving:
                report.add(
                    "unknown_event",
                    (*here, "reject", j),
                    f"{rej!r} is not an event of this step that moves the ticket",
                    suggest(rej, moving)
                    or "name an event under this step's `events` with `to` or `branches`",
                )


def _signoff_event(
    name: str, path: Path, events: dict[str, Any], seen: dict[str, int], report: Report
) -> None:
    if name in events or name in RESERVED_EVENTS or name in seen:
        where = (
            "the step's own events"
            if name in events
            else f"signoffs[{seen[name]}]"
            if name in seen
            else "the engine's timer events"
        )
        report.add(
            "signoff_event_clash",
            path,
            f"the sign-off event {name!r} is already one of {where}",
            f"a sign-off's event only records that sign-off: give it a name of its own, "
            f"e.g. '{name}_signed'",
        )


FILE_KEYS = ("accept", "multiple", "max_files", "max_size_mb", "keep_exif")


def _file_keys(fid: str, fdef: dict[str, Any], report: Report) -> None:
    """The keys of a `file` field belong to it alone; `max_files` to one with `multiple: true`;
    `max_size_mb` is at most FILE_MAX_MB."""
    if fdef.get("type") != "file":
        for key in FILE_KEYS:
            if key in fdef:
                report.add(
                    "file_key_not_allowed",
                    ("fields", fid, key),
                    f"only a field of `type: file` has `{key}`",
                    f"add `type: file` or remove `{key}`",
                )
        return
    if "max_files" in fdef and fdef.get("multiple") is not True:
        report.add(
            "file_key_not_allowed",
            ("fields", fid, "max_files"),
            "`max_files` limits a field that holds several files",
            "add `multiple: true` or remove `max_files`",
        )
    size = fdef.get("max_size_mb")
    if isinstance(size, int) and not isinstance(size, bool) and size > FILE_MAX_MB:
        report.add(
            "bad_value",
            ("fields", fid, "max_size_mb"),
            f"`max_size_mb` {size} is more than a file may have ({FILE_MAX_MB} MB)",
            f"write at most `max_size_mb: {FILE_MAX_MB}`",
        )
