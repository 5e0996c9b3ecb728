"""Run scenarios against a revision and say, for each, whether it passed and where it failed.

    run_scenario(rev, scenario) -> ScenarioResult           rev: the compiled revision
    run_file(rev, scenario_file) -> list[ScenarioResult]

A scenario stops at its first failing step (what follows would test a ticket the author did
not mean); every check of a failing `expect` block is reported, expected against actual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.authoring.scenario.expect import Mismatch, compare
from engine.authoring.scenario.model import (
    AdvanceStep,
    EventStep,
    Expect,
    Scenario,
    ScenarioFile,
    ScenarioStep,
    Where,
)
from engine.authoring.scenario.session import ClockError, Row, Session
from engine.core.model import Event
from engine.core.revision import CompiledRevision
from engine.errors import SopError, TicketError
from engine.spec.labels import event_named


@dataclass(frozen=True)
class Failure:
    where: Where
    message: str  # what went wrong, in one line
    mismatches: tuple[Mismatch, ...] = ()
    kind: str = "error"  # refused | accepted | mismatch | error

    def lines(self) -> list[str]:
        out = [f"{self.where}: {self.message}"]
        for m in self.mismatches:
            loc = f"line {m.line}: " if m.line else ""
            out.append(f"  {loc}{m.check}")
            out.append(f"    expected: {m.expected}")
            out.append(f"    actual:   {m.actual}")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.where.file,
            "line": self.where.line,
            "path": self.where.path,
            "kind": self.kind,
            "message": self.message,
            "mismatches": [m.__dict__ for m in self.mismatches],
        }


@dataclass(frozen=True)
class ScenarioResult:
    sop: str  # "<sop-id>@<revision>"
    file: str
    name: str
    line: int
    failure: Failure | None = None
    timeline: tuple[Row, ...] = field(default=(), compare=False)

    @property
    def passed(self) -> bool:
        return self.failure is None


def run_file(rev: CompiledRevision, sfile: ScenarioFile) -> list[ScenarioResult]:
    return [run_scenario(rev, sc) for sc in sfile.scenarios]


def run_scenario(rev: CompiledRevision, scenario: Scenario) -> ScenarioResult:
    session = Session(rev)
    failure = _run(session, scenario)
    return ScenarioResult(
        rev.spec.key,
        scenario.where.file,
        scenario.name,
        scenario.where.line,
        failure,
        tuple(session.timeline),
    )


def _run(session: Session, scenario: Scenario) -> Failure | None:
    chain = (*scenario.given.chain(), scenario)
    first = chain[0]
    try:
        session.start(first.given)
    except SopError as exc:
        where = Where(first.where.file, first.where.line, path="given")
        return Failure(where, f"the ticket could not be opened: {exc.code}: {exc.message}")
    for part in chain:
        failure = _run_steps(session, part, moves_clock=part is not first)
        if failure is not None and part is not scenario:
            note = f"in {part.name!r}, which this scenario continues: {failure.message}"
            return Failure(failure.where, note, failure.mismatches, failure.kind)
        if failure is not None:
            return failure
    return None


def _run_steps(session: Session, scenario: Scenario, moves_clock: bool) -> Failure | None:
    steps: list[ScenarioStep] = list(scenario.steps)
    if moves_clock and scenario.given.at is not None:
        steps.insert(0, AdvanceStep(scenario.where, to=scenario.given.at))
    for step in steps:
        try:
            failure = run_step(session, step)
        except ClockError as exc:
            failure = Failure(step.where, str(exc))
        except SopError as exc:  # the engine refused something the scenario did not expect
            failure = Failure(step.where, f"the engine raised {exc.code}: {exc.message}")
        if failure is not None:
            return failure
    return None


def run_step(session: Session, step: EventStep | AdvanceStep | Expect) -> Failure | None:
    if isinstance(step, AdvanceStep):
        if step.by is not None:
            session.advance_by(step.by)
        elif step.to is not None:
            session.advance_to(step.to)
        return None
    if isinstance(step, Expect):
        mismatches = compare(session, step)
        if not mismatches:
            return None
        checks = ", ".join(dict.fromkeys(m.check for m in mismatches))
        return Failure(step.where, f"expectation not met ({checks})", tuple(mismatches), "mismatch")
    return _event(session, step)


def _event(session: Session, step: EventStep) -> Failure | None:
    if step.at is not None:
        session.advance_to(step.at)
    assert session.ticket is not None
    before = session.ticket.state
    event = Event(step.type, step.actor, dict(step.data), None, step.user)
    named = event_named(session.spec, step.type, before)
    try:
        session.post(event)
    except TicketError as exc:
        return _refused(step, exc, session.show_state(before), named)
    if step.error is not None:
        after = session.show_state(session.ticket.state)
        return Failure(
            step.where,
            f"event {named} by {step.actor} was accepted ({session.show_state(before)} -> "
            f"{after}), but the scenario expects it refused with {step.error.code}",
            kind="accepted",
        )
    return None


def _refused(step: EventStep, exc: TicketError, state: str, named: str) -> Failure | None:
    refused = f"event {named} by {step.actor} at {state} was refused: {exc.code}: {exc.message}"
    want = step.error
    if want is None:
        return Failure(step.where, refused, kind="refused")
    if exc.code != want.code:
        return Failure(step.where, f"expected refusal {want.code}; {refused}")
    absent = [m for m in want.mentions if m not in exc.message]
    if absent:
        listed = ", ".join(repr(m) for m in absent)
        return Failure(step.where, f"the refusal does not mention {listed}; {refused}")
    return None
