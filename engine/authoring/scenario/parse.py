"""Read scenario files and `sop simulate` events files, reporting every format problem with its
place.

    load_scenario_file(path) -> ScenarioFile        raises SopInvalid listing every problem
    parse_scenario_text(text, file) -> ScenarioFile
    load_simulation_file(path) -> (Given, steps)    an events file for `sop simulate`

Both kinds go through the one YAML reader (engine.spec.yaml_safe), so they meet the same limits
as SOP files (size, UTF-8, tabs, tags, aliases, nesting, duplicate keys) and their problems read
the same. The format is described in docs/scenarios.md; steps are read by `parse_steps`. Names of
SOP elements are checked later, against the revision a scenario runs on
(engine.authoring.scenario.check).
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from engine.authoring.scenario.model import Given, Scenario, ScenarioFile, ScenarioStep
from engine.authoring.scenario.parse_steps import parse_steps
from engine.authoring.scenario.reader import Reader
from engine.errors import SopInvalid
from engine.spec.hints import describe, did_you_mean
from engine.spec.report import Path, Report, drop_consequences
from engine.spec.yaml_safe import YamlDoc, parse_yaml, read_yaml

GIVEN_KEYS = ("at", "fields", "actor", "user", "ticket_id")


def load_scenario_file(path: str | FsPath) -> ScenarioFile:
    return _scenario_file(_read(path))


def parse_scenario_text(text: str, file: str = "") -> ScenarioFile:
    return _scenario_file(parse_yaml(text.encode("utf-8"), Report(file), number_keys=True))


def load_simulation_file(path: str | FsPath) -> tuple[Given, tuple[ScenarioStep, ...]]:
    """An events file for `sop simulate`: `given` and `steps`, as in one scenario."""
    doc = _read(path)
    r = Reader(doc.report)
    given = steps = None
    top = r.mapping(doc.data, ()) if doc.data is not None else None
    if top is not None and r.keys(top, (), ("name", "given", "steps"), ("given", "steps")):
        given = _given(top["given"], r, ("given",))
        steps = parse_steps(top["steps"], r, ("steps",))
    _raise_problems(doc.report)
    assert given is not None and steps is not None  # each None came with a problem
    return given, steps


def _read(path: str | FsPath) -> YamlDoc:
    """Scenario and events files name step numbers as keys (`sla: {9: met}`)."""
    return read_yaml(FsPath(path), str(path), number_keys=True)


def _raise_problems(report: Report) -> None:
    """Every problem at once; those that only repeat a refusal of the reader are left out."""
    if report.problems:
        raise SopInvalid(drop_consequences(report.problems))


def _scenario_file(doc: YamlDoc) -> ScenarioFile:
    r = Reader(doc.report)
    result = _file(doc.data, r) if doc.data is not None else None
    _raise_problems(doc.report)
    assert result is not None  # None came with a problem
    return result


def _file(doc: Any, r: Reader) -> ScenarioFile | None:
    top = r.mapping(doc, ())
    if top is None or not r.keys(top, (), ("revision", "scenarios"), ("scenarios",)):
        return None
    revisions = _revisions(top, r)
    items = r.sequence(top["scenarios"], ("scenarios",))
    if items is None:
        return None
    if not items:
        r.problem("empty", "no scenarios: add at least one", ("scenarios",))
    earlier: dict[str, Scenario] = {}
    scenarios = []
    for i, item in enumerate(items):
        sc = _scenario(item, r, ("scenarios", i), earlier)
        scenarios.append(sc)
        if sc is None:
            continue
        if sc.name in earlier:
            msg = f"scenario name {sc.name!r} is already used by an earlier scenario"
            r.problem("duplicate_name", msg, ("scenarios", i, "name"))
        earlier.setdefault(sc.name, sc)
    kept = tuple(s for s in scenarios if s is not None)
    return ScenarioFile(r.file, revisions, kept, r.loc(("revision",))[0])


def _revisions(top: dict[str, Any], r: Reader) -> tuple[str, ...]:
    if "revision" not in top:
        return ()
    value = top["revision"]
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            out.append(str(v))
        else:
            msg = f"expected a revision label or a list of them, got {describe(v)}"
            r.problem("wrong_type", msg, ("revision",))
    return tuple(out)


def _scenario(item: Any, r: Reader, path: Path, earlier: dict[str, Scenario]) -> Scenario | None:
    doc = r.mapping(item, path)
    keys = ("name", "given", "steps")
    if doc is None or not r.keys(doc, path, keys, keys):
        return None
    name = r.text(doc["name"], (*path, "name"))
    given = _given(doc["given"], r, (*path, "given"), earlier)
    steps = parse_steps(doc["steps"], r, (*path, "steps"))
    if name is None or given is None or steps is None:
        return None
    return Scenario(name, given, steps, r.where(path, at=(*path, "name")))


def _given(
    value: Any, r: Reader, path: Path, earlier: dict[str, Scenario] | None = None
) -> Given | None:
    doc = r.mapping(value, path)
    if doc is None:
        return None
    if "after" in doc and earlier is not None:
        return _given_after(doc, r, path, earlier)
    if not r.keys(doc, path, GIVEN_KEYS, ("at",)):
        return None
    at = r.time(doc["at"], (*path, "at"))
    fields = r.plain_mapping(doc.get("fields", {}), (*path, "fields"))
    actor = r.optional_text(doc, "actor", path)
    user = r.optional_text(doc, "user", path)
    ticket_id = r.optional_text(doc, "ticket_id", path) or "T-1"
    if at is None or fields is None:
        return None
    return Given(at, fields, actor, user, ticket_id)


def _given_after(
    doc: dict[str, Any], r: Reader, path: Path, earlier: dict[str, Scenario]
) -> Given | None:
    """`given: {after: <name>}`: continue from where an earlier scenario of the file ended
    (its ticket and clock), optionally moving the clock to `at` first."""
    r.keys(doc, path, ("after", "at"))
    name = r.text(doc["after"], (*path, "after"))
    if name is None:
        return None
    before = earlier.get(name)
    if before is None:
        msg = f"no earlier scenario named {name!r} in this file to continue from"
        r.problem("unknown_scenario", msg, (*path, "after"), did_you_mean(name, earlier))
        return None
    at = r.time(doc["at"], (*path, "at")) if "at" in doc else None
    if "at" in doc and at is None:
        return None
    before_given = before.given
    return Given(
        at,
        before_given.fields,
        before_given.actor,
        before_given.user,
        before_given.ticket_id,
        before,
    )
