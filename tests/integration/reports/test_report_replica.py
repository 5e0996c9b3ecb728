"""The monev report read from a replica (SOP_REPORTS_DATABASE_URL, `sop report monev
--reports-database-url`): its figures come from that database; while it is down the report
answers 503 reports_unavailable and the rest of the service, readiness included, works."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from engine.app.service import TicketService
from engine.cli import main
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog
from engine.store import Store
from engine.store.database import sqlite_url
from tests.api.conftest import TOKENS, make_app
from tests.integration.conftest import Database
from tests.support.seed import MONDAY, OTHER_CHANNEL

SOP = "surabaya-complaints"
JAN = f"sop={SOP}&from=2025-01-01&to=2025-02-01"
ROOT_TOKEN = {"Authorization": f"Bearer {TOKENS['root'][0]}"}


def _open_tickets(service: TicketService, count: int) -> None:
    for _ in range(count):
        service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="operator-1")


def _received(app: Flask) -> int:
    resp = app.test_client().get(f"/v1/reports/monev?{JAN}", headers=ROOT_TOKEN)
    assert resp.status_code == 200, resp.get_json()
    return int(resp.get_json()["total"]["tickets_received"])


def test_the_report_reads_the_replica_when_one_is_set(
    database: Database, tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOP_REPORTS_DATABASE_URL", raising=False)
    database.open().close()  # the primary's schema, migrated
    replica_url = sqlite_url(tmp_path / "replica" / "sop.db")
    replica = Store.open(replica_url)  # another database: its figures say which was read
    _open_tickets(TicketService(catalog, replica, ManualClock(MONDAY)), 1)
    replica.close()

    app = make_app(
        tmp_path / "primary",
        SOP_DATABASE_URL=database.reader_url,
        SOP_REPORTS_DATABASE_URL=replica_url,
    )
    rt = app.extensions["sop"]
    try:
        _open_tickets(rt.service, 3)
        assert _received(app) == 1
        ready = app.test_client().get("/v1/health/ready").get_json()
        assert ready["checks"]["reports_database"] == {
            "ok": True,
            "detail": "the reports database answers",
            "required": False,
        }
    finally:
        rt.close()

    args = ["report", "monev", "--database-url", database.reader_url, "--format", "json"]
    args += ["--from", "2025-01-01", "--to", "2025-02-01"]
    runner = CliRunner()
    for extra, received in (([], 3), (["--reports-database-url", replica_url], 1)):
        out = runner.invoke(main, [*args, *extra])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["total"]["tickets_received"] == received


@pytest.mark.parametrize("down", ["sqlite file missing", "postgresql refused"])
def test_a_replica_that_is_down_fails_the_report_alone(tmp_path: Path, down: str) -> None:
    gone = tmp_path / "replica" / "sop.db"
    url = sqlite_url(gone) if down.startswith("sqlite") else "postgresql://127.0.0.1:1/sop"
    app = make_app(tmp_path / "primary", SOP_REPORTS_DATABASE_URL=url)
    rt = app.extensions["sop"]
    client = app.test_client()
    try:
        _open_tickets(rt.service, 2)
        resp = client.get(f"/v1/reports/monev?{JAN}", headers=ROOT_TOKEN)
        assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
        assert resp.get_json()["code"] == "reports_unavailable"
        assert url not in resp.get_data(as_text=True)  # no host or path in a public answer
        assert client.get("/v1/tickets", headers=ROOT_TOKEN).status_code == 200
        ready = client.get("/v1/health/ready")
        assert ready.status_code == 200 and ready.get_json()["failing"] == []
        assert ready.get_json()["checks"]["reports_database"]["ok"] is False
        assert client.get("/v1/health").status_code == 200
        if down.startswith("sqlite"):  # the replica comes back: the next report reads it
            gone.parent.mkdir()
            with sqlite3.connect(rt.store.path) as src, sqlite3.connect(gone) as dst:
                src.backup(dst)
            assert _received(app) == 2
    finally:
        rt.close()
