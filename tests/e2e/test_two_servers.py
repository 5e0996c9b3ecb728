"""Two `sop serve` processes on one PostgreSQL database, both sweeping and notifying, clients
spread over both while many deadlines fall due: no deadline applied twice, no notification sent
twice, no acknowledged event lost, and the log's chains verify.

Runs on the PostgreSQL that SOP_TEST_DATABASE_URL names (a fresh schema per test); skipped,
saying so, without it.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.core.apply import TIMER_EVENTS
from tests.api.journey import WALK, HttpError, Journey, Reply
from tests.e2e.conftest import Receiver, Server, pg_schema_url
from tests.support import groups
from tests.support.seed import MONDAY

TICKETS = 200
CLIENTS = 6
# The seed SOP from intake to closing; ticket n walks the first 3 + n % 8 events of it, so that
# tickets wait in every step (each with its limit, step 8 with a reminder every working day).


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL, as a URL both servers take (search_path)."""
    groups.TWO_SERVERS.require()
    with pg_schema_url("sop_two") as url:
        yield url


class Client(threading.Thread):
    """Opens tickets (`walk` False) or walks them (True), each request to the next server in
    turn; keeps every 2xx answer."""

    def __init__(self, apis: list[Journey], tickets: list[tuple[int, str]]) -> None:
        super().__init__(daemon=True)
        self.apis, self.tickets = apis, tickets
        self.acked: list[tuple[str, int, str]] = []  # (ticket id, version, event)
        self.refused: list[str] = []  # 409: a timer moved the ticket on first (allowed)
        self.unexpected: list[str] = []
        self.calls = 0

    def api(self) -> Journey:
        self.calls += 1
        return self.apis[self.calls % len(self.apis)]

    def run(self) -> None:
        try:
            for n, ticket_id in self.tickets:
                if not ticket_id:
                    ticket = self.api().create()
                    self.acked.append((ticket["id"], ticket["version"], "created"))
                    continue
                for type_, actor, data in WALK[: 3 + n % 8]:
                    path = f"/v1/tickets/{ticket_id}/events"
                    body = {"type": type_, "actor": actor, "data": data}
                    reply = self.api().call("POST", path, body, expect=None)
                    if reply.status == 409:
                        self.refused.append(f"{ticket_id} {type_}: {reply.body}")
                        break
                    if reply.status != 200:
                        raise HttpError(f"{type_} -> {reply.status}: {reply.body}")
                    self.acked.append((ticket_id, reply.body["ticket"]["version"], type_))
        except (OSError, http.client.HTTPException, HttpError) as exc:
            self.unexpected.append(f"{type(exc).__name__}: {exc}")


def _run(clients: list[Client]) -> list[Client]:
    for c in clients:
        c.start()
    return clients


def _move_clocks(apis: list[Journey], hours: int) -> list[Reply]:
    """Set every server's manual clock to MONDAY + hours at once (each move sweeps)."""
    when = (MONDAY + timedelta(hours=hours)).isoformat()
    replies: list[Any] = [None] * len(apis)

    def move(i: int) -> None:
        replies[i] = apis[i].call("POST", "/v1/clock", {"set": when}, expect=None)

    threads = [threading.Thread(target=move, args=(i,)) for i in range(len(apis))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return replies


def test_two_servers_share_one_database_without_doubles_or_losses(
    make_server: Any, receiver: Receiver, pg_url: str, tmp_path: Path
) -> None:
    args = ["--database-url", pg_url]
    servers: list[Server] = [
        make_server(receiver, data_dir=tmp_path / name, args=args).start() for name in ("a", "b")
    ]
    apis = [s.journey() for s in servers]

    opening = _run(
        [Client(apis, [(n, "") for n in range(i, TICKETS, CLIENTS)]) for i in range(CLIENTS)]
    )
    for c in opening:
        c.join(120)
    opened = sorted(t for c in opening for t, _, _ in c.acked)
    assert len(opened) == TICKETS, [u for c in opening for u in c.unexpected]
    # The tickets are walked while the clocks move two hours at a time (each move sweeps, and
    # so does each server every 0.3 s): sweeps and events meet on the same tickets.
    clients = _run([Client(apis, list(enumerate(opened))[i::CLIENTS]) for i in range(CLIENTS)])
    moves: list[Reply] = []
    hours = 0
    while any(c.is_alive() for c in clients) and hours < 2000:
        hours += 2
        moves += _move_clocks(apis, hours)
    for c in clients:
        c.join(300)
    for more in (24, 48, 72):  # then three days more: every waiting step falls due
        moves += _move_clocks(apis, hours + more)
    # ... and past the month's end: both servers run the monthly periodic step at once.
    moves += _move_clocks(apis, 28 * 24)
    clients += opening
    assert [u for c in clients for u in c.unexpected] == []
    assert [m.status for m in moves if m.status != 200] == []
    acked = [a for c in clients for a in c.acked]
    tickets = sorted({t for t, _, _ in acked})
    assert len(tickets) == TICKETS

    applied = 0
    for n, ticket_id in enumerate(tickets):
        api = apis[n % len(apis)]
        timeline = api.timeline(ticket_id)
        logged = {(e["version"], e["event"]) for e in timeline}
        lost = [(v, e) for t, v, e in acked if t == ticket_id and (v, e) not in logged]
        assert lost == [], f"{ticket_id}: acknowledged but not in the log"
        versions = [e["version"] for e in timeline]
        assert versions == sorted(versions), f"{ticket_id}: versions out of order"
        assert api.ticket(ticket_id)["version"] == versions[-1]
        timers = [
            (e["event"], e["at"], e.get("from_state"), str(e.get("data")))
            for e in timeline
            if e["event"] in TIMER_EVENTS
        ]
        applied += len(timers)
        twice = [k for k, times in Counter(timers).items() if times > 1]
        assert twice == [], f"{ticket_id}: a deadline applied twice"
    assert applied >= TICKETS, "the clock moves made deadlines fall due"

    notes = apis[0].notifications()
    queued = {n["id"] for n in notes}
    # the month's report, queued by whichever server ran the period first, and only once
    assert Counter(n["template"] for n in notes)["monev_report"] == 1
    got = receiver.wait_for(lambda items: {r.json["id"] for r in items} >= queued, 90)
    sent = Counter(r.json["id"] for r in got)
    assert [i for i, times in sent.items() if times > 1] == []

    # Neither server failed a sweep, a delivery or a request (a deadlock, a lost lease...).
    logged = (tmp_path / "server.log").read_text(errors="replace").splitlines()
    failures = [
        line
        for line in logged
        if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
    ]
    assert failures == []

    for api in apis:
        report = api.call("GET", "/v1/audit/verify").body
        assert report["ok"] is True, report
