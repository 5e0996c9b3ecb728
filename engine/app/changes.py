"""The change feed: every accepted event of every ticket, in order, for systems that follow
the service (a cursor feed; engine.store.changes says why a page may end early).

    changes(service, after=0, limit=100, sop_id=, event=, ticket_id=, scope=) -> ChangePage

Each change is a log entry (the store's dict of it, with `cursor`, `ticket_id`, `seq`,
`recorded`); `records` holds each ticket it names as it is now (its revision's labels, and
what masks its personal data for a reader without access). A change's id, `ticket_id/seq`,
is the same on every read and after every restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.app.service import TicketRecord, TicketService, check_cursor, check_limit
from engine.store.store import wall_now

# How long a missing id may still be a running transaction's (see engine.store.changes). A
# write commits in milliseconds; a page waits this long only behind an id that a transaction
# drew and then rolled back.
SETTLE = timedelta(seconds=30)
MAX_PAGE = 500


@dataclass(frozen=True)
class ChangePage:
    items: list[dict[str, Any]]
    next_cursor: int
    records: dict[str, TicketRecord] = field(default_factory=dict)


def changes(
    service: TicketService,
    *,
    after: int = 0,
    limit: int = 100,
    sop_id: str | None = None,
    event: str | None = None,
    ticket_id: str | None = None,
    scope: dict[str, str] | None = None,
) -> ChangePage:
    after, limit = check_cursor(after), check_limit(limit, MAX_PAGE)
    with service.store.read() as tx:
        upto = tx.settled_upto(after, wall_now(), SETTLE)
        items = tx.changes(
            after=after,
            upto=upto,
            limit=limit,
            sop_id=sop_id,
            event=event,
            ticket_id=ticket_id,
            scope=scope,
        )
    # A full page goes on after its last item; a short one read everything up to `upto`.
    next_cursor = items[-1]["cursor"] if len(items) == limit else upto
    tickets = {item["ticket_id"] for item in items}
    records = {t: service.get_ticket(t) for t in sorted(tickets)}
    return ChangePage(items, next_cursor, records)
