"""The background work `sop serve` runs beside the API: the deadline sweeper and the notifier.

workers = Workers(runtime, sweep_interval=2.0)
workers.start() ... workers.stop()
"""

from __future__ import annotations

import logging
import threading

from api.runtime import Runtime

log = logging.getLogger(__name__)


class Workers:
    def __init__(self, runtime: Runtime, *, sweep_interval: float = 2.0) -> None:
        self.runtime = runtime
        self.sweep_interval = sweep_interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._sweep_loop, name="sop-sweeper", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.sweep_interval):
            try:
                applied = self.runtime.service.sweep()
                if applied:
                    log.info("sweeper applied %d deadline event(s)", applied)
            except Exception:  # noqa: BLE001 - the loop must outlive one failed sweep
                log.exception("sweep failed; trying again in %.1fs", self.sweep_interval)
