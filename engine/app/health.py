"""Is this process fit to take work: the checks behind /v1/health/ready (and /v1/health).

    checks = HealthChecks(store, sweeper=lambda: workers.sweeper or None,
                          min_free_bytes=100 * 2**20, sweep_max_age=60.0)
    report = checks.ready()        # Readiness: .ok, .failing, .checks (name -> Check)

The checks, in this order:

- `database`: a write transaction begun and rolled back (`Store.probe`): the database answers,
  takes writes now, and (SQLite) its file is still the one opened;
- `migrations`: the schema is at the newest migration this code knows;
- `sweeper`: the deadline sweeper's last pass finished within `sweep_max_age` seconds; passes
  when this process runs no sweeper (e.g. gunicorn with SOP_BACKGROUND=0, cron sweeps);
- `disk`: free space in the SQLite file's folder is at least `min_free_bytes` (a write that is
  rolled back need not reach the disk, so the database check cannot see a full one); passes
  on PostgreSQL, whose disk is the database server's;
- `optional` ones, shown but not required for readiness (`Check.required` False): e.g.
  `reports_database`, the reports' read replica (`engine.app.reports.source`).

The route is public: a reason names no path, host or driver message (the store logs those).
A report is kept `cache_seconds` (1 s), so probing it in a loop costs the store one write
transaction a second at most.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from engine.app.background import Background
from engine.errors import StoreUnavailable
from engine.store import Store
from engine.store.database import newest_heads

log = logging.getLogger(__name__)

__all__ = ["Check", "HealthChecks", "Readiness"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    # False: shown, but readiness does not depend on it (the reports' replica: a server whose
    # replica is down still takes every other request)
    required: bool = True


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks.values() if c.required)

    @property
    def failing(self) -> list[str]:
        """The required checks that fail (what makes the process not ready)."""
        return [name for name, c in self.checks.items() if c.required and not c.ok]


class HealthChecks:
    def __init__(
        self,
        store: Store,
        *,
        sweeper: Callable[[], Background | None],
        min_free_bytes: float,
        sweep_max_age: float,
        cache_seconds: float = 1.0,
        optional: Mapping[str, Callable[[], Check]] | None = None,
    ) -> None:
        self.store = store
        self.sweeper = sweeper
        self.min_free_bytes = min_free_bytes
        self.sweep_max_age = sweep_max_age
        self.cache_seconds = cache_seconds
        self.optional = dict(optional or {})  # name -> a check not required for readiness
        self._lock = threading.Lock()
        self._last: tuple[float, Readiness] | None = None
        self._reason = ""  # why the database check failed last (logged when it changes)

    def ready(self) -> Readiness:
        with self._lock:  # one probe at a time; the others take its answer
            now = time.monotonic()
            if self._last is not None and now - self._last[0] < self.cache_seconds:
                return self._last[1]
            report = Readiness(
                {
                    **self._database(),
                    "sweeper": self._sweeper(),
                    "disk": self._disk(),
                    **{name: check() for name, check in self.optional.items()},
                }
            )
            before = self._last[1].failing if self._last is not None else []
            self._last = (time.monotonic(), report)
            if report.failing != before:  # a line when it changes, not one per probe
                if report.ok:
                    log.info("ready again")
                else:
                    log.warning("not ready: %s", ", ".join(report.failing))
            return report

    def _database(self) -> dict[str, Check]:
        try:
            heads = self.store.probe()
        except Exception as exc:  # StoreUnavailable, or a driver's error: never a 500 here
            if str(exc) != self._reason:  # the log has the reason; once, not every probe
                level = logging.WARNING if isinstance(exc, StoreUnavailable) else logging.ERROR
                log.log(level, "readiness: the database check failed: %s", exc)
            self._reason = str(exc)
            return {
                "database": Check(False, "the database does not take writes (see the log)"),
                "migrations": Check(False, "not known: the database did not answer"),
            }
        self._reason = ""
        newest = newest_heads()
        migrations = (
            Check(True, f"at {', '.join(sorted(heads))}")
            if heads == newest
            else Check(
                False,
                f"at {', '.join(sorted(heads)) or 'none'}, not {', '.join(sorted(newest))}",
            )
        )
        return {"database": Check(True, "takes writes"), "migrations": migrations}

    def _sweeper(self) -> Check:
        sweeper = self.sweeper()
        if sweeper is None:
            return Check(True, "not run by this process")
        idle = sweeper.idle_for()
        if not sweeper.running or idle is None:
            return Check(False, "stopped")
        if idle > self.sweep_max_age:
            return Check(
                False, f"no pass finished for {idle:.0f} s (limit {self.sweep_max_age:.0f} s)"
            )
        return Check(True, f"last pass finished {idle:.1f} s ago")

    def _disk(self) -> Check:
        path = self.store.path
        if path is None:
            return Check(True, "not checked: the database is not a local file")
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError as exc:
            log.warning("readiness: cannot read the free space of %s: %s", path.parent, exc)
            return Check(False, "the data folder cannot be read")
        text = f"{free / MB:,.0f} MB free (at least {self.min_free_bytes / MB:,.0f} MB needed)"
        return Check(free >= self.min_free_bytes, text)
