"""One consistent view of the whole store, for the audit's long reads.

    with snapshot(store) as conn: ...      REPEATABLE READ on PostgreSQL; a read transaction on
                                           SQLite (one snapshot already)
    shared = export_snapshot(conn)         PostgreSQL: the snapshot's id, for other processes
    with snapshot(store, shared) as conn:  ... in another process: the very same view

Every query in the block sees the store as it was when the block began, however long the walk
takes and whatever the server writes meanwhile: a verify or a checkpoint reads one state. On
PostgreSQL the worker processes of a verify read in the parent's own snapshot (`SET TRANSACTION
SNAPSHOT`, while the parent's transaction is open). SQLite has no such thing across processes:
each worker's read transaction is a snapshot of its own, taken when it begins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from engine.store import Store

__all__ = ["export_snapshot", "snapshot"]

_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")  # e.g. 00000003-0000001B-1 (utility: no parameters)


@contextmanager
def snapshot(store: Store, shared: str | None = None) -> Iterator[Connection]:
    options: dict[str, Any] = {}
    if store.dialect == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with store.engine.connect().execution_options(**options) as conn, conn.begin():
        if shared is not None and store.dialect == "postgresql":
            if not _SNAPSHOT_ID.fullmatch(shared):
                raise ValueError(f"{shared!r} is not a snapshot id")
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{shared}'")
        yield conn


def export_snapshot(conn: Connection) -> str | None:
    """The id other sessions import the snapshot of `conn`'s transaction by (None on SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.scalar(text("SELECT pg_export_snapshot()")))
