"""The time of one /metrics scrape's store read (engine.app.gauges) at N open tickets.

    .venv/bin/python bench/bench_metrics.py --open 100000 --backend both

Fills a store with N open tickets spread over the seed SOP's steps (plus a fifth as many
closed ones, which the count must skip), one deadline per open ticket (1% due, unswept) and
as many outbox rows (2% pending, 0.1% dead), written with bulk INSERTs (the service would
take minutes), then times `read_gauges` (best and median of --repeat): the part of a scrape
that grows with the store (the counters are in memory or in a few small files).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import stores  # noqa: E402

from engine.app.gauges import read_gauges  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402
from engine.store.tables import DeadlineRow, OutboxRow, TicketRow  # noqa: E402

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
BATCH = 5000
RECORD = {"fields": {"text": "x" * 600}, "log_size": 8}  # a record of about the usual size


def fill(store: object, n_open: int) -> None:
    catalog = load_catalog(str(Path(__file__).resolve().parents[1] / "sop"))
    spec = next(iter(catalog))
    steps = [s.id for s in spec.ticket_steps]
    n_closed = n_open // 5
    tickets, deadlines, outbox = [], [], []
    engine = store.engine  # type: ignore[attr-defined]

    def flush() -> None:
        with engine.begin() as conn:
            if tickets:
                conn.execute(TicketRow.__table__.insert(), tickets)
            if deadlines:
                conn.execute(DeadlineRow.__table__.insert(), deadlines)
            if outbox:
                conn.execute(OutboxRow.__table__.insert(), outbox)
        tickets.clear()
        deadlines.clear()
        outbox.clear()

    for i in range(n_open + n_closed):
        tid = f"BENCH{i:010d}"
        is_open = i < n_open
        created = NOW - timedelta(days=90) + timedelta(seconds=i)
        tickets.append(
            {
                "id": tid,
                "sop_id": spec.sop_id,
                "revision": spec.revision,
                "spec_hash": "0" * 64,
                "state": steps[i % len(steps)] if is_open else "end",
                "status": None,
                "breached": False,
                "version": 3,
                "created": created,
                "closed": None if is_open else created + timedelta(days=3),
                "external_ref": None,
                "record": RECORD,
                "updated": created,
            }
        )
        if is_open:
            due = NOW - timedelta(hours=2) if i % 100 == 0 else NOW + timedelta(days=2)
            deadlines.append({"ticket_id": tid, "kind": "sla", "name": "x", "due": due})
            status = "dead" if i % 1000 == 1 else "pending" if i % 50 == 2 else "delivered"
            outbox.append(
                {
                    "notification_id": f"n-{tid}",
                    "ticket_id": tid,
                    "to_actor": "someone",
                    "payload": {},
                    "status": status,
                    "attempts": 1 if i % 100 == 2 else 0,
                    "next_attempt_at": created,
                    "done_channels": [],
                    "created": created,
                }
            )
        if len(tickets) >= BATCH:
            flush()
    flush()
    if store.dialect == "postgresql":  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open tickets")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for label, store in stores(args.backend):
        started = time.perf_counter()
        fill(store, args.open)
        filled = time.perf_counter() - started
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            gauges = read_gauges(store, NOW)
            times.append(time.perf_counter() - t0)
        open_total = sum(n for _, _, n in gauges.open_tickets)
        assert open_total == args.open, open_total
        print(
            f"{label}: {args.open:,} open tickets ({len(gauges.open_tickets)} steps), "
            f"{gauges.deadlines_due:,} due, {gauges.outbox_pending:,} pending, "
            f"{gauges.outbox_dead:,} dead (filled in {filled:.0f} s): one gauges read "
            f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
