"""/v1/health/live, /v1/health/ready and /v1/health tell the truth: not ready (503, the
failing checks named) when the database file is gone, the disk is below the threshold, or the
sweeper stopped passing; a write on a lost or full store is a 503 problem, never a 500."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from api.workers import Workers
from tests.api.conftest import TOKENS, make_app
from tests.support.seed import OTHER_CHANNEL

ADMIN = {"Authorization": f"Bearer {TOKENS['root'][0]}"}
NEW = {"sop": "surabaya-complaints", "fields": OTHER_CHANNEL, "actor": "staff"}


def create(client: FlaskClient) -> Any:
    return client.post("/v1/tickets", json=NEW, headers=ADMIN)


def test_a_ready_server_says_so_check_by_check(client: FlaskClient) -> None:
    assert client.get("/v1/health/live").get_json() == {"status": "ok"}
    ready = client.get("/v1/health/ready")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ready" and body["failing"] == []
    assert list(body["checks"]) == ["database", "migrations", "sweeper", "disk"]
    assert body["checks"]["sweeper"] == {
        "ok": True,
        "detail": "not run by this process",
        "required": True,
    }
    assert client.get("/v1/health").get_json()["failing"] == []


def test_a_removed_database_file_fails_ready_and_health_and_refuses_writes(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    assert create(client).status_code == 201
    (tmp_path / "sop.db").unlink()
    refused = create(client)
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["code"] == "store_unavailable"
    assert "removed or replaced" in refused.get_json()["detail"]
    assert str(tmp_path) not in refused.get_data(as_text=True)  # the path is for the log
    time.sleep(1.1)  # past the readiness answer kept for a second
    ready = client.get("/v1/health/ready")
    assert ready.status_code == 503
    assert ready.get_json()["status"] == "not_ready"
    assert ready.get_json()["failing"] == ["database", "migrations"]
    health = client.get("/v1/health")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    assert {"version", "now", "clock", "database", "sops"} <= set(health.get_json())
    assert client.get("/v1/health/live").status_code == 200  # the process still answers
    app.extensions["sop"].close()


def test_free_disk_below_the_threshold_is_not_ready(tmp_path: Path) -> None:
    app = make_app(tmp_path, SOP_READY_MIN_FREE_MB=10**12)  # an exabyte: never there
    client = app.test_client()
    ready = client.get("/v1/health/ready")
    assert ready.status_code == 503
    assert ready.get_json()["failing"] == ["disk"]
    assert (
        "MB free (at least 1,000,000,000,000 MB needed)"
        in (ready.get_json()["checks"]["disk"]["detail"])
    )
    assert client.get("/v1/health").status_code == 503
    app.extensions["sop"].close()


def test_a_sweeper_stuck_in_a_pass_makes_the_server_not_ready(tmp_path: Path) -> None:
    app: Flask = make_app(tmp_path, SOP_READY_SWEEP_AGE=0.5)
    runtime = app.extensions["sop"]
    release = threading.Event()
    passes = runtime.service.sweep

    def stuck(*args: Any, **kwargs: Any) -> int:
        release.wait(10)
        return passes(*args, **kwargs)

    runtime.service.sweep = stuck
    workers = Workers(runtime, sweep_interval=0.05)
    workers.start()
    client = app.test_client()
    try:
        time.sleep(1.2)
        ready = client.get("/v1/health/ready")
        assert ready.status_code == 503
        assert ready.get_json()["failing"] == ["sweeper"]
        assert ready.get_json()["checks"]["sweeper"]["detail"].startswith("no pass finished for")
        release.set()
        time.sleep(1.2)
        assert client.get("/v1/health/ready").status_code == 200
    finally:
        release.set()
        workers.stop()
        runtime.close()


def test_a_process_taking_over_the_sweeper_stays_ready_while_it_starts(tmp_path: Path) -> None:
    # A gunicorn worker that takes the background lock starts the sweeper while it answers
    # requests: a probe in between must not read the sweeper as stopped (503 for a moment).
    app: Flask = make_app(tmp_path)
    runtime = app.extensions["sop"]
    workers = Workers(runtime, sweep_interval=0.05)
    client = app.test_client()
    during: list[int] = []
    start = workers.sweeper.start

    def probe_then_start() -> None:
        during.append(client.get("/v1/health/ready").status_code)
        start()

    workers.sweeper.start = probe_then_start  # type: ignore[method-assign]
    try:
        workers.start()
        assert during == [200]
        assert runtime.workers is workers
    finally:
        workers.stop()
        runtime.close()


def test_a_full_database_answers_503_and_stores_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    assert create(client).status_code == 201
    store = app.extensions["sop"].store
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(store.engine, "connect")
    def _full(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    answers = [create(client).status_code for _ in range(200)]  # until the pages run out
    assert 503 in answers and set(answers) == {201, 503}, answers
    listed = client.get("/v1/tickets", headers=ADMIN, query_string={"limit": 500}).get_json()
    assert len(listed["items"]) == 1 + answers.count(201)
    refused = create(client)
    assert "database or disk is full" in refused.get_json()["detail"]
    app.extensions["sop"].close()


def test_the_ready_routes_document_their_503_report(client: FlaskClient) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    for path, schema in (("/v1/health/ready", "Ready"), ("/v1/health", "Health")):
        unavailable = doc["paths"][path]["get"]["responses"]["503"]
        assert unavailable["content"] == {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        }
    tickets = doc["paths"]["/v1/tickets"]["post"]["responses"]["503"]
    assert tickets["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
