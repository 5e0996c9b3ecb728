"""The ticket_refs table's rows: references other systems gave a ticket (engine.app.refs).

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`. A (source, ref) pair is
the primary key, so one source's reference names one ticket at most, on every backend and
under concurrent openings: the second insert of a pair fails and `RefTaken` says who has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from engine.store.tables import TicketRefRow

REFS = TicketRefRow.__table__


class RefTaken(Exception):
    """The pair (source, ref) names another ticket already (or the same one: `owner`)."""

    def __init__(self, source: str, ref: str, owner: str | None) -> None:
        super().__init__(f"{source}/{ref}")
        self.source, self.ref, self.owner = source, ref, owner


class RefOps:
    conn: Connection

    def refs_of(self, ticket_id: str) -> list[tuple[str, str]]:
        """The ticket's references, in the order they were given."""
        rows = self.conn.execute(
            select(REFS.c.source, REFS.c.ref)
            .where(REFS.c.ticket_id == ticket_id)
            .order_by(REFS.c.created, REFS.c.source, REFS.c.ref)
        )
        return [(r.source, r.ref) for r in rows]

    def ticket_of_ref(self, source: str, ref: str) -> str | None:
        return self.conn.scalar(
            select(REFS.c.ticket_id).where(REFS.c.source == source, REFS.c.ref == ref)
        )

    def insert_refs(self, ticket_id: str, refs: Iterable[tuple[str, str]], now: datetime) -> None:
        """Each pair in its own savepoint, so a taken one raises `RefTaken` and leaves the
        transaction usable (the caller decides whether to roll it all back)."""
        for source, ref in refs:
            values = {"source": source, "ref": ref, "ticket_id": ticket_id, "created": now}
            try:
                with self.conn.begin_nested():
                    self.conn.execute(insert(TicketRefRow).values(values))
            except IntegrityError:
                raise RefTaken(source, ref, self.ticket_of_ref(source, ref)) from None
