"""Events/s through engine.core.apply on the seed SOP, and bytes per ticket record, against
the bare cost of one transitions trigger plus one rules evaluation measured in the same run.

Three figures, each against that floor (trigger + evaluation):
- `apply` alone, the ticket kept in memory between events;
- a stateless event, as the service decides one: the stored record decoded from its JSON
  text, the event applied, the new record encoded (engine.store.record_of: the record without
  the finished runs, which the store writes once each, apart); goal >= 40% of the floor;
- the stored record of a closed seed ticket and what one event adds (its finished run), in
  bytes; goal <= 2 KB.

    .venv/bin/python bench/bench_apply.py [--tickets 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.core import apply, catch_up, compile_revision, new_ticket  # noqa: E402
from engine.core.machine import fire  # noqa: E402
from engine.core.model import Event, Ticket  # noqa: E402
from engine.spec.load import load_revision  # noqa: E402
from engine.store import codec  # noqa: E402
from engine.store.store import record_of  # noqa: E402
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


def stateless(rev, n: int) -> tuple[float, int, int, int]:
    """Walk one ticket as the service does: each event decided on a record read from its
    JSON text, and the new record encoded. Returns (seconds spent on the events, events,
    bytes of the closed record, bytes of the finished runs written apart)."""
    now = MONDAY
    made = new_ticket(rev, f"S-{n}", dict(OTHER_CHANNEL), now).ticket
    text = json.dumps(record_of(made), separators=(",", ":"))
    runs = sum(len(codec.dumps(r)) for r in made.history)
    spent, events = 0.0, 0
    for name, actor, data in SCRIPT:
        now += timedelta(hours=2)
        t0 = time.perf_counter()
        ticket = codec.decode(Ticket, json.loads(text))
        after = apply(rev, ticket, Event(name, actor, data), now).ticket
        text = json.dumps(record_of(after), separators=(",", ":"))
        spent += time.perf_counter() - t0
        runs += sum(len(codec.dumps(r)) for r in after.history)
        events += 1
    ticket = codec.decode(Ticket, json.loads(text))
    caught = catch_up(rev, ticket, now + timedelta(days=15), most=100)
    for outcome in caught.outcomes:
        runs += sum(len(codec.dumps(r)) for r in outcome.ticket.history[-1:])
    closed = apply(
        rev,
        caught.ticket,
        Event("replied", "staff", {"reply_text": "ok"}),
        now + timedelta(days=15),
    ).ticket
    record = len(json.dumps(record_of(closed), separators=(",", ":")).encode())
    return spent, events, record, runs


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
    # One evaluation by durable_rules: the engine remembers the answers to its last messages
    # (`RulesEngine._matching`), so the memo is emptied before each, or the floor would time
    # a dictionary lookup (7 us where durable takes ~50).
    forget = engine._matching.cache_clear
    t0 = time.perf_counter()
    for _ in range(rounds):
        forget()
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

    spent = events = 0
    for n in range(args.tickets):
        took, walked, record, runs = stateless(rev, n)
        spent, events = spent + took, events + walked
    floor = trigger + rules
    per_stateless = spent / events

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [run_ticket(rev, n)[0] for n in range(200)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    whole = len(codec.dumps(kept[0]).encode())

    print(f"apply: {total} events over {args.tickets} tickets in {elapsed:.2f} s")
    print(
        f"apply: {total / elapsed:,.0f} events/s, {per_event * 1e6:.0f} us/event (goal >= 5,000/s)"
    )
    print(
        f"floor: transitions trigger {trigger * 1e6:.1f} us + rules evaluation {rules * 1e6:.1f} us"
        f" = {floor * 1e6:.1f} us"
    )
    print(
        f"apply alone:     {per_event * 1e6:6.0f} us/event = {floor / per_event:4.0%} of the floor"
    )
    share = floor / per_stateless
    print(
        f"stateless event: {per_stateless * 1e6:6.0f} us/event = {share:4.0%} of the floor"
        " (decode the stored record, apply, encode; goal >= 40%)"
    )
    done = len(kept[0].history)
    print(
        f"closed seed ticket: stored record {record:,} B (goal <= 2,048 B); its {done} finished"
        f" runs {runs:,} B, written once each ({runs / max(1, done):,.0f} B per finished step)"
    )
    print(
        f"                    the whole ticket in memory {grown / len(kept):,.0f} B, as one JSON"
        f" {whole:,} B (the record before the runs moved out)"
    )


if __name__ == "__main__":
    main()
