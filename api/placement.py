"""Where the background work runs when several processes serve one data folder: in exactly
one of them, the one holding an exclusive flock on `<data dir>/.sop.background.lock`.

    placement = Placement(lock_path(cfg), Workers(runtime)); placement.begin()
    ...
    placement.end(timeout)     # at the worker's exit: the lock goes to another process

Every serving process (a gunicorn worker) runs a `Placement`: a daemon thread that tries the
lock every `poll` seconds without blocking. The one that takes it starts the sweeper and the
notifier; the others serve requests only. The kernel drops a flock with its process, so when
the leader dies (even by SIGKILL) another process takes over within `poll` seconds. The lock
is per machine: several servers on one PostgreSQL database each run one (their sweeps and
deliveries are kept apart there by SKIP LOCKED and leases).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

LOCK_FILE = ".sop.background.lock"
POLL = 0.5  # seconds between tries: how long the work may go without a runner


class Work(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...


def lock_path(cfg: Mapping[str, Any]) -> Path:
    """`<data dir>/.sop.background.lock` (the data folder exists on PostgreSQL too: it keeps
    the web session key)."""
    return Path(cfg.get("SOP_DATA_DIR") or "./data").expanduser().resolve() / LOCK_FILE


class Placement:
    def __init__(self, path: Path, work: Work, *, poll: float = POLL) -> None:
        self.path = path
        self.work = work
        self.poll = poll
        self._fd: int | None = None
        self._running = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leader(self) -> bool:
        """This process holds the lock and runs the work."""
        return self._fd is not None

    def begin(self) -> None:
        self._done.clear()
        self._thread = threading.Thread(target=self._run, name="sop-placement", daemon=True)
        self._thread.start()

    def retire(self) -> None:
        """Stop trying to take the lock (the process is stopping: the work should not move to
        it as the leader lets go); a leader keeps the work until `end()`. Safe in a signal
        handler."""
        self._done.set()

    def end(self, timeout: float = 5.0) -> None:
        """Stop trying; a leader stops the work (within `timeout`) and lets the lock go."""
        self._done.set()
        if self._thread is not None:
            self._thread.join(self.poll + 1.0)
            self._thread = None
        if self._running:
            self.work.stop(timeout)
            self._running = False
        self._release()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._take():
                log.info("background: process %d runs the sweeper and notifier", os.getpid())
                self._start()
                return
            self._done.wait(self.poll)

    def _take(self) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a folder it cannot write: the store refuses such a start
            log.error("background: cannot open %s (%s); running the work here", self.path, exc)
            self._start()
            self._done.set()
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        if self._done.is_set():  # end() came while taking it
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _start(self) -> None:
        self.work.start()
        self._running = True

    def _release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
