"""The SLA sweeper: applies deadlines that have fallen due, by itself, every few seconds.

    Sweeper(service, interval=2.0).start() ... .stop()    in a background thread (`sop serve`)
    Sweeper(service).run_once(now=None) -> int            one sweep (`sop sweep`, for cron)

Each pass asks the store for deadlines with `due <= now` (an index range: its cost grows with
what is due, not with how many tickets are open), then applies each ticket's due events through
the core in that ticket's own transaction (`TicketService.sweep`). With several workers on
PostgreSQL, `SELECT ... FOR UPDATE SKIP LOCKED` lets only one of them sweep a given deadline; a
pass keeps going, batch after batch, until nothing more is due. A pass reads the time once and
holds the clock still while it runs (`Clock.held`): moving a manual clock waits for it.

A batch is bounded: each ticket's catch-up is a transaction of at most `MAX_DUE_PER_TICKET`
events (a ticket with more due is caught up over several), and one `service.sweep` takes at most
`batch` tickets. Between transactions the pass looks at `service.stopping` (set on SIGTERM,
`TicketService.stop`): a stopping process ends its pass after the transaction under way, every
transaction committed whole, and what is still due stays in the deadlines table for the next
sweep, after the restart.

The thread it runs in: engine.app.background.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from engine.app.background import Background, PeriodicTask
from engine.app.reports.periodic import PeriodicJobs

if TYPE_CHECKING:
    from engine.app.service import TicketService

log = logging.getLogger(__name__)

__all__ = ["Sweeper"]

MAX_BATCHES = 1000  # batches in one pass; the next pass goes on where this one stopped


class Sweeper(Background):
    def __init__(self, service: TicketService, *, interval: float = 2.0, batch: int = 500) -> None:
        self.service = service
        self.batch = batch
        self._task = PeriodicTask("sop-sweeper", self.run_once, interval)
        self.periodic = PeriodicJobs(service)  # periodic steps (e.g. a monthly report)

    def run_once(self, now: datetime | None = None) -> int:
        """Apply everything due by `now`; returns events applied. Without `now`, at the service
        clock's time, held for the whole pass (`Clock.held`): a manual clock moved meanwhile
        waits for the pass, so a pass never applies a time the clock no longer shows."""
        if now is None:
            with self.service.clock.held() as held:
                return self._pass(held)
        return self._pass(now)

    def _pass(self, now: datetime) -> int:
        total = 0
        for _ in range(MAX_BATCHES):
            applied = self.service.sweep(now, limit=self.batch)
            total += applied
            if applied == 0 or self.service.stopping.is_set():
                break
        if total:
            log.info("sweeper applied %d deadline event(s)", total)
        if self.service.stopping.is_set():
            return total
        try:
            self.periodic.run_once(now)
        except Exception:  # a failing periodic step must not stop deadline sweeps
            log.exception("periodic steps failed; tried again next sweep")
        return total
