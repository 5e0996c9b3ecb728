"""The work queue's store queries (engine.store.work) and `my_work` (engine.app.work), on each
backend: which open tickets wait at the given (SOP, step) pairs in a scope, in what order, the
counts per step in one GROUP BY, and the search."""

from __future__ import annotations

from datetime import timedelta

from engine.app.service import TicketService
from engine.app.work import my_work, waits_on, work_steps
from engine.core.clock import ManualClock
from tests.support.seed import ROUTING

SOP = "surabaya-complaints"


def routed(service: TicketService, new, agency: str, **extra) -> str:  # type: ignore[no-untyped-def]
    """A ticket at step 8 (performed by the staff, finished by the agency's answer)."""
    ticket = new(**extra).id
    for type_, data in (
        ("accept", {}),
        ("triage", {}),
        ("entered", {**ROUTING, "agency": agency}),
        ("responded", {"response_text": "Kami proses"}),
        ("within_authority", {}),
        ("routed", {}),
    ):
        service.post_event(ticket, type_, "staff", data, user="operator-1")
    return ticket


def test_the_steps_a_person_waits_at_come_from_the_catalog(service: TicketService) -> None:
    spec = service.catalog.get(SOP)
    staff = {s for s in work_steps(service.catalog, ["staff"])[SOP]}
    agency = {s for s in work_steps(service.catalog, ["agency"])[SOP]}
    assert agency == {"await_agency_response", "follow_up"}
    assert {"receive_inquiry", "await_agency_response", "second_notification"} <= staff
    assert "follow_up" not in staff  # the staff may resume it: that finishes nothing
    assert "monev_report" not in work_steps(service.catalog, None)[SOP]  # periodic: no tickets
    assert not waits_on(spec.step("follow_up"), ["reporter"])
    assert work_steps(service.catalog, []) == {}


def test_the_store_lists_overdue_first_then_by_due_and_counts_per_step(
    service: TicketService, new, clock: ManualClock
) -> None:
    first = new().id
    clock.advance(timedelta(hours=1))
    second = new().id
    clock.advance(timedelta(hours=1))
    service.post_event(first, "accept", "staff", {}, user="operator-1")  # due a day from now
    steps = {SOP: {"receive_inquiry", "monitor_channels"}}
    with service.store.read() as tx:
        found = tx.work_items(now=clock.now(), steps=steps)
        assert [t.id for t, _ in found] == [second, first]
        assert tx.work_counts(now=clock.now(), steps=steps) == {
            (SOP, "receive_inquiry"): {"open": 1, "late": 0},
            (SOP, "monitor_channels"): {"open": 1, "late": 0},
        }
        assert tx.work_items(now=clock.now(), steps={SOP: {"monitor_channels"}})[0][0].id == first
        assert tx.work_items(now=clock.now(), steps={SOP: set()}) == []
        assert tx.work_items(now=clock.now(), steps={"another-sop": {"receive_inquiry"}}) == []

    # A day later the second is late: it comes first, whether or not a sweep removed its
    # deadline (the first's limit, later, has not passed).
    later = clock.now() + timedelta(days=1) - timedelta(minutes=30)
    with service.store.read() as tx:
        assert [t.id for t, _ in tx.work_items(now=later, steps=steps)] == [second, first]
        counted = tx.work_counts(now=later, steps=steps)
        assert counted[(SOP, "receive_inquiry")] == {"open": 1, "late": 1}
    clock.advance(later - clock.now())
    service.sweep()
    with service.store.read() as tx:
        assert [t.id for t, _ in tx.work_items(now=later, steps=steps)] == [second, first]
        assert [t.id for t, _ in tx.work_items(now=later, steps=steps, limit=1)] == [second]


def test_scope_status_and_search_on_each_backend(service: TicketService, new) -> None:
    mine = routed(service, new, "DSDABM", complaint_text="Trotoar RUSAK di Ketintang")
    theirs = routed(service, new, "DINKES")
    fresh = service.create_ticket(
        SOP, {"channel": "whatsapp"}, actor="staff", user="operator-1", external_ref="WK-9_1%"
    ).id
    agency = dict(actors=["agency"], sees_personal_data=False)
    work = my_work(service, scope={"agency": "DSDABM"}, **agency)  # type: ignore[arg-type]
    assert [r.id for r in work.items] == [mine]
    assert [(c.step, c.number, c.open) for c in work.counts] == [("await_agency_response", 8, 1)]

    staff = dict(actors=["staff"], sees_personal_data=True)
    assert {r.id for r in my_work(service, **staff).items} == {mine, theirs, fresh}  # type: ignore[arg-type]
    assert my_work(service, status="done", **staff).items == []  # type: ignore[arg-type]

    def found(q: str, **who) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(r.id for r in my_work(service, q=q, **who).items)

    assert found(theirs, **staff) == [theirs]
    assert found("WK-9_1%", **staff) == [fresh]
    assert found("rusak di ketintang", **staff) == [mine]  # any letter case, in the stored text
    assert found("wk-9_1", **staff) == []  # no such text; `_` and `%` are not wildcards
    assert found("budi santoso", **staff) == sorted([mine, theirs])  # the reporter's name
    # Without personal-data access only the fields shown whole are searched: not the name, not
    # the complaint's free text (where a masked name could be typed).
    assert found("budi santoso", **agency) == []
    assert found("rusak", **agency) == []
    assert found("whatsapp", **staff) == [fresh]
    assert found("whatsapp", actors=None, sees_personal_data=False) == [fresh]
