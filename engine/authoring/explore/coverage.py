"""What the explorer's tickets went through, against all the revision offers.

steps       ticket steps a ticket was at
branches    each branch of each event with `branches`, taken at least once
events      each event of each step (sign-offs included), applied at least once (posted,
            or fired by a rule)
deadlines   each time limit (a step's, a sign-off's) and each timer a rule starts, fired
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.core.model import LogEntry, Ticket
from engine.core.signoff_runs import run_name
from engine.core.status import taken_branch
from engine.spec.model import END, Spec

DEADLINE, TIMER = "deadline", "timer"  # the engine's own timer events (engine.core.apply)

Branch = tuple[str, str, int]  # step id, event name, branch index
StepEvent = tuple[str, str]  # step id, event name


@dataclass
class Coverage:
    spec: Spec = field(repr=False)
    steps: dict[str, bool]
    branches: dict[Branch, bool]
    events: dict[StepEvent, bool]
    deadlines: dict[str, bool]  # step id, `step.sign-off`, or timer name

    @classmethod
    def of(cls, spec: Spec) -> Coverage:
        steps = spec.ticket_steps
        timers = [
            str(a.params["name"]) for r in spec.rules for a in r.then if a.kind == "start_timer"
        ]
        return cls(
            spec=spec,
            steps={s.id: False for s in steps},
            branches={
                (s.id, e.name, i): False
                for s in steps
                for e in s.events
                for i in range(len(e.branches))
            },
            events={
                **{(s.id, e.name): False for s in steps for e in s.events},
                **{(s.id, so.event): False for s in steps for so in s.signoffs},
            },
            deadlines={
                **{s.id: False for s in steps if s.time_limit is not None},
                **{
                    run_name(s.id, so.id): False
                    for s in steps
                    for so in s.signoffs
                    if so.time_limit is not None
                },
                **dict.fromkeys(timers, False),
            },
        )

    def record(self, log: Iterable[LogEntry], ticket: Ticket) -> None:
        """Mark what the decisions in `log` went through; `ticket` is the ticket after them."""
        if ticket.state in self.steps:
            self.steps[ticket.state] = True
        for entry in log:
            if entry.to_state in self.steps:
                self.steps[entry.to_state] = True
            if entry.event == DEADLINE:
                step, signoff = str(entry.data.get("step", "")), entry.data.get("signoff")
                self.deadlines[run_name(step, str(signoff)) if signoff else step] = True
            elif entry.event == TIMER:
                self.deadlines[str(entry.data.get("name", ""))] = True
            elif (entry.from_state, entry.event) in self.events:
                self.events[(entry.from_state, entry.event)] = True
                self._branch(entry, ticket)

    def _branch(self, entry: LogEntry, ticket: Ticket) -> None:
        if entry.from_state == entry.to_state and entry.to_state != END:
            return
        evdef = self.spec.step(entry.from_state).event(entry.event)
        if evdef is None or not evdef.branches:
            return
        fields = {**ticket.fields, **entry.data}
        branch = taken_branch(evdef, entry.to_state, fields, entry.data)
        if branch is not None:
            index = evdef.branches.index(branch)
            self.branches[(entry.from_state, entry.event, index)] = True

    def missed(self) -> dict[str, list[str]]:
        """What no ticket went through, each as people read it (`step.event[branch]`)."""
        return {
            "steps": [s for s, hit in self.steps.items() if not hit],
            "branches": [f"{s}.{e}[{i}]" for (s, e, i), hit in self.branches.items() if not hit],
            "events": [f"{s}.{e}" for (s, e), hit in self.events.items() if not hit],
            "deadlines": [d for d, hit in self.deadlines.items() if not hit],
        }

    def counts(self) -> dict[str, tuple[int, int]]:
        """(reached, all) for each of steps, branches, events and deadlines."""
        return {
            name: (sum(table.values()), len(table))
            for name, table in (
                ("steps", self.steps),
                ("branches", self.branches),
                ("events", self.events),
                ("deadlines", self.deadlines),
            )
        }
