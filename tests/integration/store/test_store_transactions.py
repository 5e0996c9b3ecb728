"""One event, one transaction: all of it or nothing; concurrent writers never lose an update."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.core.model import Deadline
from engine.store import Idempotency, KeyTaken, StaleVersion, Store
from engine.store.store import Tx


def counts(store: Store) -> dict[str, int]:
    with store.read() as tx:
        return {
            table: tx.conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "tickets",
                "events",
                "deadlines",
                "outbox",
                "ticket_scopes",
                "idempotency",
            )
        }


def save(store: Store, outcome, expected, **kwargs):
    with store.write() as tx:
        return tx.save(
            outcome,
            expected_version=expected,
            scopes=kwargs.get("scopes", {}),
            scope_fields=kwargs.get("scope_fields", {}),
            idempotency=kwargs.get("idempotency"),
        )


def test_a_failure_while_creating_leaves_nothing(store, build):
    ticket = build.ticket("T1")
    bad_entry = build.entry(ticket, data={"unstorable": object()})
    note = build.note(ticket, "n1")
    with pytest.raises(TypeError):
        save(store, build.outcome(ticket, log=(bad_entry,), notes=(note,)), None)
    assert set(counts(store).values()) == {0}


def test_a_failure_late_in_an_update_leaves_the_ticket_as_it_was(store, build, monkeypatch):
    ticket = build.ticket("T1")
    save(store, build.outcome(ticket), None, scopes={"area": "north"})
    before = counts(store)

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Tx, "enqueue", broken)  # the last step of a write
    moved = build.ticket("T1", state="second", version=2, fields={"area": "south"})
    with pytest.raises(RuntimeError):
        save(
            store,
            build.outcome(moved, notes=(build.note(moved, "n1"),), deadlines=()),
            1,
            scopes={"area": "south"},
        )
    assert counts(store) == before
    with store.read() as tx:
        assert tx.ticket("T1").ticket == ticket
        assert [t.id for t, _ in tx.list_tickets(now=build.T0, scope={"area": "north"})] == ["T1"]


def test_the_second_of_two_writers_from_the_same_version_loses_and_writes_nothing(store, build):
    save(store, build.outcome(build.ticket("T1")), None)
    first = build.ticket("T1", state="a", version=2)
    second = build.ticket("T1", state="b", version=2)
    save(store, build.outcome(first, notes=(build.note(first, "from-a"),)), 1)
    with pytest.raises(StaleVersion) as lost:
        save(store, build.outcome(second, notes=(build.note(second, "from-b"),)), 1)
    assert lost.value.current == 2
    with store.read() as tx:
        assert tx.ticket("T1").ticket.state == "a"
        assert [n["id"] for n in tx.outbox_feed()] == ["from-a"]
        assert len(tx.timeline("T1")) == 2


def test_a_write_to_a_vanished_ticket_reports_no_current_version(store, build):
    with pytest.raises(StaleVersion) as lost:
        save(store, build.outcome(build.ticket("ghost", version=2)), 1)
    assert lost.value.current is None


def test_a_write_always_moves_the_version_forward(store, build):
    save(store, build.outcome(build.ticket("T1")), None)
    saved = save(store, build.outcome(build.ticket("T1", version=1)), 1)  # same version given
    assert saved.version == 2
    with store.read() as tx:
        assert tx.ticket_version("T1") == 2


def test_threads_incrementing_one_ticket_lose_no_update(store, build):
    """Read, change, write conditionally; on a lost race read again. Every increment lands."""
    save(store, build.outcome(build.ticket("T1", fields={"n": 0})), None)
    threads, rounds = 6, 15
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(rounds):
                while True:
                    with store.read() as tx:
                        current = tx.ticket("T1").ticket
                    bumped = replace(
                        current, version=current.version + 1, fields={"n": current.fields["n"] + 1}
                    )
                    try:
                        save(store, build.outcome(bumped), current.version)
                        break
                    except StaleVersion:
                        continue
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert not errors
    with store.read() as tx:
        final = tx.ticket("T1").ticket
        seqs = [e["seq"] for e in tx.timeline("T1")]
    assert final.fields["n"] == threads * rounds
    assert final.version == 1 + threads * rounds
    assert seqs == list(range(1, threads * rounds + 2))


def test_an_idempotency_key_is_taken_once_per_scope(store, build):
    def idem(key, scope="T1"):
        return Idempotency(scope, key, "hash", {"ok": True})

    save(store, build.outcome(build.ticket("T1")), None, idempotency=idem("k1", "create"))
    save(store, build.outcome(build.ticket("T1", version=2)), 1, idempotency=idem("k1"))
    with pytest.raises(KeyTaken):
        save(store, build.outcome(build.ticket("T1", version=3)), 2, idempotency=idem("k1"))
    with store.read() as tx:
        assert tx.ticket_version("T1") == 2
        assert tx.idempotency("T1", "k1").response == {"ok": True}
        assert tx.idempotency("T1", "other") is None
        keys = tx.conn.execute(text("SELECT idempotency_key FROM events ORDER BY seq")).scalars()
        assert list(keys) == [None, "k1"]


def test_due_tickets_are_found_by_due_time_only(store, build):
    t0 = build.T0
    for i, hours in enumerate([5, 1, 30, 3]):
        ticket = build.ticket(f"D{i}")
        deadline = Deadline(ticket.id, "sla", "first", t0 + timedelta(hours=hours))
        save(store, build.outcome(ticket, deadlines=(deadline,)), None)
    now = t0 + timedelta(hours=6)
    with store.read() as tx:
        assert tx.due_ticket_ids(now, 10) == ["D1", "D3", "D0"]  # earliest first; D2 not due
        assert tx.due_ticket_ids(now, 2) == ["D1", "D3"]
        assert tx.due_ticket_ids(t0, 10) == []
    with store.write() as tx:
        locked = tx.lock_due("D3", now)
        assert len(locked) == 1
        tx.mark_checked(locked, now)
    with store.write() as tx:
        assert tx.lock_due("D3", now) == []
        assert tx.lock_due("D2", now) == []
    with store.read() as tx:
        assert tx.due_ticket_ids(now, 10) == ["D1", "D0"]


def test_postgres_lets_only_one_sweeper_lock_a_due_deadline(database, store, build):
    if database.backend != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite writers are serialized by its write lock")
    ticket = build.ticket("P1")
    deadline = Deadline("P1", "sla", "first", build.T0)
    save(store, build.outcome(ticket, deadlines=(deadline,)), None)
    with store.write() as first:
        assert len(first.lock_due("P1", build.T0)) == 1
        with store.write() as second:
            assert second.lock_due("P1", build.T0) == []
    with store.write() as later:
        assert len(later.lock_due("P1", build.T0)) == 1
