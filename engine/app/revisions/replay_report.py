"""The tally of a replay: per step, SLA results of the stored tickets against the candidate's;
tickets that would end elsewhere; events the candidate refuses.

    report = ReplayReport(candidate, as_of)
    report.add(stored_ticket, replayed_ticket_or_None, refusals)
    report.merge(other.tallies())     add another range of tickets, tallied elsewhere
    report.as_dict() -> dict          for tools (JSON)
    report.render() -> str            for the terminal

A step run counts as "met" or "breached" when it finished (its `result`); the run a ticket is
still in counts as "breached" once its due time has passed by `as_of` (or its deadline fired) and
as "pending" otherwise. The stored side is each ticket's record as its own revision left it.

Merging the tallies of consecutive ranges of tickets in their order gives the report adding
their tickets one by one would have: the same counts, lines in the same order (first seen
first among equal counts), the same sample ids and messages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.core.model import Ticket
from engine.core.time_text import moment_text
from engine.core.timing import run_late
from engine.spec.model import END, Spec

__all__ = ["Refusal", "ReplayReport", "StepTally", "Tallies", "sla_results"]

SAMPLE = 5  # ticket ids shown per line
RESULTS = ("met", "breached", "pending")
NOT_OPENED = "(not opened)"


@dataclass(frozen=True)
class Refusal:
    ticket_id: str
    seq: int  # the event's position in the ticket's log (0: a timer event of the candidate's)
    event: str
    state: str  # the candidate's step when it refused
    code: str
    message: str


@dataclass
class StepTally:
    step: str
    no: int
    stored: Counter[str] = field(default_factory=Counter)
    candidate: Counter[str] = field(default_factory=Counter)

    def change(self) -> str:
        parts = []
        for result in ("met", "breached"):
            delta = self.candidate[result] - self.stored[result]
            if delta:
                parts.append(f"{delta:+d} {result}")
        return ", ".join(parts) or "same"


def sla_results(ticket: Ticket, as_of: datetime) -> list[tuple[str, int, str]]:
    """(step id, step number, met | breached | pending) for every step run of the ticket."""
    out: list[tuple[str, int, str]] = [
        (r.step, r.no, r.result or "pending") for r in ticket.history
    ]
    run = ticket.active
    if ticket.is_open and run is not None:
        out.append((run.step, run.no, "breached" if run_late(run, as_of) else "pending"))
    return out


def ending(ticket: Ticket | None) -> str:
    if ticket is None:
        return NOT_OPENED
    return END if not ticket.is_open else ticket.state


@dataclass
class Tallies:
    """What a report counted, without its candidate (sent back by a worker process)."""

    tickets: int
    steps: dict[str, StepTally]
    moved: Counter[tuple[str, str]]
    moved_ids: dict[tuple[str, str], list[str]]
    refused: Counter[tuple[str, str, str]]
    refused_ids: dict[tuple[str, str, str], list[str]]
    refused_message: dict[tuple[str, str, str], str]


class ReplayReport:
    def __init__(self, candidate: Spec, as_of: datetime) -> None:
        self.candidate = candidate
        self.as_of = as_of
        self.tickets = 0
        self.steps: dict[str, StepTally] = {}
        self.moved: Counter[tuple[str, str]] = Counter()
        self.moved_ids: dict[tuple[str, str], list[str]] = {}
        self.refused: Counter[tuple[str, str, str]] = Counter()
        self.refused_ids: dict[tuple[str, str, str], list[str]] = {}
        self.refused_message: dict[tuple[str, str, str], str] = {}
        self._numbers = {s.id: s.no for s in candidate.steps}

    def add(self, stored: Ticket, replayed: Ticket | None, refusals: tuple[Refusal, ...]) -> None:
        self.tickets += 1
        for step, no, result in sla_results(stored, self.as_of):
            self._tally(step, no).stored[result] += 1
        if replayed is not None:
            for step, no, result in sla_results(replayed, self.as_of):
                self._tally(step, no).candidate[result] += 1
        where = (ending(stored), ending(replayed))
        if where[0] != where[1]:
            self.moved[where] += 1
            _sample(self.moved_ids, where, stored.id)
        for r in refusals:
            key = (r.event, r.state, r.code)
            self.refused[key] += 1
            self.refused_message.setdefault(key, r.message)
            _sample(self.refused_ids, key, r.ticket_id)

    def tallies(self) -> Tallies:
        return Tallies(
            self.tickets,
            self.steps,
            self.moved,
            self.moved_ids,
            self.refused,
            self.refused_ids,
            self.refused_message,
        )

    def merge(self, other: Tallies) -> None:
        """Add the tallies of tickets that come after those added so far."""
        self.tickets += other.tickets
        for step, tally in other.steps.items():
            mine = self._tally(step, tally.no)
            mine.stored.update(tally.stored)
            mine.candidate.update(tally.candidate)
        for where, n in other.moved.items():
            self.moved[where] += n
            for ticket_id in other.moved_ids[where]:
                _sample(self.moved_ids, where, ticket_id)
        for key, n in other.refused.items():
            self.refused[key] += n
            self.refused_message.setdefault(key, other.refused_message[key])
            for ticket_id in other.refused_ids[key]:
                _sample(self.refused_ids, key, ticket_id)

    def _tally(self, step: str, no: int) -> StepTally:
        found = self.steps.get(step)
        if found is None:
            found = self.steps[step] = StepTally(step, self._numbers.get(step, no))
        return found

    def ordered_steps(self) -> list[StepTally]:
        return sorted(self.steps.values(), key=lambda t: (t.no, t.step))

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate.key,
            "candidate_hash": self.candidate.content_hash,
            "as_of": self.as_of.isoformat(),
            "tickets": self.tickets,
            "steps": [
                {
                    "number": t.no,
                    "step": t.step,
                    "stored": {r: t.stored[r] for r in RESULTS},
                    "candidate": {r: t.candidate[r] for r in RESULTS},
                    "change": t.change(),
                }
                for t in self.ordered_steps()
            ],
            "ends_elsewhere": [
                {"stored": a, "candidate": b, "tickets": n, "sample": self.moved_ids[(a, b)]}
                for (a, b), n in self.moved.most_common()
            ],
            "refused": [
                {
                    "event": ev,
                    "state": state,
                    "code": code,
                    "count": n,
                    "message": self.refused_message[(ev, state, code)],
                    "sample": self.refused_ids[(ev, state, code)],
                }
                for (ev, state, code), n in self.refused.most_common()
            ],
        }

    def render(self) -> str:
        zone = ZoneInfo(self.candidate.calendar().time_zone)
        when = moment_text(self.as_of, zone, with_zone=True)
        lines = [
            f"Replay of {self.tickets} stored ticket(s) of {self.candidate.sop_id} against "
            f"{self.candidate.revision} (sha256 {self.candidate.content_hash[:12]}), as of {when}.",
            "",
            "Time limits per step: met / breached (pending: still running)",
            f"  {'step':<34} {'stored':<22} {'candidate':<22} change",
        ]
        for t in self.ordered_steps():
            name = f"{t.no:>3} {t.step}"
            lines.append(
                f"  {name:<34} {_counts(t.stored):<22} {_counts(t.candidate):<22} {t.change()}"
            )
        lines += ["", f"Tickets that would end elsewhere: {sum(self.moved.values())}"]
        for (a, b), n in self.moved.most_common():
            lines.append(f"  {a} -> {b}: {n} ({', '.join(self.moved_ids[(a, b)])})")
        lines += ["", f"Events the candidate refuses: {sum(self.refused.values())}"]
        for key, n in self.refused.most_common():
            ev, state, code = key
            at = f" at {state}" if state else ""
            lines.append(f"  {ev}{at}: {code}: {n} ({', '.join(self.refused_ids[key])})")
            lines.append(f"      e.g. {self.refused_message[key]}")
        return "\n".join(lines)


def _counts(c: Counter[str]) -> str:
    text = f"{c['met']} / {c['breached']}"
    return text + (f" ({c['pending']} pending)" if c["pending"] else "")


def _sample(samples: dict[Any, list[str]], key: Any, ticket_id: str) -> None:
    ids = samples.setdefault(key, [])
    if len(ids) < SAMPLE:
        ids.append(ticket_id)
