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
                                            [--processes 3]

`--profile` runs cProfile over that database's measurement and prints the top functions.
`--processes N` also runs N processes side by side on the same database, each walking its own
tickets (as `sop serve`'s workers do), and sets their sum beside the one-client floor and, on
PostgreSQL, beside the floor of N clients committing side by side (PostgreSQL flushes the
write-ahead log of transactions that commit together once: its own group commit).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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


def floor_rate(store: Store, seconds: float, clients: int = 1) -> float:
    """Events/s of the floor: BEGIN, insert one event row, update the ticket row, COMMIT, on
    the store's own DBAPI connection (its pragmas), with a real event row and record.
    `clients` > 1: as many connections side by side, each on a ticket of its own (threads: the
    driver lets go of the interpreter while the database works)."""
    if clients == 1:
        return _floor_one(store, seconds, None)
    with store.read() as tx:
        sql = f"SELECT id FROM tickets LIMIT {clients}"
        ids = [r[0] for r in tx.conn.exec_driver_sql(sql)]
    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(lambda ticket_id: _floor_one(store, seconds, ticket_id), ids))


def _floor_one(store: Store, seconds: float, ticket_id: str | None) -> float:
    pg = store.dialect == "postgresql"
    mark = "%s" if pg else "?"
    begin = "BEGIN" if pg else "BEGIN IMMEDIATE"
    raw = store.engine.raw_connection()
    try:
        if pg:
            raw.autocommit = True  # type: ignore[attr-defined]  # BEGIN and COMMIT sent below
        cur = raw.cursor()
        if ticket_id is None:
            cur.execute("SELECT * FROM events ORDER BY id DESC LIMIT 1")
        else:
            cur.execute(
                f"SELECT * FROM events WHERE ticket_id = {mark} ORDER BY id DESC LIMIT 1",
                (ticket_id,),
            )
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


def _walker(url: str, schema: str | None, seconds: float, go: Any, results: Any) -> None:
    """One process of `--processes`: open the store, warm up, wait for the others, walk."""
    store = Store.open(url, schema=schema, migrate=False)
    service = TicketService(load_catalog(ROOT / "sop"), store)
    walk(service, 0.5)
    go.wait()
    c0 = time.process_time()
    events, tickets = walk(service, seconds)
    results.put((events, tickets, time.process_time() - c0))
    store.close()


def measure_processes(
    name: str, store: Store, url: str, schema: str | None, seconds: float, n: int
) -> None:
    ctx = multiprocessing.get_context("spawn")
    go, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_walker, args=(url, schema, seconds, go, results)) for _ in range(n)
    ]
    for p in procs:
        p.start()
    time.sleep(3.0 + n)  # each process imports, opens the store and warms up
    go.set()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    events = sum(g[0] for g in got)
    writes = events + sum(g[1] for g in got)
    cpu = sum(g[2] for g in got)
    floor = floor_rate(store, seconds)
    print(
        f"{name:<12} {events / seconds:7.0f} events/s with {n} processes side by side "
        f"({cpu / writes * 1000:5.2f} ms CPU per write): {events / seconds / floor:.0%} of the "
        f"one-client floor ({floor:.0f}/s)"
    )
    if store.dialect == "postgresql":
        group = floor_rate(store, seconds, clients=n)
        print(
            f"{'':<12} floor with {n} clients side by side {group:7.0f} events/s (their commits "
            f"flushed together): the {n} processes are {events / seconds / group:.0%} of it"
        )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--profile", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--processes", type=int, default=0)
    args = parser.parse_args()
    print(f"In-process service benchmark on {os.cpu_count()} cores, one thread")
    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    try:
        url = sqlite_url(tmp / "bench.db")
        store = Store.open(url)
        try:
            measure("sqlite", store, args.seconds, args.profile == "sqlite")
            if args.processes:
                measure_processes("sqlite", store, url, None, args.seconds, args.processes)
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
        if args.processes:
            measure_processes("postgresql", store, PG_BASE, schema, args.seconds, args.processes)
    finally:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        store.close()


if __name__ == "__main__":
    main()
