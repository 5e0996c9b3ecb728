"""Fixtures for the store and service tests: a fresh database on SQLite, and on PostgreSQL when
SOP_TEST_DATABASE_URL is set (each test gets its own schema there, dropped afterwards).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from engine.core.model import Deadline, LogEntry, Notification, Outcome, StepRun, Ticket
from engine.store import Store
from engine.store.database import MIGRATIONS, make_engine, sqlite_url
from tests.support import groups

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)  # a Monday


@dataclass(frozen=True)
class Database:
    backend: str
    url: str
    schema: str | None = None

    def open(self, **kwargs: Any) -> Store:
        return Store.open(self.url, schema=self.schema, **kwargs)

    @property
    def reader_url(self) -> str:
        """The URL alone, as `--database-url` and `Store.open_existing` take it: on PostgreSQL
        the test's schema rides in the connection's search_path."""
        if self.schema is None:
            return self.url
        return f"{self.url}?options=-csearch_path%3D{self.schema}"

    def migrate_to(self, revision: str) -> None:
        """Apply the migrations up to `revision` only: a store as an older version left it."""
        engine = make_engine(self.url, schema=self.schema)
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        engine.dispose()


def _pg_url() -> str:
    groups.POSTGRESQL.require()
    return os.environ[groups.PG_ENV]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database on each backend (PostgreSQL: a fresh random schema)."""
    if request.param == "sqlite":
        yield Database("sqlite", sqlite_url(tmp_path / "sop.db"))
        return
    url = _pg_url()
    schema = f"sop_test_{secrets.token_hex(6)}"
    yield Database("postgresql", url, schema)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def store(database: Database) -> Iterator[Store]:
    opened = database.open()
    yield opened
    opened.close()


# -- hand-built domain records ------------------------------------------------------------------


def make_ticket(ticket_id: str = "T1", **changes: Any) -> Ticket:
    values: dict[str, Any] = {
        "id": ticket_id,
        "sop_id": "demo",
        "revision": "r1",
        "spec_hash": "h" * 64,
        "state": "first",
        "status": "open",
        "fields": {"area": "north", "name": "Siti"},
        "created": T0,
        "active": StepRun("first", 1, T0, T0 + timedelta(days=1)),
        "version": 1,
    }
    values.update(changes)
    return Ticket(**values)


def make_entry(ticket: Ticket, event: str = "created", **changes: Any) -> LogEntry:
    values: dict[str, Any] = {
        "ticket_id": ticket.id,
        "version": ticket.version,
        "at": T0,
        "event": event,
        "actor": "clerk",
        "user": "u1",
        "data": {},
        "from_state": "first",
        "to_state": ticket.state,
        "from_status": None,
        "to_status": ticket.status,
        "sop_id": ticket.sop_id,
        "revision": ticket.revision,
        "spec_hash": ticket.spec_hash,
    }
    values.update(changes)
    return LogEntry(**values)


def make_note(ticket: Ticket, note_id: str, **changes: Any) -> Notification:
    values: dict[str, Any] = {
        "id": note_id,
        "ticket_id": ticket.id,
        "to": "clerk",
        "template": "hello",
        "text": f"about {ticket.id}",
        "rule": "r",
        "created": T0,
    }
    values.update(changes)
    return Notification(**values)


def make_outcome(
    ticket: Ticket,
    *,
    log: tuple[LogEntry, ...] | None = None,
    notes: tuple[Notification, ...] = (),
    deadlines: tuple[Deadline, ...] | None = None,
) -> Outcome:
    if deadlines is None and ticket.active is not None and ticket.active.due is not None:
        deadlines = (Deadline(ticket.id, "sla", ticket.active.step, ticket.active.due),)
    return Outcome(
        ticket=ticket,
        log=log if log is not None else (make_entry(ticket),),
        notifications=notes,
        deadlines=deadlines or (),
    )


@pytest.fixture
def build() -> SimpleNamespace:
    """Builders of hand-made Ticket / LogEntry / Notification / Outcome records."""
    return SimpleNamespace(
        ticket=make_ticket, entry=make_entry, note=make_note, outcome=make_outcome, T0=T0
    )
