"""A ticket service over the seed SOP on each database backend, with a manual clock."""

from __future__ import annotations

import pytest

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog, load_catalog
from engine.store import Store
from tests.support.seed import MONDAY, ROOT


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "sop", ROOT / "rules")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def service(catalog: Catalog, store: Store, clock: ManualClock) -> TicketService:
    return TicketService(catalog, store, clock)
