"""External references on the service, on each database: one ticket per source's id, even
when several openings with it race."""

from __future__ import annotations

import threading

import pytest

from engine.app.service import TicketService
from engine.errors import Conflict, InvalidData, NotFound
from tests.support.seed import OTHER_CHANNEL

from .conftest import SOP
from .test_service_concurrency import run_threads


def test_openings_racing_with_one_reference_open_one_ticket(service: TicketService) -> None:
    before = len(service.list_tickets(limit=500).items)
    results, lock = [], threading.Lock()

    def open_(i: int) -> None:
        result = service.open_ticket(
            SOP, OTHER_CHANNEL, actor="staff", user="bridge", refs=[("lapor", "SBY-7")]
        )
        with lock:
            results.append(result)

    assert run_threads(open_) == []
    assert len({r.ticket.id for r in results}) == 1
    assert sorted(r.existing for r in results) == [False] + [True] * (len(results) - 1)
    assert len(service.list_tickets(limit=500).items) == before + 1
    assert service.ticket_by_ref("lapor", "SBY-7").refs == (("lapor", "SBY-7"),)


def test_a_reference_names_one_ticket_and_a_ticket_holds_several(
    service: TicketService, new
) -> None:
    first, second = new(), new()
    record, added = service.add_ref(first.id, "city-app", "A/1")
    assert added and record.refs == (("city-app", "A/1"),)
    assert service.add_ref(first.id, "city-app", "A/1")[1] is False  # a retry
    service.add_ref(first.id, "lapor", "L-1")
    assert service.get_ticket(first.id).refs == (("city-app", "A/1"), ("lapor", "L-1"))
    assert service.get_ticket(first.id).version == first.version  # not an SOP event
    with pytest.raises(Conflict, match="another ticket"):
        service.add_ref(second.id, "lapor", "L-1")
    service.add_ref(second.id, "other-system", "L-1")  # the same id of another source
    assert service.ticket_by_ref("other-system", "L-1").id == second.id
    with pytest.raises(NotFound):
        service.ticket_by_ref("lapor", "nope")


def test_references_of_two_tickets_in_one_opening_are_refused(service: TicketService, new) -> None:
    a, b = new(), new()
    service.add_ref(a.id, "lapor", "1")
    service.add_ref(b.id, "lapor", "2")
    before = len(service.list_tickets(limit=500).items)
    with pytest.raises(Conflict, match="different tickets"):
        service.open_ticket(
            SOP, OTHER_CHANNEL, actor="staff", user="bridge", refs=[("lapor", "1"), ("lapor", "2")]
        )
    assert len(service.list_tickets(limit=500).items) == before


@pytest.mark.parametrize(
    ("refs", "says"),
    [
        ([("la por", "1")], "source"),
        ([("lapor", " 1")], "no spaces"),
        ([("lapor", "x" * 201)], "1 to 200"),
        ([("lapor", "1"), ("lapor", "1")], "twice"),
        ([("s", str(i)) for i in range(11)], "at most 10"),
    ],
)
def test_a_malformed_reference_opens_nothing(
    service: TicketService, refs: list[tuple[str, str]], says: str
) -> None:
    with pytest.raises(InvalidData, match=says):
        service.open_ticket(SOP, OTHER_CHANNEL, actor="staff", user="bridge", refs=refs)
    assert service.list_tickets(limit=500).items == []
