"""The same Idempotency-Key and body sent 16 at a time to a real server: one result, replayed
to all the others, never a 409; on SQLite and on PostgreSQL (SOP_TEST_DATABASE_URL).

Before: a copy that read the ticket after the winner's commit decided the event again on the
moved ticket and was refused, 409 `event_not_allowed` (26 of 480 on SQLite, 79 of 480 on
PostgreSQL in the hardening run)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from tests.api.journey import SOP, Reply
from tests.e2e.conftest import Server, http, pg_schema_url
from tests.support.seed import OTHER_CHANNEL

AT_ONCE = 16
ROUNDS = 30  # 480 requests of each kind, as in the hardening run


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, make_server: Any) -> Iterator[Server]:
    if request.param == "sqlite":
        yield make_server().start()
        return
    with pg_schema_url("sop_e2e") as at:
        started = make_server(args=["--database-url", at])
        try:
            yield started.start()
        finally:
            started.stop()  # before its tables go


def all_at_once(send: Callable[[], Reply]) -> list[Reply]:
    barrier = threading.Barrier(AT_ONCE)
    replies: list[Reply] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait(10)
        reply = send()
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=one) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(replies) == AT_ONCE
    return replies


def answer(reply: Reply) -> str:
    """What the client reads, whether first or replayed (the flag that says which aside)."""
    body = {k: v for k, v in reply.body.items() if k != "replayed"}
    return json.dumps(body, sort_keys=True)


def test_one_key_16_at_a_time_gets_one_result_replayed_to_all(server: Server) -> None:
    api = server.journey()
    statuses: Counter[tuple[str, int]] = Counter()
    for round_ in range(ROUNDS):
        key = {"Idempotency-Key": f"race-{round_}"}
        ticket_id = api.create()["id"]
        accept = {"type": "accept", "actor": "staff", "data": {}}
        path = f"/v1/tickets/{ticket_id}/events"
        posted = all_at_once(partial(http, server.base, "POST", path, accept, key))
        opening = {"sop": SOP, "fields": OTHER_CHANNEL}
        opened = all_at_once(partial(http, server.base, "POST", "/v1/tickets", opening, key))
        for kind, replies in (("event", posted), ("ticket", opened)):
            statuses.update((kind, r.status) for r in replies)
            if {r.status for r in replies} - {200, 201}:
                continue  # counted; the assertion below shows how many
            first = [r for r in replies if r.headers.get("Idempotent-Replayed") != "true"]
            assert len(first) == 1, f"{kind} round {round_}: {len(first)} first answers"
            assert len({answer(r) for r in replies}) == 1, f"{kind} round {round_}"
        assert [e["event"] for e in api.timeline(ticket_id)] == ["created", "accept"]
        assert len({r.body["id"] for r in opened if r.status == 201}) == 1
    assert statuses == {("event", 200): AT_ONCE * ROUNDS, ("ticket", 201): AT_ONCE * ROUNDS}

    # The key with another body is still refused, and changes nothing.
    other = {"type": "triage", "actor": "staff", "data": {}}
    refused = api.call("POST", path, other, {"Idempotency-Key": f"race-{ROUNDS - 1}"}, 409)
    assert refused.body["code"] == "conflict" and "different request" in refused.body["detail"]
    assert [e["event"] for e in api.timeline(ticket_id)] == ["created", "accept"]
    elsewhere = {"sop": SOP, "fields": {**OTHER_CHANNEL, "location": "Jl. Lain 2"}}
    api.call("POST", "/v1/tickets", elsewhere, {"Idempotency-Key": "race-0"}, 409)
