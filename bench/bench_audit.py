"""The tamper-evident log: cost of chaining on write, `sop audit verify` and the export.

    .venv/bin/python bench/bench_audit.py                 # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/bench_audit.py --tickets 1000 --backend sqlite

Each seed-SOP ticket is driven to its validation by the core (11 log entries, rules fired on
the way, notifications), each event written as the service writes it: `Tx.save` (every entry
hashed and chained), its scope rows, deadlines and outbox, and the read models' handlers
(step_runs), 500 tickets a transaction; the revision's texts are stored as the service stores
them. Printed per backend: the fill rate (entries/s, deciding included), hashing alone
(entries/s), `verify --chain-only` and the full verify, which also replays every ticket and
compares its rows (entries/s and tickets/s), and the XES and OCEL exports (events/s) to
/dev/null. PostgreSQL: SOP_BENCH_DATABASE_URL, else postgresql://127.0.0.1:5432/test, in a
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

from _common import stores  # noqa: E402

from engine.app.audit import export_log, verify_store  # noqa: E402
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
    ("follow_up_submitted", "agency", {"follow_up_text": "Sudah", "follow_up_photo": "x"}),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
]
BATCH = 500


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


def timed(store: Store, **options: bool) -> tuple[float, Any]:
    t = time.perf_counter()
    report = verify_store(store, **options)
    return time.perf_counter() - t, report


def measure(label: str, store: Store, n: int) -> None:
    spec = load_catalog(ROOT / "sop", ROOT / "rules").get(SOP)
    base = driven(spec)
    per = len(base.log)
    wrote = write_tickets(store, spec, n, EVENTS)
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    chain_s, chained = timed(store, chain_only=True)
    verify_s, report = timed(store)
    assert report.ok and report.entries == n * per, report.as_data()["problems"][:3]
    assert chained.ok and report.replayed == n
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
        f"fill {n * per / wrote:6,.0f} entries/s (hashing alone {hashing:7,.0f}/s); "
        f"verify --chain-only {chain_s:5.1f} s = {entries / chain_s:7,.0f} entries/s, "
        f"{n / chain_s:6,.0f} tickets/s; "
        f"verify {verify_s:5.1f} s = {entries / verify_s:6,.0f} entries/s, "
        f"{n / verify_s:5,.0f} tickets/s; "
        f"export xes {rates[0]:7,.0f} events/s, ocel {rates[1]:7,.0f} events/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"bench_audit: {args.tickets:,} tickets; python {sys.version.split()[0]}")
    for label, store in stores(args.backend):
        measure(label, store, args.tickets)


if __name__ == "__main__":
    main()
