"""The SLA sweeper: applies deadlines that have fallen due, by itself, every few seconds.

    Sweeper(service, interval=2.0).start() ... .stop()    in a background thread (`sop serve`)
    Sweeper(service).run_once(now=None) -> int            one sweep (`sop sweep`, for cron)

Each pass asks the store for deadlines with `due <= now` (an index range: its cost grows with
what is due, not with how many tickets are open), then applies each ticket's due events through
the core in that ticket's own transaction (`TicketService.sweep`). With several workers on
PostgreSQL, `SELECT ... FOR UPDATE SKIP LOCKED` lets only one of them sweep a given deadline; a
pass keeps going, batch after batch, until nothing more is due.

`PeriodicTask` is the small thread loop shared with the notifier.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from engine.app.reports.periodic import PeriodicJobs

if TYPE_CHECKING:
    from engine.app.service import TicketService

log = logging.getLogger(__name__)

__all__ = ["PeriodicTask", "Sweeper"]

MAX_BATCHES = 1000  # batches in one pass; the next pass goes on where this one stopped


class PeriodicTask:
    """Run `work()` every `interval` seconds in a daemon thread until `stop()`.

    An exception in one run is logged and the loop goes on. `wake()` runs it again at once.
    """

    def __init__(self, name: str, work: Callable[[], object], interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be > 0 seconds, got {interval}")
        self.name = name
        self.interval = interval
        self._work = work
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._work()
            except Exception:
                log.exception("%s: run failed; trying again in %.1fs", self.name, self.interval)
            self._wake.wait(self.interval)
            self._wake.clear()


class Sweeper:
    def __init__(self, service: TicketService, *, interval: float = 2.0, batch: int = 500) -> None:
        self.service = service
        self.batch = batch
        self._task = PeriodicTask("sop-sweeper", self.run_once, interval)
        self.periodic = PeriodicJobs(service)  # periodic steps (e.g. a monthly report)

    def run_once(self, now: datetime | None = None) -> int:
        """Apply everything due by `now` (default: the service's clock); returns events applied."""
        now = now or self.service.clock.now()
        total = 0
        for _ in range(MAX_BATCHES):
            applied = self.service.sweep(now, limit=self.batch)
            total += applied
            if applied == 0:
                break
        if total:
            log.info("sweeper applied %d deadline event(s)", total)
        try:
            self.periodic.run_once(now)
        except Exception:  # a failing periodic step must not stop deadline sweeps
            log.exception("periodic steps failed; tried again next sweep")
        return total

    def start(self) -> None:
        self._task.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._task.stop(timeout)

    def wake(self) -> None:
        """Sweep now (e.g. after the manual clock moved)."""
        self._task.wake()

    @property
    def running(self) -> bool:
        return self._task.running
