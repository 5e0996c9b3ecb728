"""Who hears what the ticket service decided: `TicketService.listeners` (the API's metrics
register one; the engine itself counts nothing).

Labels are bounded: an SOP or event type a client made up is reported as `OTHER`, so a
listener that counts by them cannot be made to grow without end.
"""

from __future__ import annotations

from typing import Protocol

OPENING = "created"  # the event an opening writes (engine.core.apply.new_ticket)
OTHER = "other"  # an SOP or event type the catalog does not know (or no ticket to ask)


class EventListener(Protocol):
    def accepted(self, sop_id: str, event: str) -> None:
        """An event was written (a retried request that replayed its first answer is not)."""

    def refused(self, sop_id: str, event: str, code: str) -> None:
        """An event was refused; `code` is the refusal's stable code (engine.errors)."""
