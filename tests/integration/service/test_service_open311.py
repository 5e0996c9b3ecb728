"""GET requests' time window and filters over the store, on SQLite and PostgreSQL: a ticket is
found by when it was received (`created`), which a backdated opening puts before tickets whose
ids are older."""

from __future__ import annotations

from datetime import timedelta

from engine.app.open311 import list_requests
from engine.app.service import TicketService
from engine.core.clock import ManualClock
from tests.support.seed import MONDAY, OTHER_CHANNEL

from .conftest import SOP


def _ids(service: TicketService, **filters: object) -> list[str]:
    return [record.id for record, _ in list_requests(service, **filters)]  # type: ignore[arg-type]


def test_requests_are_found_by_receipt_in_scope_and_status(
    service: TicketService, clock: ManualClock
) -> None:
    first = service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="app")
    clock.advance(timedelta(days=1))
    ours = service.create_ticket(
        SOP, {**OTHER_CHANNEL, "agency": "DSDABM"}, actor="staff", user="app"
    )
    backdated = service.create_ticket(
        SOP, dict(OTHER_CHANNEL), actor="staff", user="app", occurred_at=MONDAY - timedelta(days=9)
    )
    assert _ids(service) == [ours.id, first.id, backdated.id]  # newest receipt first
    assert _ids(service, start=MONDAY - timedelta(hours=1)) == [ours.id, first.id]
    assert _ids(service, end=MONDAY - timedelta(days=1)) == [backdated.id]
    assert _ids(service, start=MONDAY, end=MONDAY) == [first.id]  # both ends included
    assert _ids(service, scope={"agency": "DSDABM"}) == [ours.id]
    assert _ids(service, statuses=["closed"]) == []
    assert _ids(service, ids=[backdated.id, "01NOPE", first.id]) == [backdated.id, first.id]
    assert _ids(service, ids=[first.id], scope={"agency": "DSDABM"}) == []
