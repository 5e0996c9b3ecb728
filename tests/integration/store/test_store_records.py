"""The store keeps tickets, the log, deadlines, scopes and revisions exactly, on every backend."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text

from engine.core.model import Deadline, RuleFiring, StepRun, Ticket, Timer
from engine.errors import StoreUnavailable
from engine.store import Store, codec, database
from engine.store.database import MIGRATIONS, make_engine
from engine.store.tables import Base, TicketRow

WIB = timezone(timedelta(hours=7))


def rich_ticket(build):
    t0 = build.T0
    return build.ticket(
        "T-rich",
        state="second",
        status="busy",
        fields={
            "area": "north",
            "when": datetime(2024, 5, 1, 8, 30, tzinfo=WIB),
            "day": date(2024, 5, 2),
            "pair": (1, "two"),
            "nested": {"$datetime": "not a tag", "list": [1.5, None, True]},
            "text": "Jl. Pemuda No. 1 – Surabaya",
        },
        active=StepRun("second", 2, t0, t0 + timedelta(hours=24), paused_seconds=12.5),
        history=(
            StepRun(
                "first",
                1,
                t0 - timedelta(days=1),
                t0,
                finished=t0,
                breached_at=t0 - timedelta(hours=1),
                result="breached",
                by_event="go",
            ),
        ),
        timers=(Timer("nudge", t0 + timedelta(hours=2), "second", 1.0, "working_days", 3),),
        version=7,
        closed=None,
    )


def save_new(store: Store, outcome, **kwargs) -> Ticket:
    with store.write() as tx:
        return tx.save(
            outcome,
            expected_version=None,
            scopes=kwargs.get("scopes", {}),
            scope_fields=kwargs.get("scope_fields", {}),
            external_ref=kwargs.get("external_ref"),
        )


def test_codec_round_trips_every_kind_of_value(build):
    ticket = rich_ticket(build)
    entry = build.entry(
        ticket,
        data={"at": datetime(2024, 1, 1, tzinfo=UTC), "items": ("a", "b")},
        rules=(RuleFiring("r1", "deadline:second", ("notify",), "late"),),
        sla="met",
    )
    assert codec.loads(Ticket, codec.dumps(ticket)) == ticket
    assert codec.decode(type(entry), codec.encode(entry)) == entry
    again = codec.loads(Ticket, codec.dumps(ticket))
    assert again.fields["when"].utcoffset() == timedelta(hours=7)
    assert isinstance(again.fields["pair"], tuple) and isinstance(again.fields["day"], date)


def test_a_saved_ticket_reads_back_equal(store, build):
    ticket = rich_ticket(build)
    save_new(store, build.outcome(ticket), external_ref="EXT-9")
    with store.read() as tx:
        stored = tx.ticket("T-rich")
        assert stored is not None
        (whole,) = tx.with_history([stored.ticket])
    assert whole == ticket
    assert stored.external_ref == "EXT-9"
    # Read for deciding, the record holds none of its finished runs: they are stored apart.
    assert ticket.history and stored.ticket.history == ()
    assert stored.ticket.runs_before == len(ticket.history)
    assert replace(stored.ticket, history=ticket.history, runs_before=0) == ticket


def test_unknown_ticket_reads_as_none(store):
    with store.read() as tx:
        assert tx.ticket("nope") is None
        assert tx.ticket_version("nope") is None


def test_the_log_is_kept_in_order_with_every_column(store, build):
    ticket = build.ticket("T2")
    save_new(store, build.outcome(ticket))
    moved = build.ticket("T2", state="second", version=2)
    entries = (
        build.entry(moved, "go", from_state="first", to_state="second", data={"x": 1}),
        build.entry(moved, "deadline", actor="system", caused_by="rule-1"),
    )
    with store.write() as tx:
        tx.save(
            build.outcome(moved, log=entries),
            expected_version=1,
            scopes={},
            scope_fields={},
        )
    with store.read() as tx:
        timeline = tx.timeline("T2")
        row = tx.conn.execute(
            text("SELECT event, actor, to_state, caused_by FROM events WHERE seq = 3")
        ).one()
    assert [e["seq"] for e in timeline] == [1, 2, 3]
    assert [e["event"] for e in timeline] == ["created", "go", "deadline"]
    assert timeline[1]["data"] == {"x": 1}
    assert tuple(row) == ("deadline", "system", "second", "rule-1")


def test_deadlines_are_replaced_by_each_write(store, build):
    t0 = build.T0
    ticket = build.ticket("T3")
    save_new(store, build.outcome(ticket))
    later = (
        Deadline("T3", "sla", "second", t0 + timedelta(days=3)),
        Deadline("T3", "timer", "nudge", t0 + timedelta(hours=5)),
    )
    with store.write() as tx:
        tx.save(
            build.outcome(build.ticket("T3", version=2), deadlines=later),
            expected_version=1,
            scopes={},
            scope_fields={},
        )
    with store.read() as tx:
        rows = tx.conn.execute(text("SELECT kind, name FROM deadlines ORDER BY due")).all()
    assert [tuple(r) for r in rows] == [("timer", "nudge"), ("sla", "second")]


def test_tickets_filter_by_state_status_scope_and_overdue(store, build):
    t0 = build.T0
    save_new(store, build.outcome(build.ticket("A1")), scopes={"area": "north"})
    save_new(
        store,
        build.outcome(build.ticket("A2", state="second", status="busy")),
        scopes={"area": "south"},
    )
    late = build.ticket(
        "A3", active=StepRun("first", 1, t0, t0 + timedelta(hours=1), breached_at=t0)
    )
    save_new(store, build.outcome(late, deadlines=()), scopes={"area": "north"})
    now = t0 + timedelta(hours=2)

    def ids(**filters):
        with store.read() as tx:
            return [t.id for t, _ in tx.list_tickets(now=now, **filters)]

    assert ids() == ["A3", "A2", "A1"]
    assert ids(state="second") == ["A2"]
    assert ids(status="open") == ["A3", "A1"]
    assert ids(scope={"area": "north"}) == ["A3", "A1"]
    assert ids(scope={"area": "east"}) == []
    assert ids(overdue=True) == ["A3"]  # breached
    assert ids(overdue=False) == ["A2", "A1"]
    # A1's SLA (due T0 + 1 day) is due but not yet swept: overdue too once that time is reached.
    with store.read() as tx:
        due_later = [t.id for t, _ in tx.list_tickets(now=t0 + timedelta(days=2), overdue=True)]
    assert due_later == ["A3", "A2", "A1"]
    assert ids(limit=2) == ["A3", "A2"]
    assert ids(limit=2, before="A2") == ["A1"]


def test_revision_texts_are_stored_once_exactly(store):
    body = "id: demo\r\nrevision: r1\n# ünïcode\n"
    with store.write() as tx:
        assert tx.save_revision("abc", "demo", "r1", body, {"demo-rules": "rules: []\n"})
    with store.write() as tx:
        assert not tx.save_revision("abc", "demo", "r1", "other", {})
    with store.read() as tx:
        assert tx.revision_texts("abc") == (body, {"demo-rules": "rules: []\n"})
        assert tx.revision_texts("missing") is None


def test_migrations_build_exactly_the_models_and_rerun_harmlessly(database):
    store = database.open()
    store.close()
    store = database.open()  # a second start-up applies nothing new
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    store.close()
    assert diff == []
    assert version == _head_revision()


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    (head,) = ScriptDirectory.from_config(cfg).get_heads()  # one line of migrations, no forks
    return head


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'x' / 'sop.db'}")
    with store.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    store.close()
    assert mode == "wal"
    assert timeout >= 1000


def test_a_write_waiting_past_the_busy_timeout_is_refused_as_unavailable(tmp_path, monkeypatch):
    """Another process holding SQLite's write lock past the busy timeout: the write is refused
    as the store being unavailable (a 503 that says to retry), not a driver error; reads go on."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "sop.db"
    store = Store.open(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailable, match="database is locked"), store.write() as tx:
            tx.conn.execute(text("SELECT 1"))
        with store.read() as tx:
            assert tx.conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        other.rollback()
        other.close()
    with store.write() as tx:  # the lock released, writes go on
        assert tx.conn.execute(text("SELECT 1")).scalar() == 1
    store.close()


def test_an_unsupported_database_url_is_refused_clearly():
    with pytest.raises(ValueError, match="use sqlite:///"):
        Store.open("mysql://localhost/x")


def test_a_record_written_before_0010_gives_its_runs_to_ticket_runs_and_back(database, build):
    """Records written before the runs moved out keep every run: the migration moves them
    to `ticket_runs` (the record counts them), its downgrade puts them back."""
    ticket = rich_ticket(build)
    database.migrate_to("0009")
    engine = make_engine(database.url, schema=database.schema)
    with engine.begin() as conn:
        old = {**codec.encode(ticket)}
        old.pop("runs_before")  # as an older version wrote it: runs inside the record
        conn.execute(
            insert(TicketRow).values(
                id=ticket.id, sop_id=ticket.sop_id, revision=ticket.revision,
                spec_hash=ticket.spec_hash, state=ticket.state, status=ticket.status,
                breached=False, version=ticket.version, created=ticket.created, closed=None,
                record=old, updated=build.T0,
            )
        )  # fmt: skip
    store = database.open()  # migrates to the head
    try:
        with store.read() as tx:
            stored = tx.ticket(ticket.id)
            assert stored is not None
            assert stored.ticket.history == () and stored.ticket.runs_before == 1
            assert tx.with_history([stored.ticket]) == [ticket]
    finally:
        store.close()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    with engine.connect() as conn:
        record = conn.execute(select(TicketRow.record)).scalar_one()
    engine.dispose()
    assert codec.decode(Ticket, record) == ticket
