"""`sop serve`'s production server: gunicorn, started in process, on a socket `sop serve`
bound (so `--port 0` is known before the workers start).

    SopGunicorn(cfg, listener_fd, workers=3, threads=1, sweep_interval=2.0).run()

The master builds nothing: `sop serve` checked the settings, SOPs and store before (one line
and exit 1 when they are wrong). Each worker builds its own runtime after the fork (threads
and database connections do not survive a fork: no preload) and runs a `Placement`
(api/placement.py): the one worker holding `<data dir>/.sop.background.lock` runs the sweeper
and the notifier. Signals to the master:

- SIGTERM, SIGINT (Ctrl-C): gunicorn's graceful stop. Each worker sets the service's stop
  flag at once (a sweep ends after its batch), finishes its requests, stops the background
  work and exits; the master waits `graceful_timeout` for them.
- SIGHUP: forwarded to every worker, which reloads the SOPs (api/views/admin.py) instead of
  gunicorn's default (new workers).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from engine.cli.serve_cmds import STOP_GRACE, STOP_WORKERS

log = logging.getLogger(__name__)

# The master waits this long for its workers, then kills them: the batch plus the requests
# under way (they run while the batch ends) and a margin.
GRACEFUL_TIMEOUT = int(2 * STOP_GRACE)
RETRY_WORKER = 5.0  # seconds a worker that cannot start waits before it exits (and is retried)


class ForwardingArbiter(Arbiter):  # type: ignore[misc]
    """gunicorn's master, SIGHUP forwarded to the workers (they reload the SOPs) and Ctrl-C
    as graceful as SIGTERM (gunicorn's own cuts the requests under way)."""

    def handle_hup(self) -> None:
        self.log.info("SIGHUP: reloading the SOPs in every worker")
        self.kill_workers(signal.SIGHUP)

    def handle_int(self) -> None:
        raise StopIteration


class SopGunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(
        self,
        cfg: dict[str, Any],
        listener_fd: int,
        *,
        workers: int,
        threads: int,
        sweep_interval: float,
    ) -> None:
        self.sop_cfg = cfg
        self.options: dict[str, Any] = {
            "bind": [f"fd://{listener_fd}"],
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "proc_name": "sop",
            "control_socket_disable": True,  # one per user by default: servers would share it
            # Proxy headers are believed only as SOP_TRUSTED_PROXIES says (api/bootstrap.py).
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "accesslog": None,  # the app writes the access lines (api/logs.py, --access-log)
            "errorlog": "-",
            "loglevel": "info",
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
            "child_exit": _child_exit,
        }
        self.sweep_interval = sweep_interval
        self.runtime: Any = None
        self.hup_pending = threading.Event()
        self.placement: Any = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """In each worker, after the fork: its runtime and app."""
        from api.bootstrap import build_runtime, create_app
        from api.config import ConfigError
        from engine.errors import SopError, StoreUnavailable

        # A SIGHUP while it builds (gunicorn reset the handler: it would end the worker) is
        # kept and acted on once the runtime is there.
        signal.signal(signal.SIGHUP, lambda *_: self.hup_pending.set())
        try:
            self.runtime = build_runtime(self.sop_cfg)
            return create_app(self.sop_cfg, runtime=self.runtime)
        except (ConfigError, SopError, OSError, ValueError, StoreUnavailable) as exc:
            # The master checked all this before the first fork; what changed since (an SOP
            # file edited into an invalid one, the database gone) stops this worker only:
            # the others serve on as they are, and gunicorn tries it again after a pause.
            print(f"sop: cannot start a worker: {exc}", file=sys.stderr, flush=True)
            time.sleep(RETRY_WORKER)
            raise SystemExit(1) from None

    def run(self) -> None:
        try:
            ForwardingArbiter(self).run()
        except RuntimeError as exc:
            print(f"Error: {exc}", file=sys.stderr, flush=True)
            sys.exit(1)

    def _post_worker_init(self, worker: Any) -> None:
        from api.placement import Placement, lock_path
        from api.views.admin import sighup_handler
        from api.workers import Workers

        runtime = self.runtime
        reload = sighup_handler(runtime)
        signal.signal(signal.SIGHUP, reload)
        if self.hup_pending.is_set():
            reload(signal.SIGHUP, None)

        def terminate(signum: int, frame: Any) -> None:
            runtime.service.stopping.set()  # a sweep under way ends after its batch
            self.placement.retire()  # every worker is stopping: none takes the work over
            worker.handle_exit(signum, frame)

        signal.signal(signal.SIGTERM, terminate)
        signal.siginterrupt(signal.SIGTERM, False)
        work = Workers(runtime, sweep_interval=self.sweep_interval)
        self.placement = Placement(lock_path(self.sop_cfg), work)
        self.placement.begin()

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        runtime = self.runtime
        if runtime is None:
            return
        if not runtime.service.stop(STOP_GRACE):
            log.warning("a sweep was still running after %.0fs; stopping anyway", STOP_GRACE)
        if self.placement is not None:
            self.placement.end(STOP_WORKERS)
        runtime.close()


def _child_exit(_server: Any, worker: Any) -> None:
    """A worker ended: its metrics files are merged away (prometheus multiprocess mode)."""
    from api.metrics import worker_exited

    worker_exited(worker.pid)
