"""What masking personal data in free text costs (engine.core.masking), on one seed ticket with
50 log entries of 2 KB of text each, and on a page of 100 ordinary tickets.

The ticket loops between steps 9 and 10 (the agency's follow-up, refused for its substance)
until its log has 50 entries: each follow-up and each correction note is 2 KB of Indonesian
text naming the reporter and a phone number (with dates, a time and an amount that must stay);
each refusal sends the agency a notification quoting the note. Prints, in milliseconds (median
of `--rounds`):

- the read path: the ticket and its 50-entry timeline as an auditor reads them (masked) beside
  an operator (not masked), the presenters of the API and the web page included;
- the write path: posting the refusal, and the part of it spent reading the personal values
  from the log and masking the notification (`TicketService._mask_notifications`);
- a page of 100 tickets (8 entries each) as an auditor lists it, beside an operator.

    .venv/bin/python bench/bench_masking.py [--rounds 20] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import FIELDS, WALK, stores  # noqa: E402

from api.present.tickets import Reader, entry_view, ticket_view  # noqa: E402
from engine import core  # noqa: E402
from engine.app.service import TicketService  # noqa: E402
from engine.core.clock import ManualClock  # noqa: E402
from engine.core.masking import ticket_masker  # noqa: E402
from engine.core.model import Event  # noqa: E402
from engine.spec.catalog import load_catalog  # noqa: E402
from tests.support.seed import MONDAY  # noqa: E402

SOP = "surabaya-complaints"
SENTENCE = (
    "Warga atas nama Budi Santoso (hp 0812-3456-7890) melaporkan saluran air di Jl. Raya Darmo "
    "tersumbat sejak 2024-01-15; petugas datang pukul 08.30 dan biaya Rp 1.250.000 diajukan. "
)
TEXT = (SENTENCE * (2048 // len(SENTENCE) + 1))[:2048]
ENTRIES = 50
AUDITOR, OPERATOR = Reader(sees_personal_data=False), Reader(sees_personal_data=True)


def median_ms(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def to_follow_up(service: TicketService) -> str:
    tid = service.create_ticket(SOP, dict(FIELDS), actor="staff", user="bench").id
    for event, actor, data in WALK[:7]:  # to step 9: the agency's follow-up
        service.post_event(tid, event, actor, dict(data), user="bench")
    return tid


def loop_once(service: TicketService, tid: str) -> None:
    follow_up = {"follow_up_text": TEXT, "follow_up_photo": "https://example.org/f.jpg"}
    service.post_event(tid, "follow_up_submitted", "agency", follow_up, user="bench")
    service.post_event(tid, "substance_not_ok", "staff", {"correction_note": TEXT}, user="bench")


def view(service: TicketService, tid: str, reader: Reader) -> int:
    """The ticket page's work: the record, its timeline, both presented for `reader` (the
    masker built from the timeline read, as api.views.access.masker does)."""
    record = service.get_ticket(tid)
    timeline = service.timeline(tid)
    seen = [record.ticket.fields, *(e["data"] for e in timeline)]
    masker = ticket_masker(record.spec, seen if not reader.sees_personal_data else ())
    now = service.clock.now()
    ticket_view(record, now, reader, masker)
    return len([entry_view(record.spec, e, reader, masker) for e in timeline])


def run(label: str, store: Any, rounds: int) -> None:
    catalog = load_catalog(ROOT / "sop", ROOT / "rules")
    service = TicketService(catalog, store, ManualClock(MONDAY))
    tid = to_follow_up(service)
    while len(service.timeline(tid)) < ENTRIES:
        loop_once(service, tid)
    entries = len(service.timeline(tid))
    print(f"{label}: a ticket of {entries} entries, 2 KB of text in each but the first few")

    auditor = median_ms(lambda: view(service, tid, AUDITOR), rounds)
    operator = median_ms(lambda: view(service, tid, OPERATOR), rounds)
    print(f"  ticket + timeline, auditor  {auditor:7.2f} ms (operator, unmasked: {operator:.2f})")

    # The write path's masking alone, on the refusal's outcome (decided, not stored).
    follow_up = {"follow_up_text": TEXT, "follow_up_photo": "https://example.org/f.jpg"}
    service.post_event(tid, "follow_up_submitted", "agency", follow_up, user="bench")
    record = service.get_ticket(tid)
    rev = service.compiled(record.spec)
    refusal = Event("substance_not_ok", "staff", {"correction_note": TEXT})
    outcome = core.apply(rev, record.ticket, refusal, service.clock.now())
    assert outcome.notifications

    def mask_once() -> None:
        with store.read() as tx:
            service._mask_notifications(tx, record.spec, outcome)

    masking = median_ms(mask_once, rounds)
    posts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        service.post_event(tid, "substance_not_ok", "staff", {"correction_note": TEXT}, user="b")
        posts.append(time.perf_counter() - t0)
        service.post_event(tid, "follow_up_submitted", "agency", follow_up, user="bench")
    post = statistics.median(posts) * 1000
    print(f"  post a refusal (notifies)   {post:7.2f} ms, of which masking {masking:6.2f} ms")

    for _ in range(100):
        to_follow_up(service)

    def listed(reader: Reader) -> None:
        """What GET /v1/tickets does (api.views.access.maskers: the log is read for an
        auditor only)."""
        records = service.list_tickets(sop_id=SOP, limit=100).items
        if reader.sees_personal_data:
            found = {r.id: ticket_masker(r.spec) for r in records}
        else:
            found = service.maskers(records)
        now = service.clock.now()
        for r in records:
            ticket_view(r, now, reader, found[r.id])

    auditor = median_ms(lambda: listed(AUDITOR), rounds)
    operator = median_ms(lambda: listed(OPERATOR), rounds)
    print(f"  100 tickets listed, auditor {auditor:7.2f} ms (operator, unmasked: {operator:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for label, store in stores(args.backend):
        run(label, store, args.rounds)


if __name__ == "__main__":
    main()
