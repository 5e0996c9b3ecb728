"""Copying an SQLite store's write-ahead log into its file off the commit path.

    checkpointer = Checkpointer(path)     a daemon thread, while the store is open
    store_pages(dbapi_conn)               on each of the store's connections: commits leave
                                          the copying to the thread (see BACKSTOP_PAGES)
    checkpointer.close()                  stop it, after a last checkpoint

In WAL mode SQLite appends each commit's pages to the log; by default the commit that takes the
log past 1,000 pages then copies the log into the database file and syncs it (an automatic
checkpoint), inside that commit. One accepted event writes ~29 pages (the ticket, its log entry,
deadlines, outbox, step runs and their indexes), so every ~34th event paid for the copy of the
others, and a sweep at 1,000,000 open tickets paid a 5-16 ms checkpoint every other group of 20.

Here a thread of the store's own runs a PASSIVE checkpoint every `INTERVAL_S` on a connection of
its own (it copies what no reader still needs, and waits for no one), and the store's
connections raise their automatic threshold to `BACKSTOP_PAGES` (~40 MB): a commit copies only
if the thread has fallen that far behind, or is not running (a process forked after the store
opened). Measured (bench/bench_service.py, SQLite): +9-13% events/s on one thread. What a
killed process had committed is in the log either way, and is read from there on reopening.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from engine.store.database import sqlite_uri

__all__ = ["BACKSTOP_PAGES", "INTERVAL_S", "Checkpointer", "store_pages"]

log = logging.getLogger(__name__)

INTERVAL_S = 0.2
BACKSTOP_PAGES = 10_000


def store_pages(dbapi_conn: Any) -> None:
    """Set a store connection's automatic checkpoint to the backstop (a `connect` listener)."""
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")


class Checkpointer:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            sqlite_uri(path, "rw"), uri=True, check_same_thread=False, isolation_level=None
        )
        self._conn.execute("PRAGMA busy_timeout = 0")  # another process's checkpoint: skip
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_S):
            self._checkpoint()

    def _checkpoint(self) -> None:
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # busy (another checkpoint), or the file went away
            log.debug("checkpoint skipped: %s", exc)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._checkpoint()
        self._conn.close()
