"""Many stored tickets fast: the rows of a few template tickets, copied under new ids.

    copy_tickets(store, template_ids, prefix, numbers) -> log entries written

The templates are tickets written the ordinary way (`Tx.save`). Copy i (for i in `numbers`)
takes the rows of template i % len(template_ids) (ticket, log entries, finished runs, scope
values, deadlines) under the id f"{prefix}{i:09d}", its log's
hash chain computed afresh for that id, and all of it is inserted in bulk (`executemany`),
BATCH tickets a transaction: about ten times faster than saving each copy through `Tx.save`.
Rows that name a ticket elsewhere than in its id (step runs, notifications, whose ids derive
from the ticket's) are not copied: the templates must have none, or the copies lack them.

The hash of a copied entry differs from its template's in the ticket id and the previous hash
only, so each template entry's canonical text is cut once around those two and the copies'
texts are joined from the pieces (`engine.store.chain` hashes the same text; checked on the
first copy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from engine.store import Store
from engine.store.chain import GENESIS, canonical, entry_hash
from engine.store.tables import DeadlineRow, EventRow, TicketRow, TicketRunRow, TicketScopeRow

__all__ = ["copy_tickets"]

BATCH = 2000
_ID = "@@ticket-id@@"
_PREV = "@@prev-hash@@"


class _Template:
    def __init__(self, store: Store, ticket_id: str) -> None:
        with store.read() as tx:
            conn = tx.conn
            self.ticket = dict(conn.execute(select(TicketRow).where(TicketRow.id == ticket_id))
                               .mappings().one())  # fmt: skip
            self.events = [
                {k: v for k, v in r.items() if k != "id"}
                for r in conn.execute(
                    select(EventRow).where(EventRow.ticket_id == ticket_id).order_by(EventRow.seq)
                ).mappings()
            ]
            self.scopes = [
                dict(r)
                for r in conn.execute(
                    select(TicketScopeRow).where(TicketScopeRow.ticket_id == ticket_id)
                ).mappings()
            ]
            self.runs = [
                dict(r)
                for r in conn.execute(
                    select(TicketRunRow).where(TicketRunRow.ticket_id == ticket_id)
                ).mappings()
            ]
            self.deadlines = [
                {k: v for k, v in r.items() if k != "id"}
                for r in conn.execute(
                    select(DeadlineRow).where(DeadlineRow.ticket_id == ticket_id)
                ).mappings()
            ]
        self.pieces = [self._pieces(e["entry"]) for e in self.events]

    @staticmethod
    def _pieces(entry: dict[str, Any]) -> tuple[str, str, str] | None:
        """The entry's hashed text cut around its ticket id and previous hash, if they are the
        only places these markers land (else None: hashed whole)."""
        doc = {**entry, "ticket_id": _ID}
        if isinstance(doc.get("at"), str):  # hashed in UTC, as engine.store.chain does
            doc["at"] = datetime.fromisoformat(doc["at"]).astimezone(UTC).isoformat()
            doc["at"] = doc["at"].replace("+00:00", "Z")
        text = canonical({"entry": doc, "prev": _PREV})
        if text.count(_ID) != 1 or text.count(_PREV) != 1 or text.index(_ID) > text.index(_PREV):
            return None
        head, rest = text.split(_ID)
        middle, tail = rest.split(_PREV)
        return head, middle, tail

    def rows(self, tid: str, out: dict[str, list[dict[str, Any]]], check: bool) -> int:
        record = {**self.ticket["record"], "id": tid}
        out["tickets"].append({**self.ticket, "id": tid, "record": record})
        prev = GENESIS
        for values, pieces in zip(self.events, self.pieces, strict=True):
            entry = {**values["entry"], "ticket_id": tid}
            if pieces is None:
                digest = entry_hash(entry, prev)
            else:
                text = f"{pieces[0]}{tid}{pieces[1]}{prev}{pieces[2]}"
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                if check:
                    assert digest == entry_hash(entry, prev), "the cut text hashes otherwise"
            row = {**values, "ticket_id": tid, "entry": entry}
            row["prev_hash"], row["entry_hash"] = prev, digest
            out["events"].append(row)
            prev = digest
        out["runs"] += [{**r, "ticket_id": tid} for r in self.runs]
        out["scopes"] += [{**r, "ticket_id": tid} for r in self.scopes]
        out["deadlines"] += [{**r, "ticket_id": tid} for r in self.deadlines]
        return len(self.events)


def copy_tickets(store: Store, template_ids: Sequence[str], prefix: str, numbers: range) -> int:
    """A copy of the templates' rows per number, template after template; the log entries
    written."""
    templates = [_Template(store, t) for t in template_ids]
    tables = {
        "tickets": TicketRow,
        "events": EventRow,
        "runs": TicketRunRow,
        "scopes": TicketScopeRow,
        "deadlines": DeadlineRow,
    }
    written = 0
    for first in range(0, len(numbers), BATCH):
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for i in numbers[first : first + BATCH]:
            check = i < numbers.start + len(templates)
            written += templates[i % len(templates)].rows(f"{prefix}{i:09d}", rows, check)
        with store.write() as tx:
            for name, table in tables.items():
                if rows[name]:
                    tx.conn.execute(insert(table), rows[name])
    return written
