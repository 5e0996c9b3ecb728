"""What a running API holds: the SOP catalog, the store, the ticket service, the clock and the
tokens, built once from the settings by `api.bootstrap.build_runtime` and shared by every
request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.auth import TokenRegistry
from engine.app.notifier import Routing
from engine.app.service import TicketService
from engine.core.clock import Clock, ManualClock
from engine.spec.catalog import Catalog
from engine.store import Store


@dataclass
class Runtime:
    catalog: Catalog
    store: Store
    service: TicketService
    clock: Clock
    manual_clock: ManualClock | None
    tokens: TokenRegistry | None  # None: dev mode, no authentication
    settings: Mapping[str, Any]
    routing: Routing
    workers: Any = None  # api.workers.Workers while `sop serve` runs them

    @property
    def dialect(self) -> str:
        return self.store.dialect

    def close(self) -> None:
        self.store.close()
