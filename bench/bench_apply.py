"""Events/s through engine.core.apply on the seed SOP, and bytes per ticket record, against
the bare cost of one transitions trigger plus one rules evaluation measured in the same run.

    .venv/bin/python bench/bench_apply.py [--tickets 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.core import apply, catch_up, compile_revision, new_ticket  # noqa: E402
from engine.core.machine import fire  # noqa: E402
from engine.core.model import Event  # noqa: E402
from engine.spec.load import load_revision  # noqa: E402
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROUTING  # noqa: E402

SCRIPT = [
    ("accept", "staff", {}),
    ("triage", "staff", {}),
    ("entered", "staff", ROUTING),
    ("responded", "staff", {"response_text": "Terima kasih"}),
    ("within_authority", "staff", {}),
    ("routed", "staff", {}),
    ("agency_responded", "agency", {}),
    ("info_requested", "agency", {"info_request": "Nomor rumah?"}),
    ("info_provided", "reporter", {}),
    (
        "follow_up_submitted",
        "agency",
        {"follow_up_text": "Sudah", "follow_up_photo": "https://example.org/f.jpg"},
    ),
    ("substance_not_ok", "staff", {"correction_note": "Foto buram"}),
    (
        "follow_up_submitted",
        "agency",
        {"follow_up_text": "Sudah", "follow_up_photo": "https://example.org/g.jpg"},
    ),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
]


def run_ticket(rev, n: int):
    now = MONDAY
    ticket = new_ticket(rev, f"B-{n}", dict(OTHER_CHANNEL), now).ticket
    events = 1
    for name, actor, data in SCRIPT:
        now += timedelta(hours=2)
        ticket = apply(rev, ticket, Event(name, actor, data), now).ticket
        events += 1
    now += timedelta(days=15)  # no confirmation: second notice, automatic close
    caught = catch_up(rev, ticket, now, most=100)
    ticket, events = caught.ticket, events + len(caught.outcomes)
    ticket = apply(rev, ticket, Event("replied", "staff", {"reply_text": "ok"}), now).ticket
    return ticket, events + 1


def bare_cost(rev, rounds: int) -> tuple[float, float]:
    fields = {**OTHER_CHANNEL, **ROUTING}
    t0 = time.perf_counter()
    for _ in range(rounds):
        fire(rev.machine, "check_authority", "within_authority", fields, {})
    trigger = (time.perf_counter() - t0) / rounds
    engine = rev.rules
    fact = {
        "trigger": "event",
        "name": "routed",
        "state": "await_agency_response",
        "actor": "staff",
        "count": 0,
        "field": fields,
        "data": {},
    }
    t0 = time.perf_counter()
    for _ in range(rounds):
        engine.evaluate(fact)
    return trigger, (time.perf_counter() - t0) / rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=400)
    args = parser.parse_args()
    rev = compile_revision(load_revision(ROOT / "sop/surabaya-complaints/r1.yaml"))
    run_ticket(rev, -1)  # warm caches: holidays
    t0 = time.perf_counter()
    total = 0
    for n in range(args.tickets):
        ticket, events = run_ticket(rev, n)
        total += events
    elapsed = time.perf_counter() - t0
    per_event = elapsed / total
    trigger, rules = bare_cost(rev, 5000)

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [run_ticket(rev, n)[0] for n in range(200)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    record = len(json.dumps(asdict(kept[0]), default=str).encode())

    print(f"apply: {total} events over {args.tickets} tickets in {elapsed:.2f} s")
    print(
        f"apply: {total / elapsed:,.0f} events/s, {per_event * 1e6:.0f} us/event (goal >= 5,000/s)"
    )
    print(
        f"bare:  transitions trigger {trigger * 1e6:.1f} us + rules evaluation {rules * 1e6:.1f} us"
    )
    print(
        f"       = {(trigger + rules) * 1e6:.1f} us; "
        f"apply costs x{per_event / (trigger + rules):.1f} that"
    )
    print(f"ticket record: {grown / len(kept):,.0f} B in memory (closed ticket, full history),")
    print(f"               {record:,} B as JSON")


if __name__ == "__main__":
    main()
