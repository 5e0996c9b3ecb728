"""The tamper-evident log: cost of chaining on write, `sop audit verify` and the export.

    .venv/bin/python bench/bench_audit.py                 # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/bench_audit.py --tickets 1000 --backend sqlite --jobs 2

Each seed-SOP ticket is driven to its validation by the core (11 log entries, rules fired on
the way, notifications), each event written as the service writes it (tests/support/written.py:
`Tx.save`, every entry hashed and chained, its scope rows, deadlines and outbox, and the read
models' handlers), 500 tickets a transaction. Printed per backend: the fill rate (entries/s,
deciding included), hashing alone (entries/s), `verify --chain-only` and the full verify,
which also replays every ticket and compares its rows, each in one process (the floor) and
then over --jobs worker processes [default: one per core] in the same run, with tickets/s and
the ratio to the floor (both reports must be equal), and the XES and OCEL exports (events/s)
to /dev/null. PostgreSQL: SOP_BENCH_DATABASE_URL, else postgresql://127.0.0.1:5432/test, in a
fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import stores, url_of  # noqa: E402

from engine.app.audit import export_log, verify_store  # noqa: E402
from engine.app.processes import Processes, default_jobs  # noqa: E402
from engine.core import apply, compile_revision, new_ticket  # noqa: E402
from engine.core.model import Event, LogEntry, Outcome  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402
from engine.store import Store, codec  # noqa: E402
from engine.store.chain import GENESIS, entry_hash  # noqa: E402
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROUTING  # noqa: E402
from tests.support.written import write_tickets  # noqa: E402

SOP = "surabaya-complaints"
EVENTS = [
    ("accept", "staff", {}),
    ("triage", "staff", {}),
    ("entered", "staff", ROUTING),
    ("responded", "staff", {"response_text": "Terima kasih"}),
    ("within_authority", "staff", {}),
    ("routed", "staff", {}),
    ("agency_responded", "agency", {}),
    (
        "follow_up_submitted",
        "agency",
        {"follow_up_text": "Sudah", "follow_up_photo": "https://example.org/f.jpg"},
    ),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
]


def driven(spec) -> Outcome:
    """One ticket's whole history as one Outcome (every log entry, the final record)."""
    at = MONDAY
    rev = compile_revision(spec)
    out = new_ticket(rev, "BASE", dict(OTHER_CHANNEL), at, actor="staff")
    log = list(out.log)
    for type_, actor, data in EVENTS:
        at += timedelta(hours=1)
        out = apply(rev, out.ticket, Event(type_, actor, data), at)
        log += out.log
    return Outcome(out.ticket, tuple(log), (), out.deadlines)


def hashing_rate(entries: tuple[LogEntry, ...], rounds: int = 2000) -> float:
    """Entries hashed per second from their JSON (the store encodes them anyway)."""
    docs = [codec.encode(e) for e in entries]
    started = time.perf_counter()
    for _ in range(rounds):
        prev = GENESIS
        for doc in docs:
            prev = entry_hash(doc, prev)
    return rounds * len(docs) / (time.perf_counter() - started)


def timed(store: Store, jobs: int, **options: bool) -> tuple[float, Any]:
    t = time.perf_counter()
    report = verify_store(store, processes=Processes(jobs, url_of(store)), **options)
    return time.perf_counter() - t, report


def measure(label: str, store: Store, n: int, jobs: int) -> None:
    spec = load_catalog(ROOT / "sop", ROOT / "rules").get(SOP)
    base = driven(spec)
    per = len(base.log)
    wrote = write_tickets(store, spec, n, EVENTS)
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    runs = {}
    for chain_only in (True, False):
        for j in (1, jobs):  # the floor (one process), then the workers
            runs[chain_only, j] = timed(store, j, chain_only=chain_only)
    report = runs[False, 1][1]
    assert report.ok and report.entries == n * per, report.as_data()["problems"][:3]
    assert runs[True, 1][1].ok and report.replayed == n
    for chain_only in (True, False):  # the same report, however many processes
        assert runs[chain_only, jobs][1].as_data() == runs[chain_only, 1][1].as_data()
    rates = []
    for fmt in ("xes", "ocel"):
        with open(os.devnull, "w", encoding="utf-8") as sink:
            t = time.perf_counter()
            counts = export_log(store, fmt, sink)
            rates.append(counts.events / (time.perf_counter() - t))
    hashing = hashing_rate(base.log)
    entries = report.entries
    print(
        f"{label:10} {n:,} tickets x {per} entries = {n * per:,}: "
        f"fill {n * per / wrote:6,.0f} entries/s (hashing alone {hashing:7,.0f}/s)"
    )
    for chain_only, name in ((True, "verify --chain-only"), (False, "verify (whole)")):
        floor_s, several_s = runs[chain_only, 1][0], runs[chain_only, jobs][0]
        print(
            f"{'':10} {name:19} 1 process {floor_s:6.1f} s = {n / floor_s:6,.0f} tickets/s "
            f"({entries / floor_s:7,.0f} entries/s); --jobs {jobs} {several_s:6.1f} s = "
            f"{n / several_s:6,.0f} tickets/s = {floor_s / several_s:4.2f}x the floor"
        )
    print(f"{'':10} export xes {rates[0]:7,.0f} events/s, ocel {rates[1]:7,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes [cores]")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs takes 1 or more")
    print(
        f"bench_audit: {args.tickets:,} tickets, --jobs {args.jobs} against 1; "
        f"python {sys.version.split()[0]}"
    )
    for label, store in stores(args.backend):
        measure(label, store, args.tickets, args.jobs)


if __name__ == "__main__":
    main()
