"""Events/s through `TicketService.post_event` in-process (no HTTP), to separate the service's
cost from the HTTP layer's (bench/bench_http.py).

One thread opens tickets of the seed SOP and walks each through the same ten events as
bench_http.py (steps 1-11), on an SQLite file in a temporary folder and, when 127.0.0.1:5432
answers, on PostgreSQL (a throw-away schema in database `test`). Prints events/s, the wall and
CPU milliseconds per event, and the part of the CPU spent in the pure core (`engine.core`).

Each figure is set beside its floor, measured in the same run on the same database: one
transaction per event that inserts the event's row and updates its ticket's row (rows copied
from the walk just measured, so of the same size), on the DBAPI connection alone. Goal: the
service >= 25% of that floor on SQLite.

    .venv/bin/python bench/bench_service.py [--seconds 5] [--profile sqlite|postgresql]

`--profile` runs cProfile over that database's measurement and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import FIELDS, PG_BASE, WALK, pg_url  # noqa: E402

from engine import core  # noqa: E402
from engine.app.service import TicketService  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402
from engine.store import Store  # noqa: E402
from engine.store.database import sqlite_url  # noqa: E402


class CoreTimer:
    """Adds up the time spent inside engine.core.apply / new_ticket (the pure core)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._apply, self._new = core.apply, core.new_ticket

    def _wrap(self, fn):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - t0

        return timed

    def __enter__(self) -> CoreTimer:
        core.apply, core.new_ticket = self._wrap(self._apply), self._wrap(self._new)
        return self

    def __exit__(self, *exc: object) -> None:
        core.apply, core.new_ticket = self._apply, self._new


def walk(service: TicketService, seconds: float) -> tuple[int, int]:
    """Walk tickets until `seconds` pass; returns (events, tickets created)."""
    events = tickets = 0
    stop_at = time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        record = service.create_ticket(
            "surabaya-complaints", dict(FIELDS), actor=None, user="bench"
        )
        tickets += 1
        for type_, actor, data in WALK:
            service.post_event(record.id, type_, actor, dict(data), user="bench")
            events += 1
    return events, tickets


def floor_rate(store: Store, seconds: float) -> float:
    """Events/s of the floor: BEGIN, insert one event row, update the ticket row, COMMIT, on
    the store's own DBAPI connection (its pragmas), with a real event row and record."""
    pg = store.dialect == "postgresql"
    mark = "%s" if pg else "?"
    begin = "BEGIN" if pg else "BEGIN IMMEDIATE"
    raw = store.engine.raw_connection()
    try:
        if pg:
            raw.autocommit = True  # type: ignore[attr-defined]  # BEGIN and COMMIT sent below
        cur = raw.cursor()
        cur.execute("SELECT * FROM events ORDER BY id DESC LIMIT 1")
        names = [d[0] for d in cur.description if d[0] != "id"]
        event = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
        cur.execute(f"SELECT record FROM tickets WHERE id = {mark}", (event["ticket_id"],))
        record = cur.fetchone()[0]
        if pg:
            from psycopg.types.json import Json

            event["entry"], record = Json(event["entry"]), Json(record)
        columns = ", ".join('"' + n + '"' for n in names)
        insert_sql = f"INSERT INTO events ({columns}) VALUES ({', '.join([mark] * len(names))})"
        update_sql = (
            f"UPDATE tickets SET record = {mark}, version = {mark}, updated = {mark} "
            f"WHERE id = {mark} AND version = {mark}"
        )
        cur.execute(f"SELECT version FROM tickets WHERE id = {mark}", (event["ticket_id"],))
        version = int(cur.fetchone()[0])
        seq = int(event["seq"]) + 1000
        done = 0
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            cur.execute(begin)
            cur.execute(insert_sql, [seq if n == "seq" else event[n] for n in names])
            cur.execute(
                update_sql, (record, version + 1, event["recorded"], event["ticket_id"], version)
            )
            cur.execute("COMMIT")
            seq, version, done = seq + 1, version + 1, done + 1
        cur.close()
    finally:
        raw.close()
    return done / seconds


def measure(name: str, store: Store, seconds: float, profile: bool) -> None:
    catalog = load_catalog(ROOT / "sop")
    service = TicketService(catalog, store)
    walk(service, 0.5)  # warm up: statement caches, connection pool
    prof = cProfile.Profile() if profile else None
    with CoreTimer() as core:
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        events, tickets = walk(service, seconds)
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    writes = events + tickets
    print(
        f"{name:<12} {events / wall:7.0f} events/s  ({writes / wall:5.0f} writes/s incl. "
        f"creation)   per write: {wall / writes * 1000:5.2f} ms wall, "
        f"{cpu / writes * 1000:5.2f} ms CPU, of it {core.seconds / writes * 1000:5.2f} ms "
        "in the core (engine.core)"
    )
    floor = floor_rate(store, seconds)
    print(
        f"{'':<12} floor {floor:7.0f} events/s (one transaction: insert the event, update the "
        f"ticket): the service is {events / wall / floor:.0%} of it"
    )
    sys.stdout.flush()
    if prof:
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--profile", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    print(f"In-process service benchmark on {os.cpu_count()} cores, one thread")
    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    try:
        store = Store.open(sqlite_url(tmp / "bench.db"))
        try:
            measure("sqlite", store, args.seconds, args.profile == "sqlite")
        finally:
            store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not pg_url() is not None:
        print("PostgreSQL: nothing answers on 127.0.0.1:5432; skipped")
        return
    schema = f"bench_{secrets.token_hex(4)}"
    store = Store.open(PG_BASE, schema=schema)
    try:
        measure("postgresql", store, args.seconds, args.profile == "postgresql")
    finally:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        store.close()


if __name__ == "__main__":
    main()
