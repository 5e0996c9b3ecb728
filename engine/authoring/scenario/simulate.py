"""`sop simulate`: drive one ticket through a list of timed events and keep its timeline.

    simulate(rev, given, steps) -> Simulation          rev: the compiled revision

Unlike a scenario run, a refused event does not stop the simulation: it shows in the timeline
as REFUSED and the ticket carries on unchanged. `expect` blocks are checked and their
mismatches listed, without stopping either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.authoring.scenario.model import Given, ScenarioStep
from engine.authoring.scenario.run import Failure, run_step
from engine.authoring.scenario.session import ClockError, Row, Session
from engine.core.model import Ticket
from engine.core.revision import CompiledRevision
from engine.errors import SopError


@dataclass
class Simulation:
    ticket: Ticket | None
    rows: list[Row] = field(default_factory=list)
    notes: list[Failure] = field(default_factory=list)  # expectations not met, clock errors


def simulate(rev: CompiledRevision, given: Given, steps: tuple[ScenarioStep, ...]) -> Simulation:
    session = Session(rev)
    session.start(given)
    notes: list[Failure] = []
    for step in steps:
        try:
            failure = run_step(session, step)
        except (ClockError, SopError) as exc:
            failure = Failure(step.where, str(exc))
        # A refused event already shows in the timeline as REFUSED.
        if failure is not None and failure.kind != "refused":
            notes.append(failure)
    return Simulation(session.ticket, session.timeline, notes)
