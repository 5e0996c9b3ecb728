"""Sweep time with many open tickets of which a few are due (issue 4: 100,000 open, 1% due).

    .venv/bin/python bench/bench_sweep.py          # SQLite, and PostgreSQL if it answers
    .venv/bin/python bench/bench_sweep.py --open 10000 --due 0.01 --backend sqlite
    .venv/bin/python bench/bench_sweep.py --open 1000000 --due-count 1000   # goal: < 1 s

The open tickets are seed-SOP tickets at their first step (made by the core once, then copied
with their own ids and due times and bulk-inserted, with their log entry, scope and deadline).
Printed: the time of the due-deadline query alone, and of a whole sweep (every due deadline
applied through the core, 20 tickets to a transaction, each in its own savepoint), per backend;
and apart, the first run of the SOP's periodic steps (its monthly report reads every ticket),
which a pass starts once they are due, and which a running server has made before.
PostgreSQL: SOP_BENCH_DATABASE_URL, else postgresql://127.0.0.1:5432/test, in a fresh schema
that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import stores  # noqa: E402

from engine.app.service import TicketService, ticket_scopes  # noqa: E402
from engine.app.sweeper import Sweeper  # noqa: E402
from engine.core import compile_revision, new_ticket  # noqa: E402
from engine.core.clock import ManualClock  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402
from engine.store import Store, codec  # noqa: E402
from engine.store.tables import DeadlineRow, EventRow, TicketRow, TicketScopeRow  # noqa: E402

SOP = "surabaya-complaints"
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 09:00 in Surabaya
FIELDS = {
    "reporter_name": "Budi",
    "reporter_phone": "+6281234567890",
    "channel": "instagram",
    "complaint_text": "Jalan berlubang",
    "agency": "DSDABM",
}
BATCH = 5000
GOAL_S = 1.0  # a sweep of 1,000 due deadlines among 1,000,000 open tickets


def fill(store: Store, spec, n_open: int, n_due: int) -> int:
    base = new_ticket(
        compile_revision(spec), "BASE", FIELDS, NOW - timedelta(days=3), actor="staff"
    )
    ticket_doc = codec.encode(base.ticket)
    entry_doc = codec.encode(base.log[0])
    scopes = ticket_scopes(spec, base.ticket)
    every = max(n_open // max(n_due, 1), 1)
    due_count = 0
    rows: dict[str, list[dict]] = {"t": [], "e": [], "d": [], "s": []}
    for i in range(n_open):
        is_due = due_count < n_due and i % every == 0
        due_count += is_due
        due = NOW - timedelta(minutes=30) if is_due else NOW + timedelta(hours=1 + i % 200)
        tid = f"B{i:09d}"
        doc = {**ticket_doc, "id": tid, "active": {**ticket_doc["active"], "due": due.isoformat()}}
        rows["t"].append(
            {
                "id": tid,
                "sop_id": spec.sop_id,
                "revision": spec.revision,
                "spec_hash": spec.content_hash,
                "state": base.ticket.state,
                "status": base.ticket.status,
                "breached": False,
                "version": base.ticket.version,
                "created": base.ticket.created,
                "closed": None,
                "external_ref": None,
                "record": doc,
                "updated": NOW,
            }
        )
        entry = {**entry_doc, "ticket_id": tid}
        rows["e"].append(
            {
                "ticket_id": tid,
                "seq": 1,
                "version": 1,
                "at": base.log[0].at,
                "event": "created",
                "actor": "staff",
                "user": None,
                "from_state": "",
                "to_state": base.ticket.state,
                "from_status": None,
                "to_status": base.ticket.status,
                "sop_id": spec.sop_id,
                "revision": spec.revision,
                "spec_hash": spec.content_hash,
                "caused_by": None,
                "idempotency_key": None,
                "recorded": NOW,
                "entry": entry,
            }
        )
        rows["d"].append(
            {
                "ticket_id": tid,
                "kind": "sla",
                "name": base.ticket.state,
                "due": due,
                "checked": None,
            }
        )
        rows["s"].extend({"ticket_id": tid, "name": k, "value": v} for k, v in scopes.items())
        if len(rows["t"]) >= BATCH or i == n_open - 1:
            with store.write() as tx:
                for key, table in (
                    ("t", TicketRow),
                    ("e", EventRow),
                    ("d", DeadlineRow),
                    ("s", TicketScopeRow),
                ):
                    if rows[key]:
                        tx.conn.execute(insert(table), rows[key])
                    rows[key] = []
    return due_count


# The statement of `Tx.due_ticket_ids` (engine/store/store.py), written out to show its plan.
DUE_SQL = (
    "SELECT ticket_id, due FROM deadlines WHERE due <= :due AND checked IS NULL "
    "ORDER BY due LIMIT 2000"
)


def due_plan(store: Store) -> str:
    """How the database runs the due query: SQLite's query plan, PostgreSQL's EXPLAIN ANALYZE."""
    sqlite = store.dialect == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    stmt = text(prefix + DUE_SQL).bindparams(bindparam("due", NOW, type_=DeadlineRow.due.type))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return "; ".join(str(r[-1] if sqlite else r[0]).strip() for r in rows)


def measure(label: str, store: Store, n_open: int, n_due: int) -> None:
    catalog = load_catalog(ROOT / "sop", ROOT / "rules")
    spec = catalog.get(SOP)
    started = time.perf_counter()
    n_due = fill(store, spec, n_open, n_due)
    filled = time.perf_counter() - started
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    service = TicketService(catalog, store, ManualClock(NOW))
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        with store.read() as tx:
            found = tx.due_ticket_ids(NOW, 500)
        timings.append(time.perf_counter() - t)
    query_ms = sorted(timings)[len(timings) // 2] * 1000
    plan = due_plan(store)
    sweeper = Sweeper(service, batch=500)
    # The SOP's periodic steps (the monthly monev report) run after a pass once they are due:
    # the first time here. A running server ran them already; timed apart, not in the sweep.
    t = time.perf_counter()
    sweeper.periodic.run_once(NOW)
    periodic_s = time.perf_counter() - t
    t = time.perf_counter()
    applied = sweeper.run_once(NOW)
    sweep_s = time.perf_counter() - t
    t = time.perf_counter()
    again = service.sweep(NOW)
    empty_ms = (time.perf_counter() - t) * 1000
    goal = "met" if sweep_s < GOAL_S else "NOT met"
    print(
        f"{label:10} open={n_open:>9,} due={n_due:>6,} (filled in {filled:5.1f}s)  "
        f"due query (500 of {len(found)}): {query_ms:6.2f} ms  "
        f"sweep: {sweep_s:6.2f} s for {applied:,} deadlines "
        f"({sweep_s / max(applied, 1) * 1000:5.2f} ms each, {applied / sweep_s:6.0f}/s; "
        f"goal < {GOAL_S:.0f} s at 1,000 due: {goal})  "
        f"next sweep, nothing due: {empty_ms:5.2f} ms ({again} applied)"
    )
    print(f"{'':10} periodic steps, first run (monthly report, every ticket): {periodic_s:.2f} s")
    print(f"{'':10} due query plan: {plan}")
    assert applied == n_due, f"applied {applied}, expected {n_due}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=100_000, help="open tickets")
    parser.add_argument("--due", type=float, default=0.01, help="fraction of them due")
    parser.add_argument("--due-count", type=int, default=None, help="how many due (not --due)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    n_due = args.due_count if args.due_count is not None else int(args.open * args.due)
    python = sys.version.split()[0]
    print(f"bench_sweep: {args.open:,} open tickets, {n_due:,} due; python {python}")
    for label, store in stores(args.backend):
        measure(label, store, args.open, n_due)


if __name__ == "__main__":
    main()
