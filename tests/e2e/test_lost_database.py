"""Delete the SQLite file under a running server while clients post: no write sent after the
deletion is acknowledged (each answers 503), readiness fails, a restart on the lost database
is refused in one line, and the copy the server saved holds every write it acknowledged."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any

from tests.api.journey import SOP
from tests.e2e.conftest import Server, http
from tests.support.seed import OTHER_CHANNEL

CLIENTS = 3


class Client(threading.Thread):
    """Opens tickets and accepts each, recording every write: when it was sent, its answer."""

    def __init__(self, server: Server, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.server, self.stop = server, stop
        self.writes: list[tuple[float, int, str | None]] = []  # (sent at, status, ticket id)

    def send(self, path: str, body: dict[str, Any], ticket_id: str | None = None) -> Any:
        sent = time.monotonic()
        reply = http(self.server.base, "POST", path, body, {})
        if reply.status == 201:
            ticket_id = reply.body["id"]
        self.writes.append((sent, reply.status, ticket_id))
        return reply

    def run(self) -> None:
        while not self.stop.is_set():
            made = self.send("/v1/tickets", {"sop": SOP, "fields": OTHER_CHANNEL})
            if made.status == 201:
                event = {"type": "accept", "actor": "staff", "data": {}}
                self.send(f"/v1/tickets/{made.body['id']}/events", event, made.body["id"])


def sop_serve(server: Server, *extra: str) -> subprocess.CompletedProcess[str]:
    """`sop serve` on the server's data folder, run to its end (a refusal), output captured."""
    cmd = [sys.executable, "-c", "from engine.cli import main; main()", "serve", "--dev",
           "--port", "0", "--data-dir", str(server.data_dir), *extra]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SOP_INIT")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)


def test_no_write_is_acknowledged_after_the_database_file_is_deleted(make_server: Any) -> None:
    first: Server = make_server().start()
    stop = threading.Event()
    clients = [Client(first, stop) for _ in range(CLIENTS)]
    for c in clients:
        c.start()
    while sum(s == 201 for c in clients for _, s, _ in c.writes) < 10:
        time.sleep(0.02)
    (first.data_dir / "sop.db").unlink()
    deleted = time.monotonic()
    time.sleep(1.5)
    stop.set()
    for c in clients:
        c.join(15)
    writes = [w for c in clients for w in c.writes]
    after = [status for sent, status, _ in writes if sent > deleted]
    assert after and set(after) == {503}, after  # every write sent after it: refused

    ready = http(first.base, "GET", "/v1/health/ready", None, {})
    assert ready.status == 503 and "database" in ready.body["failing"]
    assert http(first.base, "GET", "/v1/health", None, {}).status == 503
    first.stop()

    refused = sop_serve(first)
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"Error: the data folder {first.data_dir} held a store but its database")
    assert "restore it from a backup (the server saved what it held to sop.db.rescued-" in line
    assert not (first.data_dir / "sop.db").exists()

    (rescued,) = first.data_dir.glob("sop.db.rescued-*")
    rescued.rename(first.data_dir / "sop.db")
    second: Server = make_server(data_dir=first.data_dir).start()
    api = second.journey()
    created = {t for _, status, t in writes if status == 201}
    accepted = {t for _, status, t in writes if status == 200}
    for ticket_id in created:  # every acknowledged write is there (a 503 may be, or not)
        ticket = api.ticket(ticket_id)
        assert ticket["version"] >= (2 if ticket_id in accepted else 1), ticket
    listed = api.call("GET", "/v1/tickets?limit=500").body["items"]
    assert {t["id"] for t in listed} >= created


def test_init_begins_an_empty_store_where_the_database_was_lost(make_server: Any) -> None:
    first: Server = make_server().start()
    first.journey().create()
    first.stop()
    (first.data_dir / "sop.db").unlink()
    second: Server = make_server(data_dir=first.data_dir)
    second.env["SOP_INIT"] = "1"  # as gunicorn would be told, through the environment
    second.start()
    assert second.journey().call("GET", "/v1/tickets").body["items"] == []
    assert "--init: beginning an empty store" in second.tail()
