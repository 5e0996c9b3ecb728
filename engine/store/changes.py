"""The change feed's query: every log entry, in the order the events table numbered them.

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`.

The cursor is the events row's id. On SQLite writers are serialized, so ids become visible
in order. On PostgreSQL two transactions can draw ids 10 and 11 and commit 11 first: a reader
that took 11 and moved its cursor past 10 would never see 10. So a page ends before the first
missing id (`settled_upto`), unless the row after it was written more than `settle` ago: by
then the id belongs to a transaction that rolled back (ids are not given back), not to one
still running. A ticket's own entries are always in order: the next event's transaction
writes only after the previous one committed (the conditional update on the version).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from engine.core.model import LogEntry
from engine.store import codec
from engine.store.queries import in_scope
from engine.store.tables import EventRow

SCAN = 5000  # ids looked at per call for the settled end


class ChangeOps:
    conn: Connection

    def last_change(self) -> int:
        """The newest change's cursor (0 for none)."""
        return int(self.conn.scalar(select(func.max(EventRow.id))) or 0)

    def settled_upto(self, after: int, now: datetime, settle: timedelta) -> int:
        """The last id after `after` up to which no row can still appear (at most SCAN on)."""
        rows = self.conn.execute(
            select(EventRow.id, EventRow.recorded)
            .where(EventRow.id > after)
            .order_by(EventRow.id)
            .limit(SCAN)
        ).all()
        upto = after
        for row in rows:
            if row.id != upto + 1 and row.recorded > now - settle:
                break  # a gap a running transaction may still fill
            upto = row.id
        return upto

    def changes(
        self,
        *,
        after: int,
        upto: int,
        limit: int,
        sop_id: str | None = None,
        event: str | None = None,
        ticket_id: str | None = None,
        scope: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Log entries with after < id <= upto matching every filter, oldest first: each the
        entry's keys with `cursor`, `ticket_id`, `seq` and `recorded`."""
        conds = [EventRow.id > after, EventRow.id <= upto]
        if sop_id is not None:
            conds.append(EventRow.sop_id == sop_id)
        if event is not None:
            conds.append(EventRow.event == event)
        if ticket_id is not None:
            conds.append(EventRow.ticket_id == ticket_id)
        conds += in_scope(EventRow.ticket_id, scope)
        rows = self.conn.execute(
            select(EventRow.id, EventRow.ticket_id, EventRow.seq, EventRow.recorded, EventRow.entry)
            .where(*conds)
            .order_by(EventRow.id)
            .limit(limit)
        )
        return [
            {
                "cursor": r.id,
                "ticket_id": r.ticket_id,
                "seq": r.seq,
                "recorded": r.recorded,
                **asdict(codec.decode(LogEntry, r.entry)),
            }
            for r in rows
        ]
