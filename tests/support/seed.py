"""A seed-SOP ticket driven by hand, with a clock the test controls."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.core import CompiledRevision, apply, catch_up, new_ticket
from engine.core.model import Event, Outcome, Ticket
from engine.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]
WIB = timezone(timedelta(hours=7))
# Monday 6 January 2025, 09:00 in Surabaya: no holiday within two weeks.
MONDAY = datetime(2025, 1, 6, 9, 0, tzinfo=WIB)

OTHER_CHANNEL = {
    "reporter_name": "Budi Santoso",
    "reporter_phone": "+6281234567890",
    "channel": "instagram",
    "social_media": "@budi",
    "complaint_text": "Jalan berlubang di depan sekolah",
    "attachment": "https://example.org/foto.jpg",
    "location": "Jl. Raya Darmo 1",
}
ROUTING = {"category": "Infrastruktur", "topic": "Jalan", "agency": "DSDABM"}


class Driver:
    """Moves one ticket through a compiled revision, with a clock the test controls."""

    def __init__(self, rev: CompiledRevision, fields: dict, at: datetime = MONDAY) -> None:
        self.rev, self.now = rev, at
        self.outcomes: list[Outcome] = [new_ticket(rev, "T-1", fields, at)]
        self.ticket: Ticket = self.outcomes[0].ticket

    @property
    def spec(self) -> Spec:
        return self.rev.spec

    def post(self, type_: str, actor: str, data: dict | None = None, after=timedelta(hours=1)):
        at = self.now + after
        out = apply(self.rev, self.ticket, Event(type_, actor, data or {}), at)
        self.now = at  # a refused event does not move the clock
        self.outcomes.append(out)
        self.ticket = out.ticket
        return out

    def advance(self, delta: timedelta) -> list[Outcome]:
        """Move the clock; every deadline and timer due on the way is applied (a refusal raises)."""
        self.now += delta
        caught = catch_up(self.rev, self.ticket, self.now, most=10_000)
        if caught.error is not None:
            raise caught.error
        self.outcomes.extend(caught.outcomes)
        self.ticket = caught.ticket
        return list(caught.outcomes)

    def notifications(self, since: int = 0):
        return [n for o in self.outcomes[since:] for n in o.notifications]

    def to_routing(self) -> None:
        self.post("accept", "staff")
        self.post("triage", "staff")
        self.post("entered", "staff", ROUTING)
        self.post("responded", "staff", {"response_text": "Terima kasih, kami proses"})
        self.post("within_authority", "staff")
        self.post("routed", "staff")

    def to_validated(self) -> None:
        self.to_routing()
        self.post("agency_responded", "agency")
        self.post(
            "follow_up_submitted",
            "agency",
            {"follow_up_text": "Sudah ditambal", "follow_up_photo": "https://example.org/f.jpg"},
        )
        self.post("substance_ok", "staff")
        self.post("validated", "staff")
