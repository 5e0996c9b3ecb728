"""Many threads on one ticket (and several sweepers at once): no lost update, nothing twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import partial

import pytest

from engine.app.service import TicketService
from engine.errors import Conflict, TicketError
from tests.support.seed import OTHER_CHANNEL

from .conftest import SOP
from .test_service_tickets import to_routing

THREADS = 6


def run_threads(target, n: int = THREADS) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def wrapped(i: int) -> None:
        try:
            barrier.wait(10)
            target(i)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    pool = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    return errors


def test_threads_racing_to_post_one_step_apply_it_once(service: TicketService, new):
    made = new()
    won: list[int] = []
    refused: list[int] = []

    def post(i: int) -> None:
        try:
            service.post_event(made.id, "accept", "staff", {}, user=f"user-{i}")
            won.append(i)
        except TicketError:
            refused.append(i)

    assert run_threads(post) == []
    assert len(won) == 1 and len(refused) == THREADS - 1
    events = [e["event"] for e in service.timeline(made.id)]
    assert events == ["created", "accept"]


def test_threads_posting_to_one_ticket_lose_no_update(service: TicketService, new):
    """Each thread pauses the step if it runs and resumes it if paused. Every accepted event
    must be in the log, and they must alternate: a decision made on a stale ticket would put
    two pauses (or two resumes) in a row."""
    made = new()
    to_routing(service, made.id)
    service.post_event(made.id, "agency_responded", "agency", {}, user=None)
    start = service.get_ticket(made.id)
    logged_before = len(service.timeline(made.id))
    accepted: list[str] = []
    rounds = 8

    def toggle(i: int) -> None:
        for _ in range(rounds):
            record = service.get_ticket(made.id)
            try:
                if record.ticket.active.paused_at is None:
                    service.post_event(
                        made.id, "info_requested", "agency", {"info_request": f"t{i}"}, user=None
                    )
                    accepted.append("info_requested")
                else:
                    service.post_event(made.id, "info_provided", "staff", {}, user=None)
                    accepted.append("info_provided")
            except TicketError:
                pass  # another thread toggled first; this decision was made on fresh state

    assert run_threads(toggle) == []
    timeline = service.timeline(made.id)
    toggles = [e["event"] for e in timeline[logged_before:]]
    assert len(accepted) >= rounds  # every round lets at least one thread through
    assert sorted(toggles) == sorted(accepted)  # every acknowledged event is logged, once
    assert all(a != b for a, b in zip(toggles, toggles[1:], strict=False))
    final = service.get_ticket(made.id)
    assert final.version == start.version + len(accepted)
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    versions = [e["version"] for e in timeline]
    assert versions == sorted(versions) and len(set(versions[-len(accepted) :])) == len(accepted)


def test_several_sweepers_at_once_apply_each_deadline_once(service: TicketService, new, clock):
    made = [new().id for _ in range(12)]
    clock.advance(timedelta(days=2))
    applied: list[int] = []
    assert run_threads(lambda i: applied.append(service.sweep()), n=3) == []
    assert sum(applied) == len(made)
    for ticket_id in made:
        events = [e["event"] for e in service.timeline(ticket_id)]
        assert events == ["created", "deadline"]
    assert service.sweep() == 0


AT_ONCE = 16  # requests with one Idempotency-Key at a time (a client retrying hard, a proxy)
KEY_ROUNDS = 8


def same_key_at_once(call) -> tuple[list, list[BaseException]]:
    """`call()` in AT_ONCE threads released together: their results, and anything raised."""
    results: list = []
    errors = run_threads(lambda i: results.append(call()), n=AT_ONCE)
    return results, errors


def test_one_key_sent_16_at_a_time_posts_one_event_replayed_to_the_rest(
    service: TicketService, new
):
    """Before: a copy that read the ticket after the winner's commit decided `accept` again on
    the moved ticket and was refused (EventNotAllowed, 409) instead of replayed."""
    for round_ in range(KEY_ROUNDS):
        made = new()
        key = f"accept-{round_}"
        results, errors = same_key_at_once(
            partial(
                service.post_event,
                made.id,
                "accept",
                "staff",
                {},
                user="bridge",
                idempotency_key=key,
            )
        )
        assert errors == []
        assert sorted(r.replayed for r in results) == [False] + [True] * (AT_ONCE - 1)
        assert {(r.ticket.version, r.ticket.state, len(r.log)) for r in results} == {
            (results[0].ticket.version, results[0].ticket.state, len(results[0].log))
        }
        assert [e["event"] for e in service.timeline(made.id)] == ["created", "accept"]
        with pytest.raises(Conflict, match="different request"):
            service.post_event(made.id, "triage", "staff", {}, user="bridge", idempotency_key=key)


def test_one_key_sent_16_at_a_time_opens_one_ticket_replayed_to_the_rest(
    service: TicketService,
):
    before = len(service.list_tickets(limit=500).items)
    for round_ in range(KEY_ROUNDS):
        key = f"open-{round_}"
        results, errors = same_key_at_once(
            partial(
                service.open_ticket,
                SOP,
                OTHER_CHANNEL,
                actor="staff",
                user="bridge",
                idempotency_key=key,
            )
        )
        assert errors == []
        assert sorted(r.replayed for r in results) == [False] + [True] * (AT_ONCE - 1)
        assert len({r.ticket.id for r in results}) == 1
        with pytest.raises(Conflict, match="different request"):
            service.open_ticket(
                SOP, {**OTHER_CHANNEL, "location": "elsewhere"}, actor="staff", user="bridge",
                idempotency_key=key,
            )  # fmt: skip
    assert len(service.list_tickets(limit=500).items) == before + KEY_ROUNDS
