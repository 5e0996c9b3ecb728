"""What a running API holds: the SOP catalog, the store, the ticket service, the clock and the
tokens, built once from the settings (see api.config) and shared by every request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.auth import TokenRegistry
from api.config import ConfigError, database_url
from engine.app.notifier import Routing
from engine.app.revisions.immutability import check_published
from engine.app.service import TicketService
from engine.core.clock import Clock, ManualClock, SystemClock
from engine.spec.catalog import Catalog, load_catalog
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


def build_catalog(cfg: Mapping[str, Any]) -> Catalog:
    catalog = load_catalog(cfg["SOP_ROOT"], cfg.get("SOP_RULES_DIR"))
    if not catalog.specs:
        raise ConfigError(
            f"no SOP revisions under {cfg['SOP_ROOT']} (expected <sop-id>/<revision>.yaml); "
            "give --sop-root or SOP_ROOT"
        )
    return catalog


def build_tokens(cfg: Mapping[str, Any]) -> TokenRegistry | None:
    if cfg.get("SOP_DEV"):
        return None
    if cfg.get("SOP_TOKENS") is not None:
        return TokenRegistry.from_entries(cfg["SOP_TOKENS"], "SOP_TOKENS")
    if cfg.get("SOP_TOKENS_FILE"):
        return TokenRegistry.from_file(cfg["SOP_TOKENS_FILE"])
    raise ConfigError(
        "no API tokens configured: give --tokens FILE or SOP_TOKENS_FILE (see docs/api.md), "
        "or run `sop serve --dev` for local use without authentication"
    )


def build_clock(cfg: Mapping[str, Any]) -> tuple[Clock, ManualClock | None]:
    if cfg.get("SOP_CLOCK") != "manual":
        return SystemClock(), None
    start = cfg.get("SOP_CLOCK_START")
    if isinstance(start, str):
        start = datetime.fromisoformat(start)
    manual = ManualClock(start)
    return manual, manual


def build_routing(cfg: Mapping[str, Any]) -> Routing:
    path = cfg.get("SOP_NOTIFY_CONFIG")
    if not path:
        return Routing.log_only()
    try:
        return Routing.from_file(path)
    except OSError as exc:
        raise ConfigError(f"cannot read notify config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def build_runtime(cfg: Mapping[str, Any]) -> Runtime:
    catalog = build_catalog(cfg)
    tokens = build_tokens(cfg)
    routing = build_routing(cfg)
    clock, manual = build_clock(cfg)
    store = Store.open(database_url(cfg))
    check_published(catalog, store)  # a published revision edited in place is refused
    service = TicketService(catalog, store, clock)
    return Runtime(catalog, store, service, clock, manual, tokens, cfg, routing)
