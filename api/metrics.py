"""Prometheus metrics, served at /metrics (api.views.metrics); docs/operations.md lists them.

    metrics = Metrics()                 # create_app: one per app, its own registry
    install(app, metrics)               # counts every request by route and status
    body = scrape(metrics, runtime)     # the exposition text, store gauges read now
    worker_exited(pid)                  # gunicorn's child_exit hook (several workers)

Counters and histograms are counted where things happen: requests in this module's hooks,
events through `TicketService.listeners` (the engine imports no prometheus). Gauges of the
store (open tickets per SOP and step, deadlines due, the sweeper's lag, the outbox) are read
from the database at scrape time by the process that answers the scrape, once per scrape
(`StoreGauges`), never kept per worker.

Several worker processes: when PROMETHEUS_MULTIPROC_DIR names a folder (fresh and empty at
each start; `sop serve` makes one before forking its workers), each process writes its counts
to files there and a scrape sums every process's files (prometheus_client's
MultiProcessCollector). A worker that exits keeps its counts in the sum; `worker_exited(pid)`
lets go of what only a live process means.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Flask, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector
from werkzeug.wrappers import Response

from engine.app.gauges import read_gauges, sweep_lag

if TYPE_CHECKING:
    from api.runtime import Runtime

__all__ = ["CONTENT_TYPE", "Metrics", "install", "scrape", "worker_exited"]

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # the text format every Prometheus version reads
UNMATCHED = "unmatched"  # a path no route answers (a 404): one label, whatever was asked
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; from a health probe (~1 ms) to a long clock move or report (seconds).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The counters of one app. Also an `engine.app.listeners.EventListener`."""

    def __init__(self) -> None:
        _follow_environment()
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "sop_http_requests",
            "HTTP requests answered, by method, route (the URL rule) and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sop_http_request_duration_seconds",
            "Time from the request reaching the app to its answer, by method and route.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.accepted_events = Counter(
            "sop_events_accepted",
            "Events written (openings as `created`), by SOP and event type; replayed "
            "idempotent retries are not counted.",
            ["sop", "event"],
            registry=self.registry,
        )
        self.refused_events = Counter(
            "sop_events_refused",
            "Events refused, by SOP, event type and reason (the problem code).",
            ["sop", "event", "reason"],
            registry=self.registry,
        )

    def accepted(self, sop_id: str, event: str) -> None:
        self.accepted_events.labels(sop_id, event).inc()

    def refused(self, sop_id: str, event: str, code: str) -> None:
        self.refused_events.labels(sop_id, event, code).inc()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def _follow_environment() -> None:
    """prometheus_client picks file-backed or in-memory values when it is first imported;
    follow PROMETHEUS_MULTIPROC_DIR as it is when the app is built instead, so a server that
    sets it after importing the API (but before building the app) still counts in files.
    No `_created` series: a second series per counter that no dashboard here reads."""
    disable_created_metrics()
    wanted = values.get_value_class()
    if getattr(wanted, "_multiprocess", False) != getattr(values.ValueClass, "_multiprocess", 0):
        values.ValueClass = wanted


class StoreGauges(Collector):
    """The store's gauges, read when collected (once per scrape)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.runtime.clock.now()
        started = time.perf_counter()
        try:
            gauges = read_gauges(self.runtime.store, now)
        except Exception as exc:  # a scrape answers even with the database down
            log.warning("metrics: cannot read the store's gauges: %s", exc)
            yield _gauge("sop_store_gauges_ok", "1 when the store's gauges were read.", 0)
            return
        yield _gauge("sop_store_gauges_ok", "1 when the store's gauges were read.", 1)
        yield _gauge(
            "sop_store_gauges_seconds",
            "Time this scrape took to read the store's gauges.",
            time.perf_counter() - started,
        )
        tickets = GaugeMetricFamily(
            "sop_tickets_open",
            "Tickets still in their SOP, by SOP and step.",
            labels=["sop", "step"],
        )
        for sop_id, step, count in gauges.open_tickets:
            tickets.add_metric([sop_id, step], count)
        yield tickets
        yield _gauge(
            "sop_deadlines_due",
            "Deadlines (time limits, timers) due now and not yet applied by the sweeper.",
            gauges.deadlines_due,
        )
        yield _gauge(
            "sop_sweep_lag_seconds",
            "Age of the oldest deadline due and not yet applied (0: none waits).",
            sweep_lag(gauges, now),
        )
        yield _gauge(
            "sop_outbox_pending", "Notifications waiting to be delivered.", gauges.outbox_pending
        )
        yield _gauge(
            "sop_outbox_retrying",
            "Notifications waiting after at least one failed delivery attempt.",
            gauges.outbox_retrying,
        )
        yield _gauge(
            "sop_outbox_dead",
            "Dead letters: notifications whose last attempt failed.",
            gauges.outbox_dead,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def install(app: Flask, metrics: Metrics) -> None:
    """Count every request the app answers, by its URL rule (not the raw path: one series per
    route, whatever ids it names)."""

    def begin() -> None:
        g.metrics_started = time.perf_counter()

    def finish(resp: Response) -> Response:
        started = g.get("metrics_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        rule = request.url_rule
        metrics.observe(request.method, rule.rule if rule else UNMATCHED, resp.status_code, seconds)
        return resp

    app.before_request_funcs.setdefault(None, []).insert(0, begin)
    app.after_request(finish)


def scrape(metrics: Metrics, runtime: Runtime) -> bytes:
    """The exposition text: the counters (every worker's, summed, in multiprocess mode) and
    the store's gauges, read now."""
    if multiprocess_dir():
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = metrics.registry
    gauges = CollectorRegistry()
    gauges.register(StoreGauges(runtime))
    return generate_latest(counted) + generate_latest(gauges)


def worker_exited(pid: int) -> None:
    """Call from gunicorn's `child_exit(server, worker)` hook with `worker.pid`: the exited
    worker's counts stay in the sum; what only a live process means is let go."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)
