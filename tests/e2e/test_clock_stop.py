"""SIGTERM to a real server during a long clock move: it stops within a couple of seconds,
every transaction committed whole, and the next start carries on where it stopped.

Before: `sop serve` waited out its workers (5 s each) while the move's sweep went on writing,
and a move of any size was accepted (to 9999-12-31: 203k events in two minutes)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from engine.store import Store
from engine.store.database import sqlite_url
from tests.api.journey import Journey, Reply
from tests.e2e.conftest import Server, http
from tests.support.seed import MONDAY

TICKETS = 40  # each reminded once a working day: about 260 events each over 400 days
STOP_WITHIN = 4.0  # seconds from SIGTERM to exit (measured 1-1.5 s; before: 10.9 s)


def routed(api: Journey) -> str:
    ticket_id = api.create()["id"]
    api.to_authority_check(ticket_id)
    api.post(ticket_id, "within_authority", "staff")
    api.post(ticket_id, "routed", "staff")
    return ticket_id


def late_entries(api: Journey, ticket_id: str) -> list[tuple[str, str]]:
    return [(e["event"], e["at"]) for e in api.timeline(ticket_id) if e["event"] != "created"]


def test_sigterm_stops_a_long_clock_move_promptly_and_the_restart_carries_on(
    make_server: Any,
) -> None:
    first: Server = make_server().start()
    api = first.journey()
    made = [routed(api) for _ in range(TICKETS)]
    routed_len = len(api.timeline(made[0]))
    replies: list[Reply | OSError] = []

    def move() -> None:
        try:
            replies.append(http(first.base, "POST", "/v1/clock", {"advance": "400 days"}, {}))
        except OSError as exc:  # the server went away before answering
            replies.append(exc)

    mover = threading.Thread(target=move, daemon=True)
    mover.start()
    deadline = time.monotonic() + 30
    while len(api.timeline(made[0])) == routed_len:  # the move's sweep is under way
        assert time.monotonic() < deadline, "the move's sweep did not start"
        time.sleep(0.02)
    assert first.proc is not None
    stopped = time.monotonic()
    first.proc.terminate()
    first.proc.wait(30)
    took = time.monotonic() - stopped
    mover.join(10)
    assert took < STOP_WITHIN, f"exited {took:.1f}s after SIGTERM"
    assert first.proc.returncode == 0, first.tail()
    (reply,) = replies
    assert isinstance(reply, OSError) or reply.status == 503, reply  # never "all swept"

    store = Store.open_existing(sqlite_url(first.data_dir / "sop.db"))
    with store.read() as tx:
        left_at = sum(len(tx.timeline(t)) for t in made)  # what the stopped move committed
    store.close()

    moved_to = (MONDAY + timedelta(days=400)).isoformat()
    second: Server = make_server(data_dir=first.data_dir).start(clock_start=moved_to)
    api = second.journey()
    # Its sweeper carries on where the stopped one left off; a ticket's catch-up here is one
    # transaction, so each log is either still at step 8's routing or whole.
    deadline = time.monotonic() + 120
    while True:
        logs = [late_entries(api, t) for t in made]
        if all(log == logs[0] for log in logs) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(logs[0]) > 250 and all(log == logs[0] for log in logs)
    assert sum(len(api.timeline(t)) for t in made) > left_at  # it had stopped part-way
    # The chains are whole (a full replay of 40 x 260 entries outlasts the client's timeout)
    verified = api.call("GET", "/v1/audit/verify?chain_only=true").body
    assert verified["ok"] is True and verified["tickets"] == TICKETS
