"""Replay speed (issue 5): stored tickets re-run against a candidate revision, in tickets/s.

    .venv/bin/python bench/bench_replay.py                       # 100,000 tickets, SQLite
    .venv/bin/python bench/bench_replay.py --tickets 10000 --backend both --jobs 2

The store is filled with seed-SOP tickets of r1: 50 ticket lives are built with the core (five
paths: a quick close, a follow-up over r2's limit, the reporter never confirming so the rules
close it, an agency answering late after reminders with a paused follow-up, one still open at
step 9; each started at several times of the week) and saved through the store (`Tx.save`);
their rows are then copied in bulk under the other ids (tests/support/copies.py, each copy's
hash chain computed for its id). The candidate is the test-only r2 (tests/revisions). Printed:
the fill time; the floor: the first --sample tickets (5,000) replayed in this process as
`--jobs 1` replays them (tickets/s, and their histories read alone); then the whole replay
over --jobs worker processes [one per core] (engine/app/processes.py), its wall time and
tickets/s, and the ratio to the floor of the same run. PostgreSQL: SOP_BENCH_DATABASE_URL,
else postgresql://127.0.0.1:5432/test, in a fresh schema dropped after.

Figures (2 shared cores; see the top-level README for the last):
    before (one process): 100,000 tickets filled in 345 s through Tx.save; replay 305 s,
                328 tickets/s (histories read alone 1,703 tickets/s)
    with two other test suites running on the same 2 cores (load average 3-3.6): filled in
                152 s; floor 179 tickets/s; --jobs 2 475.9 s, 210 tickets/s = 1.18x the floor
The time goes to the core re-deciding every event and timer (a ticket left open at step 9 since
February has its reminder timer fire every working day up to `AS_OF`): about 27 log entries per
ticket, 12 of them posted; 70% of it rendering and masking the notifications of timers and
rules (engine/core/reactions.py), which a replay does not use.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import stores, url_of  # noqa: E402

from engine import core  # noqa: E402
from engine.app.processes import Processes, default_jobs  # noqa: E402
from engine.app.revisions.replay import replay_store, replay_ticket  # noqa: E402
from engine.app.revisions.replay_report import ReplayReport  # noqa: E402
from engine.app.revisions.stored import ticket_histories, ticket_ids  # noqa: E402
from engine.app.service import ticket_scopes  # noqa: E402
from engine.core.model import Event, LogEntry, Outcome, Ticket  # noqa: E402
from engine.spec.load import load_revision  # noqa: E402
from engine.spec.model import Spec  # noqa: E402
from engine.store import Store  # noqa: E402
from tests.support.copies import copy_tickets  # noqa: E402

SOP = "surabaya-complaints"
WIB = timezone(timedelta(hours=7))
START = datetime(2025, 2, 3, 9, 0, tzinfo=WIB)  # a Monday
AS_OF = datetime(2025, 6, 2, 9, 0, tzinfo=WIB)
FIELDS = {
    "reporter_name": "Budi",
    "reporter_phone": "+6281234567890",
    "channel": "instagram",
    "social_media": "@budi",
    "complaint_text": "Jalan berlubang",
    "attachment": "https://example.org/foto.jpg",
    "location": "Jl. Raya Darmo 1",
}
ROUTING = {"category": "Infrastruktur", "topic": "Jalan", "agency": "DSDABM"}
DONE = {"follow_up_text": "Sudah ditambal", "follow_up_photo": "https://example.org/f.jpg"}
H = timedelta(hours=1)
PREFIX = "R"
GOAL_S = 180  # 100,000 tickets in under 3 minutes on 2 cores

# Each path: (event, actor, data, wait before it). A wait lets due deadlines and timers fire.
TO_FOLLOW_UP = [
    ("accept", "staff", {}, H),
    ("triage", "staff", {}, H),
    ("entered", "staff", ROUTING, H),
    ("responded", "staff", {"response_text": "Kami proses"}, H),
    ("within_authority", "staff", {}, H),
    ("routed", "staff", {}, H),
]
CLOSE = [
    ("confirmed", "reporter", {"reporter_response": "Terima kasih"}, 5 * H),
    ("close", "staff", {}, H),
    ("replied", "staff", {"reply_text": "Selesai"}, H),
]
PATHS = {
    "quick": [
        *TO_FOLLOW_UP,
        ("agency_responded", "agency", {}, 3 * H),
        ("follow_up_submitted", "agency", DONE, 20 * H),
        ("substance_ok", "staff", {}, H),
        ("validated", "staff", {}, H),
        *CLOSE,
    ],
    "late": [
        *TO_FOLLOW_UP,
        ("agency_responded", "agency", {}, 3 * H),
        ("follow_up_submitted", "agency", DONE, 60 * H),
        ("substance_not_ok", "staff", {"correction_note": "Foto kurang jelas"}, H),
        ("follow_up_submitted", "agency", DONE, 10 * H),
        ("substance_ok", "staff", {}, H),
        ("validated", "staff", {}, H),
        *CLOSE,
    ],
    "auto_close": [
        *TO_FOLLOW_UP,
        ("agency_responded", "agency", {}, 3 * H),
        ("follow_up_submitted", "agency", DONE, 20 * H),
        ("substance_ok", "staff", {}, H),
        ("validated", "staff", {}, H),
        ("replied", "staff", {"reply_text": "Ditutup otomatis"}, 15 * 24 * H),
    ],
    "reminded": [
        *TO_FOLLOW_UP,
        ("agency_responded", "agency", {}, 3 * 24 * H),
        ("info_requested", "agency", {"info_request": "Di mana tepatnya?"}, H),
        ("info_provided", "reporter", {}, 2 * 24 * H),
        ("follow_up_submitted", "agency", DONE, 5 * H),
        ("substance_ok", "staff", {}, H),
    ],
    "open": [*TO_FOLLOW_UP, ("agency_responded", "agency", {}, 2 * H)],
}


def live(rev: core.CompiledRevision, path: list, start: datetime) -> tuple[Ticket, list[LogEntry]]:
    """One ticket's life through the core, with the sweeps a server would make."""
    out = core.new_ticket(rev, "TEMPLATE", dict(FIELDS), start, actor="staff")
    ticket, log, now = out.ticket, list(out.log), start
    for event, actor, data, wait in path:
        now += wait
        ticket = _sweep(rev, ticket, log, now)
        out = core.apply(rev, ticket, Event(event, actor, dict(data), now), now)
        ticket = out.ticket
        log += out.log
    return _sweep(rev, ticket, log, AS_OF), log


def _sweep(
    rev: core.CompiledRevision, ticket: Ticket, log: list[LogEntry], now: datetime
) -> Ticket:
    caught = core.catch_up(rev, ticket, now, most=1000)
    log += [e for o in caught.outcomes for e in o.log]
    return caught.ticket


def templates(spec: Spec) -> list[tuple[Ticket, list[LogEntry]]]:
    starts = [START + timedelta(days=d, hours=h) for d in range(5) for h in (0, 7)]
    rev = core.compile_revision(spec)
    return [live(rev, path, s) for path in PATHS.values() for s in starts]


def fill(store: Store, spec: Spec, n: int) -> int:
    """n tickets: the first lives saved through Tx.save, then their rows copied in bulk under
    the other ids (tests.support.copies); returns the log entries written."""
    lives = templates(spec)
    scopes = ticket_scopes(spec, lives[0][0])
    fields = {a.id: a.scope_field for a in spec.actors if a.scope_field}
    events = 0
    saved = []
    with store.write() as tx:
        for i, (ticket, log) in enumerate(lives[:n]):
            tid = f"{PREFIX}{i:09d}"
            copy = replace(ticket, id=tid)
            entries = tuple(replace(e, ticket_id=tid) for e in log)
            deadlines = tuple(core.pending_deadlines(copy))
            outcome = Outcome(copy, entries, (), deadlines)
            tx.save(outcome, expected_version=None, scopes=scopes, scope_fields=fields)
            events += len(entries)
            saved.append(tid)
    return events + copy_tickets(store, saved, PREFIX, range(len(saved), n))


def floor(store: Store, candidate: Spec, sample: int) -> tuple[float, float, int]:
    """The first `sample` tickets replayed in this process, as `--jobs 1` replays them: (replay
    seconds, seconds reading their histories alone, their posted events)."""
    ids = ticket_ids(store, SOP)[:sample]
    upto = ids[-1] if ids else None
    t = time.perf_counter()
    posted = sum(len(h.posted) for h in ticket_histories(store, SOP, upto=upto))
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    report = ReplayReport(candidate, AS_OF)
    rev = core.compile_revision(candidate)
    for history in ticket_histories(store, SOP, upto=upto):
        replayed = replay_ticket(rev, history, AS_OF)
        report.add(history.ticket, replayed.ticket, replayed.refusals)
    assert report.tickets == len(ids), report.tickets
    return time.perf_counter() - t, read_s, posted


def measure(label: str, store: Store, n: int, jobs: int, sample: int) -> None:
    r1 = load_revision(ROOT / "sop" / SOP / "r1.yaml")
    r2 = load_revision(ROOT / "tests" / "revisions" / "sop" / SOP / "r2.yaml")
    t = time.perf_counter()
    events = fill(store, r1, n)
    filled = time.perf_counter() - t
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    sample = min(sample, n)
    floor_s, read_s, posted = floor(store, r2, sample)
    floor_rate = sample / floor_s
    t = time.perf_counter()
    report = replay_store(store, r2, AS_OF, processes=Processes(jobs, url_of(store)))
    replay_s = time.perf_counter() - t
    assert report.tickets == n, report.tickets
    rate = n / replay_s
    step9 = report.steps["follow_up"]
    goal = "met" if replay_s < GOAL_S else "NOT met"
    print(
        f"{label:10} tickets={n:>7,} log entries={events:>9,} (filled in {filled:6.1f}s)\n"
        f"{'':10} floor, 1 process, first {sample:,} tickets: {floor_s:6.1f}s "
        f"({floor_rate:6,.0f} tickets/s, {posted / floor_s:7,.0f} posted events/s; their "
        f"histories read alone {read_s:5.1f}s, {sample / read_s:6,.0f} tickets/s)\n"
        f"{'':10} replay against r2, --jobs {jobs}: {replay_s:6.1f}s ({rate:6,.0f} tickets/s "
        f"= {rate / floor_rate:4.2f}x the floor; 1 process: ~{n / floor_rate:5.0f}s); "
        f"goal < {GOAL_S:.0f}s at 100,000: {goal}\n"
        f"{'':10} step 9 met/breached stored {step9.stored['met']}/{step9.stored['breached']}, "
        f"candidate {step9.candidate['met']}/{step9.candidate['breached']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="stored tickets")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes [cores]")
    parser.add_argument(
        "--sample", type=int, default=5000, help="tickets replayed in 1 process: the floor"
    )
    args = parser.parse_args()
    if args.jobs < 1 or args.sample < 1:
        parser.error("--jobs and --sample take 1 or more")
    print(
        f"bench_replay: {args.tickets:,} stored tickets, --jobs {args.jobs}; "
        f"python {sys.version.split()[0]}"
    )
    for label, store in stores(args.backend):
        measure(label, store, args.tickets, args.jobs, args.sample)


if __name__ == "__main__":
    main()
