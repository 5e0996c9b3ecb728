"""The values tickets' personal fields have had, read from their logs for masking.

    logged_values(tx, ticket_ids, keys) -> {ticket id: [{key: value}, ...]}

A reader without personal-data access must not find a reporter's name in a complaint's text
after the name field was corrected: `engine.core.masking.ticket_masker` looks for every value
the log holds. Each entry's data can be kilobytes of free text, so only the personal keys are
taken out of it, by the database (a JSON path), for many tickets in one query.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select

from engine.store import Tx
from engine.store.tables import EventRow

__all__ = ["logged_values"]

CHUNK = 500  # ticket ids per query


def logged_values(
    tx: Tx, ticket_ids: Collection[str], keys: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per ticket, for each of its log entries that set one of `keys`, those keys' values."""
    out: dict[str, list[dict[str, Any]]] = {tid: [] for tid in ticket_ids}
    names = sorted(keys)
    if not out or not names:
        return out
    columns = [EventRow.entry[("data", name)] for name in names]
    set_any = or_(*(column.as_string().is_not(None) for column in columns))
    ids = list(out)
    for at in range(0, len(ids), CHUNK):
        rows = tx.conn.execute(
            select(EventRow.ticket_id, *columns)
            .where(EventRow.ticket_id.in_(ids[at : at + CHUNK]), set_any)
            .order_by(EventRow.ticket_id, EventRow.seq)
        )
        for ticket_id, *values in rows:
            found = {name: v for name, v in zip(names, values, strict=True) if v is not None}
            if found:
                out[ticket_id].append(found)
    return out
