"""A ticket service over the seed SOP, on each database backend, with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog, load_catalog
from engine.store import Store
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT

SOP = "surabaya-complaints"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "sop", ROOT / "rules")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def service(catalog: Catalog, store: Store, clock: ManualClock) -> Iterator[TicketService]:
    yield TicketService(catalog, store, clock)


@pytest.fixture
def new(service: TicketService):
    """Open a seed ticket from another channel (as the staff records it)."""

    def make(**fields):
        return service.create_ticket(
            SOP, {**OTHER_CHANNEL, **fields}, actor="staff", user="operator-1"
        )

    return make
