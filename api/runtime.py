"""What a running API holds: the SOP catalog, the store, the ticket service, the clock and the
tokens, built once from the settings by `api.bootstrap.build_runtime` and shared by every
request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.auth import ROLES, TokenRegistry
from api.config import files_dir
from engine.app.accounts import Accounts
from engine.app.background import Background
from engine.app.files import Attachments
from engine.app.health import HealthChecks
from engine.app.notifier import Routing
from engine.app.reports.source import ReportSource
from engine.app.service import TicketService
from engine.app.subscriptions import Subscriptions
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
    health: HealthChecks = field(init=False)  # /v1/health/ready, by the settings
    reports: ReportSource = field(init=False)  # the reports' database (a replica, if set)
    accounts: Accounts = field(init=False)  # personal accounts: the web pages' sign-in
    files: Attachments = field(init=False)  # uploads, in SOP_FILES_DIR
    subscriptions: Subscriptions = field(init=False)  # webhook subscribers of /v1/changes

    def __post_init__(self) -> None:
        self.files = Attachments(files_dir(self.settings))
        self.subscriptions = Subscriptions(self.store, roles=ROLES)
        self.accounts = Accounts(
            self.store,
            self.clock,
            roles=ROLES,
            max_failures=int(self.settings.get("SOP_LOGIN_MAX_FAILURES", 5)),
            lock_minutes=float(self.settings.get("SOP_LOGIN_LOCK_MINUTES", 15)),
        )
        self.reports = ReportSource(self.store, self.settings.get("SOP_REPORTS_DATABASE_URL"))
        optional = {"reports_database": self.reports.check} if self.reports.replicated else {}
        self.health = HealthChecks(
            self.store,
            sweeper=self.sweeper,
            min_free_bytes=float(self.settings.get("SOP_READY_MIN_FREE_MB", 100)) * 2**20,
            sweep_max_age=float(self.settings.get("SOP_READY_SWEEP_AGE", 60)),
            optional=optional,
        )

    @property
    def dialect(self) -> str:
        return self.store.dialect

    def sweeper(self) -> Background | None:
        """The deadline sweeper this process runs, if it runs one."""
        return self.workers.sweeper if self.workers is not None else None

    def close(self) -> None:
        self.reports.close()
        self.store.close()
