"""Many threads on one ticket (and several sweepers at once): no lost update, nothing twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from engine.app.service import TicketService
from engine.errors import TicketError

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
