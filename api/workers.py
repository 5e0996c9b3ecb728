"""The background work `sop serve` runs beside the API: the deadline sweeper, the notifier and
the change feed's webhooks (api.feed_webhooks).

    workers = Workers(runtime, sweep_interval=2.0); workers.start(); ...; workers.stop()

Views call `wake_notifier()` after a write so new notifications go out at once rather than at
the next tick; it does nothing where no workers run (tests, gunicorn workers without them).
"""

from __future__ import annotations

import logging
import time

from flask import current_app

from api.feed_webhooks import FeedWebhooks
from api.runtime import Runtime
from engine.app.notifier import Notifier
from engine.app.sweeper import Sweeper

log = logging.getLogger(__name__)


class Workers:
    def __init__(
        self, runtime: Runtime, *, sweep_interval: float = 2.0, notify_interval: float = 1.0
    ) -> None:
        self.runtime = runtime
        self.sweeper = Sweeper(runtime.service, interval=sweep_interval)
        self.notifier = Notifier(runtime.store, runtime.routing, interval=notify_interval)
        self.feed_webhooks = FeedWebhooks(runtime, interval=notify_interval)

    def start(self) -> None:
        # Published only once started: a readiness probe between the two would read a sweeper
        # not yet running as "stopped" (a worker taking over answered 503 for a moment).
        self.sweeper.start()
        self.notifier.start()
        self.feed_webhooks.start()
        self.runtime.workers = self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both, waiting `timeout` seconds in all for them to finish what they do (their
        threads are daemons: one still busy then ends with the process; a sweep commits batch
        by batch and a claimed notification is delivered again after its lease)."""
        deadline = time.monotonic() + timeout
        for worker in (self.sweeper, self.notifier, self.feed_webhooks):
            worker.stop(max(0.0, deadline - time.monotonic()))
        self.runtime.workers = None

    def wake_notifier(self) -> None:
        self.notifier.wake()
        self.feed_webhooks.wake()


def wake_notifier() -> None:
    workers = current_app.extensions["sop"].workers
    if workers is not None:
        workers.wake_notifier()
