"""SIGKILL the server while clients post events, restart it on the same data folder: every
acknowledged event is there, deadlines still fire, and no notification is delivered twice. On
SQLite and on PostgreSQL (SOP_TEST_DATABASE_URL), where the three clients' transactions commit
side by side (PostgreSQL flushes their log together): an answer is sent only after its commit."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.journey import WALK, HttpError, Journey
from tests.e2e.conftest import Receiver, Server, pg_schema_url

CLIENTS = 3


class Client(threading.Thread):
    """Opens tickets and walks them until the server stops answering."""

    def __init__(self, api: Journey) -> None:
        super().__init__(daemon=True)
        self.api = api
        self.acked: list[tuple[str, int, str]] = []  # (ticket id, version, event) answered 2xx
        self.unexpected: list[str] = []

    def run(self) -> None:
        try:
            while True:
                ticket = self.api.create()
                self.acked.append((ticket["id"], ticket["version"], "created"))
                for type_, actor, data in WALK:
                    done = self.api.post(ticket["id"], type_, actor, data)
                    self.acked.append((ticket["id"], done["version"], type_))
        except (OSError, http.client.HTTPException):
            return  # the server is gone: refused, reset, cut off or timed out
        except HttpError as exc:
            self.unexpected.append(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_args(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The servers' store: the data folder's SQLite file, or a fresh PostgreSQL schema (made
    before the servers and dropped after them: the test names this fixture first)."""
    if request.param == "sqlite":
        yield []
        return
    with pg_schema_url("sop_crash") as at:
        yield ["--database-url", at]


def test_killed_server_keeps_acknowledged_events_and_fires_deadlines_after_restart(
    store_args: list[str], make_server: Any, receiver: Receiver
) -> None:
    first: Server = make_server(receiver, args=store_args).start()
    api = first.journey()
    sleeper = api.create()["id"]  # waits at step 8 (24 hours) across the crash
    api.to_authority_check(sleeper)
    api.post(sleeper, "within_authority", "staff")
    api.post(sleeper, "routed", "staff")

    clients = [Client(first.journey()) for _ in range(CLIENTS)]
    for c in clients:
        c.start()
    deadline = time.monotonic() + 10
    while sum(len(c.acked) for c in clients) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.kill()
    for c in clients:
        c.join(15)
    acked = [a for c in clients for a in c.acked]
    assert not [u for c in clients for u in c.unexpected]
    assert len(acked) >= 60

    second: Server = make_server(receiver, data_dir=first.data_dir, args=store_args).start()
    api = second.journey()
    timelines: dict[str, set[tuple[int, str]]] = {}
    for ticket_id, version, event in acked:
        if ticket_id not in timelines:
            timelines[ticket_id] = {(e["version"], e["event"]) for e in api.timeline(ticket_id)}
        assert (version, event) in timelines[ticket_id], (ticket_id, version, event)

    assert api.ticket(sleeper)["overdue"] is False
    api.advance("2 calendar days")
    late = api.ticket(sleeper)
    assert late["overdue"] is True and late["step"]["number"] == 8
    assert "deadline" in [e["event"] for e in api.timeline(sleeper)]
    receiver.wait_for(
        lambda got: any(
            r.json["ticket_id"] == sleeper and r.json["template"] == "remind_first_response"
            for r in got
        )
    )

    ids = Counter(r.json["id"] for r in receiver.items())
    assert [i for i, n in ids.items() if n > 1] == []
    assert set(ids) <= {n["id"] for n in api.notifications()}
