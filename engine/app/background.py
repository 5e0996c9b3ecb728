"""Background work: a job run every few seconds in a daemon thread (the sweeper, the notifier).

    class Sweeper(Background):
        def __init__(...): self._task = PeriodicTask("sop-sweeper", self.run_once, interval)
        def run_once(self): ...

`Background` gives such a job `start`, `stop`, `wake` (run now, e.g. after the manual clock
moved), `running` and `idle_for` (seconds since a run last finished: /v1/health/ready), by
handing them to its `PeriodicTask`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from engine.errors import StoreUnavailable

log = logging.getLogger(__name__)

__all__ = ["Background", "PeriodicTask"]


class PeriodicTask:
    """Run `work()` every `interval` seconds in a daemon thread until `stop()`.

    An exception in one run is logged and the loop goes on. `wake()` runs it again at once.
    A store that cannot take work (`StoreUnavailable`) is logged once, in a line, until a run
    succeeds again, not with a traceback every tick.
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
        self._finished: float | None = None  # time.monotonic() when a run last finished
        self._unavailable = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def idle_for(self) -> float | None:
        """Seconds since a run last finished without an error (since the start if none has
        yet); None when not started."""
        if self._finished is None:
            return None
        return time.monotonic() - self._finished

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._finished = time.monotonic()
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

    @property
    def stopping(self) -> bool:
        """`stop()` was asked: a long run ends after the batch under way."""
        return self._stop.is_set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._work()
            except StoreUnavailable as exc:
                if not self._unavailable:
                    log.error("%s: the store is unavailable, runs wait for it: %s", self.name, exc)
                self._unavailable = True
            except Exception:
                log.exception("%s: run failed; trying again in %.1fs", self.name, self.interval)
            else:
                self._finished = time.monotonic()
                if self._unavailable:
                    log.info("%s: the store is available again", self.name)
                self._unavailable = False
            self._wake.wait(self.interval)
            self._wake.clear()


class Background:
    """A job whose `run_once` a `PeriodicTask` (`self._task`, set by the subclass) repeats."""

    _task: PeriodicTask

    def start(self) -> None:
        self._task.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._task.stop(timeout)

    def wake(self) -> None:
        """Run now instead of at the next tick."""
        self._task.wake()

    @property
    def running(self) -> bool:
        return self._task.running

    @property
    def stopping(self) -> bool:
        return self._task.stopping

    def idle_for(self) -> float | None:
        return self._task.idle_for()
