"""The store's gauges for a metrics scrape (`engine.store.gauges`), read in one transaction:
open tickets per SOP and step, deadlines due and the sweeper's lag, the outbox backlog.

    gauges = read_gauges(store, clock.now())
"""

from __future__ import annotations

from datetime import datetime

from engine.store import Store
from engine.store.gauges import Gauges
from engine.store.gauges import read_gauges as _read

__all__ = ["Gauges", "read_gauges", "sweep_lag"]


def read_gauges(store: Store, now: datetime) -> Gauges:
    with store.read() as tx:
        return _read(tx.conn, now)


def sweep_lag(gauges: Gauges, now: datetime) -> float:
    """Seconds the oldest deadline due has waited to be applied (0 when none is due)."""
    if gauges.oldest_due is None:
        return 0.0
    return max(0.0, (now - gauges.oldest_due).total_seconds())
