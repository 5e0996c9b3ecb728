"""A small data set on the seed SOP whose January 2025 monev figures are computed by hand in
test_monev_figures.py. Times are Surabaya local (WIB, UTC+7); no public holiday falls on the
working days used (6-24 January 2025).

T1 (DSDABM): every intake step in 1 hour; the agency answers after 30 hours (late: 24 hours);
   follows up in 2 working days; sent back for correction; the second follow-up pauses from
   Friday 12:00 to Monday 12:00 (1 working day) and is done Monday 15:00 (0.25 working day
   after the pause is deducted); validated after 12 hours; the reporter confirms after 1 day;
   closed and replied within the hour each. Closed 15 January.
T2 (DPRKPP): intake in 1 hour each; answered in 1 hour; followed up in 1 working day; checked
   and validated in 1 hour each; no confirmation: the sweeper moves it to the second
   notification at the 7th day (15 January 18:00), and closes it (step 14) 7 days later
   (22 January 18:00, applied by the sweep of the 24th); it waits for the reply (step 15).
T3 (DSDABM): outside the city's authority: entered into the national system, closed and replied
   within the hour each. Closed 20 January.
T4 (DSDABM): routed 21 January 15:00, never answered: the sweeper reminds the agency on
   22 January (late), 23 January (reminder) and 24 January (reminder plus an escalation).
T5 (no agency yet): received 31 January 20:00, nothing more.
T6 (no agency yet): received 1 February 00:30 (31 January 17:30 UTC): not in January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from tests.support.seed import OTHER_CHANNEL, ROUTING, WIB

SOP = "surabaya-complaints"
FOLLOW_UP = {"follow_up_text": "Sudah ditambal", "follow_up_photo": "https://example.org/f.jpg"}
INTAKE = ("accept", "triage", "entered", "responded")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=WIB)


@dataclass(frozen=True)
class Tickets:
    t1: str
    t2: str
    t3: str
    t4: str
    t5: str
    t6: str


class Maker:
    def __init__(self, service: TicketService, clock: ManualClock) -> None:
        self.service, self.clock = service, clock

    def new(self, when: datetime) -> str:
        self.clock.set(when)
        return self.service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="u").id

    def post(self, ticket: str, when: datetime, event: str, actor: str = "staff", **data) -> None:
        self.clock.set(when)
        self.service.post_event(ticket, event, actor, data, user="u")

    def sweep(self, when: datetime) -> None:
        self.clock.set(when)
        self.service.sweep()

    def intake(self, ticket: str, month: int, day: int, agency: str) -> None:
        """Steps 1-4 at 10:00, 11:00, 12:00, 13:00 (the ticket was made at 09:00)."""
        for hour, event in zip((10, 11, 12, 13), INTAKE, strict=True):
            data = {"response_text": "Kami proses"} if event == "responded" else {}
            if event == "entered":
                data = {**ROUTING, "agency": agency}
            self.post(ticket, at(month, day, hour), event, **data)


def build(service: TicketService, clock: ManualClock) -> Tickets:
    m = Maker(service, clock)
    t1 = m.new(at(1, 6, 9))
    m.intake(t1, 1, 6, "DSDABM")
    m.post(t1, at(1, 6, 14), "within_authority")
    m.post(t1, at(1, 6, 15), "routed")
    t2 = m.new(at(1, 7, 9))
    m.intake(t2, 1, 7, "DPRKPP")
    m.post(t2, at(1, 7, 14), "within_authority")
    m.post(t2, at(1, 7, 15), "routed")
    m.post(t2, at(1, 7, 16), "agency_responded", "agency")
    m.post(t1, at(1, 7, 21), "agency_responded", "agency")
    m.post(t2, at(1, 8, 16), "follow_up_submitted", "agency", **FOLLOW_UP)
    m.post(t2, at(1, 8, 17), "substance_ok")
    m.post(t2, at(1, 8, 18), "validated")
    m.post(t1, at(1, 9, 21), "follow_up_submitted", "agency", **FOLLOW_UP)
    m.post(t1, at(1, 10, 9), "substance_not_ok", correction_note="Foto tidak jelas")
    m.post(t1, at(1, 10, 12), "info_requested", "agency", info_request="Di mana tepatnya?")
    m.post(t1, at(1, 13, 12), "info_provided", "reporter")
    m.post(t1, at(1, 13, 15), "follow_up_submitted", "agency", **FOLLOW_UP)
    m.post(t1, at(1, 13, 21), "substance_ok")
    m.post(t1, at(1, 14, 9), "validated")
    m.post(t1, at(1, 15, 9), "confirmed", "reporter", reporter_response="Terima kasih")
    m.post(t1, at(1, 15, 10), "close")
    m.post(t1, at(1, 15, 11), "replied", reply_text="Selesai")
    m.sweep(at(1, 15, 18))  # T2: 7 days without confirmation
    t3 = m.new(at(1, 20, 9))
    m.intake(t3, 1, 20, "DSDABM")
    m.post(t3, at(1, 20, 14), "outside_authority")
    m.post(t3, at(1, 20, 15), "entered_national", national_reference="LAPOR-1")
    m.post(t3, at(1, 20, 16), "close")
    m.post(t3, at(1, 20, 17), "replied", reply_text="Diteruskan ke SP4N-LAPOR!")
    t4 = m.new(at(1, 21, 9))
    m.intake(t4, 1, 21, "DSDABM")
    m.post(t4, at(1, 21, 14), "within_authority")
    m.post(t4, at(1, 21, 15), "routed")
    m.sweep(at(1, 22, 16))  # 24 hours passed: late, first reminder
    m.sweep(at(1, 24, 16))  # the timer: a reminder (23rd), then a reminder and an escalation
    t5 = m.new(at(1, 31, 20))
    t6 = m.new(at(2, 1, 0, 30))
    return Tickets(t1, t2, t3, t4, t5, t6)
