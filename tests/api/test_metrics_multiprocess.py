"""Several worker processes (PROMETHEUS_MULTIPROC_DIR): each counts in its own files, a scrape
by any process sums them, and a worker that exited (`worker_exited`) keeps its counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import MULTIPROC_ENV, worker_exited

REPO = Path(__file__).resolve().parents[2]
# A worker: counts `n` requests on one route and one accepted event, then exits.
WORKER = """
import os, sys
from api.metrics import Metrics
m = Metrics()
for _ in range(int(sys.argv[1])):
    m.observe("GET", "/v1/tickets/<ticket_id>", 200, 0.01)
m.accepted("an-sop", "created")
print(os.getpid())
"""


def run_worker(folder: Path, n: int) -> int:
    env = {**os.environ, MULTIPROC_ENV: str(folder), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(n)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout.strip())


def counted(app: Flask) -> dict[str, float]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "sop_http_requests_total" and s.labels["status"] == "200":
                out["requests"] = out.get("requests", 0) + s.value
            if s.name == "sop_events_accepted_total":
                out["events"] = out.get("events", 0) + s.value
            if s.name == "sop_store_gauges_ok":
                out["gauges_ok"] = s.value
    return out


def test_a_scrape_sums_every_workers_counts(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    first = run_worker(folder, 7)
    second = run_worker(folder, 5)
    assert first != second
    assert len(list(folder.glob("*.db"))) >= 2  # each process its own files

    monkeypatch.setenv(MULTIPROC_ENV, str(folder))
    before = counted(app)
    assert before["requests"] == 12
    assert before["events"] == 2
    assert before["gauges_ok"] == 1  # the store's gauges, read by the scraping process once

    worker_exited(first)
    worker_exited(second)
    assert counted(app) == before
