"""PostgreSQL states a server meets when several share one database: a database in read-only
mode (a failover, a standby) answers writes 503, reads run read-only, and a host that does not
answer is given up on after the connect timeout instead of the OS's minutes."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from sqlalchemy import event

from engine.errors import StoreUnavailable
from engine.store import Store, database
from tests.integration.conftest import Database


@pytest.fixture
def pg(database: Database) -> Database:
    if database.backend != "postgresql":
        pytest.skip("PostgreSQL's read-only transactions and connect timeout")
    return database


def test_a_database_in_read_only_mode_refuses_writes_as_store_unavailable(
    pg: Database, store: Store, build: Any
) -> None:
    def read_only(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("SET SESSION default_transaction_read_only = on")
        dbapi_conn.commit()

    event.listen(store.engine, "connect", read_only)
    store.engine.dispose()  # every connection from now on is made read-only
    ticket = build.ticket("T1")
    with pytest.raises(StoreUnavailable, match="read-only"), store.write() as tx:
        tx.save(build.outcome(ticket), expected_version=None, scopes={}, scope_fields={})
    with store.read() as tx:  # reads still answer
        assert tx.ticket("T1") is None


def test_a_read_transaction_is_read_only(pg: Database, store: Store, build: Any) -> None:
    ticket = build.ticket("T1")
    with pytest.raises(StoreUnavailable, match="read-only"), store.read() as tx:
        tx.save(build.outcome(ticket), expected_version=None, scopes={}, scope_fields={})


def test_a_host_that_does_not_answer_is_given_up_on_after_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(database, "CONNECT_TIMEOUT_S", 2)  # libpq's least
    with socket.socket() as silent:  # takes the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql://127.0.0.1:{silent.getsockname()[1]}/sop"
        raised: list[BaseException] = []

        def open_it() -> None:
            try:
                Store.open(url)
            except BaseException as exc:  # noqa: BLE001 - the test reads it
                raised.append(exc)

        opener = threading.Thread(target=open_it, daemon=True)
        opener.start()
        opener.join(15)
        assert not opener.is_alive(), "Store.open still waiting for a silent host"
    assert [type(e) for e in raised] == [StoreUnavailable]
