"""One consistent view of the whole store, for the audit's long reads.

    with snapshot(store) as conn: ...      REPEATABLE READ on PostgreSQL; a read transaction on
                                           SQLite (one snapshot already)

Every query in the block sees the store as it was when the block began, however long the walk
takes and whatever the server writes meanwhile: a verify or a checkpoint reads one state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from engine.store import Store

__all__ = ["snapshot"]


@contextmanager
def snapshot(store: Store) -> Iterator[Connection]:
    options: dict[str, Any] = {}
    if store.dialect == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with store.engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn
