"""How long `sop demo` takes to load its data set: N tickets (default 300) of the bundled SOPs
over 90 days of a manual clock, through the ticket service (engine/app/demo), on an SQLite
file in a temporary folder and, when 127.0.0.1:5432 answers, on PostgreSQL (a throw-away
schema). Prints the wall and CPU seconds, events posted and swept, tickets closed and late.
The command's own start-up (imports, loading the SOPs) is not counted.

    .venv/bin/python bench/bench_demo.py [--tickets 300] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import stores  # noqa: E402

from engine.app.demo import DemoValues, load_demo, values_file  # noqa: E402
from engine.app.service import TicketService  # noqa: E402
from engine.core.clock import ManualClock  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402

END = datetime.fromisoformat("2025-04-01T17:00:00+07:00")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "sop", ROOT / "rules")
    values = {s: DemoValues.load(values_file(ROOT / "sop", s)) for s in catalog.sop_ids()}
    start = END - timedelta(days=90)
    for label, store in stores(args.backend):
        clock = ManualClock(start)
        service = TicketService(catalog, store, clock)
        wall, cpu = time.perf_counter(), time.process_time()
        made = load_demo(service, clock, values, tickets=args.tickets, start=start, end=END)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{label}: {made.tickets} tickets in {wall:.1f} s (CPU {cpu:.1f} s): "
            f"{made.events} events posted, {made.swept} swept; {made.closed} closed, "
            f"{made.late} late; {sum(len(s) for s in made.steps.values())} steps reached"
        )


if __name__ == "__main__":
    main()
