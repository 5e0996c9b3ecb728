"""Where the reports read: the service's own database, or a read replica of it.

    source = ReportSource(store)                          the service's store (the default)
    source = ReportSource(store, replica_url=url)         SOP_REPORTS_DATABASE_URL
    with source.reading() as store: monev_report(store, ...)
    source.check() -> Check                               the `reports_database` health check

A replica is opened as it is (`Store.open_existing`: never created or migrated; an SQLite
copy read-only) at its first use, not at start, so a server whose replica is down starts and
serves everything else. While the replica cannot be opened or does not answer, a report raises
`ReportsUnavailable` (503 `reports_unavailable`), and the next report tries again. A replica
is as current as its replication: a report may miss the last few seconds' events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from engine.app.health import Check
from engine.errors import ReportsUnavailable, StoreUnavailable
from engine.store import Store
from engine.store.database import shown

log = logging.getLogger(__name__)

__all__ = ["ReportSource"]


class ReportSource:
    def __init__(self, store: Store, replica_url: str | None = None) -> None:
        self.primary = store
        self.replica_url = replica_url or None
        self._replica: Store | None = None
        self._lock = threading.Lock()

    @property
    def replicated(self) -> bool:
        return self.replica_url is not None

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """The store to read the reports from; the replica's failures as `ReportsUnavailable`."""
        if self.replica_url is None:
            yield self.primary
            return
        try:
            yield self._open()
        except ReportsUnavailable:
            raise
        except StoreUnavailable as exc:
            log.warning("reports: the reports database refused the work: %s", exc)
            raise ReportsUnavailable(
                "the reports database does not answer; the rest of the service works "
                "(the server's log says why)"
            ) from None

    def check(self) -> Check:
        """Whether the replica answers a read now (not required for readiness)."""
        if self.replica_url is None:
            return Check(True, "the service's own database", required=False)
        try:
            with self.reading() as store:
                store.heads()
        except ReportsUnavailable:
            return Check(False, "the reports database does not answer (see the log)", False)
        return Check(True, "the reports database answers", required=False)

    def close(self) -> None:
        with self._lock:
            if self._replica is not None:
                self._replica.close()
                self._replica = None

    def _open(self) -> Store:
        assert self.replica_url is not None
        with self._lock:
            if self._replica is None:
                try:
                    self._replica = Store.open_existing(self.replica_url, read_only=True)
                except StoreUnavailable as exc:
                    log.warning(
                        "reports: cannot open the reports database %s: %s",
                        shown(self.replica_url),
                        exc,
                    )
                    raise ReportsUnavailable(
                        "the reports database cannot be opened; the rest of the service works "
                        "(the server's log says why)"
                    ) from None
            return self._replica
