"""The values tickets' personal fields have had, read from their logs for masking.

    logged_values(tx, ticket_ids, keys) -> {ticket id: [{key: value}, ...]}
    values_of(tx, ticket_id, keys) -> [{key: value}, ...]       one ticket (every notifying write)

A reader without personal-data access must not find a reporter's name in a complaint's text
after the name field was corrected: `engine.core.masking.ticket_masker` looks for every value
the log holds. Each entry's data can be kilobytes of free text, so only the personal keys are
taken out of it, by the database (a JSON path), for many tickets in one query.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, or_, select

from engine.store import Tx
from engine.store.prepared import Prepared
from engine.store.tables import EventRow

__all__ = ["logged_values", "values_of"]

CHUNK = 500  # ticket ids per query


def logged_values(
    tx: Tx, ticket_ids: Collection[str], keys: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per ticket, for each of its log entries that set one of `keys`, those keys' values."""
    out: dict[str, list[dict[str, Any]]] = {tid: [] for tid in ticket_ids}
    names = sorted(keys)
    if not out or not names:
        return out
    columns, set_any = _picked(tuple(names))
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


def values_of(tx: Tx, ticket_id: str, keys: Collection[str]) -> list[dict[str, Any]]:
    """`logged_values` of one ticket, by a query compiled once per set of keys: a write that
    notifies reads it (engine.app.service.mask_notifications)."""
    names = tuple(sorted(keys))
    if not names:
        return []
    rows = _one_ticket(names).rows(tx.conn, {"ticket_id": ticket_id})
    found = ({n: v for n, v in zip(names, values, strict=True) if v is not None} for values in rows)
    return [f for f in found if f]


def _picked(names: tuple[str, ...]) -> tuple[list[Any], ColumnElement[bool]]:
    """The keys' values in an entry's data (JSON paths), and "one of them is set"."""
    columns = [EventRow.entry[("data", name)] for name in names]
    return columns, or_(*(column.as_string().is_not(None) for column in columns))


@lru_cache(maxsize=64)
def _one_ticket(names: tuple[str, ...]) -> Prepared:
    columns, set_any = _picked(names)
    stmt = (
        select(*columns)
        .where(EventRow.ticket_id == bindparam("ticket_id"), set_any)
        .order_by(EventRow.seq)
    )
    return Prepared(stmt, ("ticket_id",))
