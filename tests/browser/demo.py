"""A small, known data set for the pages, made over HTTP on a real server with a manual clock.

    sop_root(tmp) -> (sop folder, rules folder)    the seed r1 and the test-only r2 side by side
    seed(journey) -> Demo                          tickets in several states, one of them late

The clock starts on Monday 6 January 2025, 09:00 in Surabaya (tests.support.seed.MONDAY).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.api.journey import FOLLOW_UP, Journey
from tests.support.seed import OTHER_CHANNEL, ROOT, ROUTING

SOP = "surabaya-complaints"
REVISIONS = ROOT / "tests" / "revisions"


def sop_root(tmp: Path) -> tuple[Path, Path]:
    sop_dir, rules = tmp / "sop" / SOP, tmp / "rules"
    sop_dir.mkdir(parents=True)
    rules.mkdir()
    shutil.copy(ROOT / "sop" / SOP / "r1.yaml", sop_dir / "r1.yaml")
    shutil.copy(REVISIONS / "sop" / SOP / "r2.yaml", sop_dir / "r2.yaml")
    shutil.copy(ROOT / "rules" / f"{SOP}-r1.yaml", rules / f"{SOP}-r1.yaml")
    shutil.copy(REVISIONS / "rules" / f"{SOP}-r2.yaml", rules / f"{SOP}-r2.yaml")
    return tmp / "sop", rules


@dataclass(frozen=True)
class Demo:
    late: str  # its agency answered the 24-hour first response after 30 hours
    looped: str  # sent back once for correction, then validated
    closed: str  # no confirmation: closed by the system after 7 + 7 days, replied
    fresh: str  # just received


def seed(j: Journey) -> Demo:
    late = j.create(dict(OTHER_CHANNEL, complaint_text="Lampu jalan mati <b>sejak</b> Senin"))["id"]
    j.to_follow_up(late)  # routed to DSDABM; the first response came at once
    looped = j.create()["id"]
    j.to_authority_check(looped)
    j.post(looped, "within_authority", "staff", {"agency": "DPRKPP"})
    j.post(looped, "routed", "staff")
    closed = j.create()["id"]
    j.to_confirmation(closed)
    j.advance("30 hours")  # `looped` waits 30 h for its first response: late (24 hours)
    j.post(looped, "agency_responded", "agency", {"agency_response_text": "Kami cek"})
    j.post(looped, "follow_up_submitted", "agency", FOLLOW_UP)
    j.post(looped, "substance_not_ok", "staff", {"correction_note": "Foto tidak jelas"})
    j.post(looped, "follow_up_submitted", "agency", FOLLOW_UP)
    j.post(looped, "substance_ok", "staff")
    j.post(looped, "validated", "staff")
    j.advance("4 working days")  # `late` has not followed up in 3 working days: overdue
    j.advance("11 days")  # `closed`: 7 days without confirmation, 7 more, closed by the system
    j.post(closed, "replied", "staff", {"reply_text": "Pengaduan selesai ditindaklanjuti"})
    fresh = j.create(dict(OTHER_CHANNEL, **ROUTING))["id"]
    return Demo(late=late, looped=looped, closed=closed, fresh=fresh)
