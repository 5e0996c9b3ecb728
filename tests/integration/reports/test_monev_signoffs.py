"""Sign-offs in monev: each sign-off's run counts as its own run under its step, with its own
unit and limit, so the report shows each officer's share within the limit."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.app.reports.monev import monev_report
from engine.app.reports.render import as_text
from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import load_catalog
from tests.support.seed import ROOT

WITA = timezone(timedelta(hours=8))
MONDAY = datetime(2025, 3, 3, 8, 0, tzinfo=WITA)
SOP = "practice-permit"


@pytest.fixture
def permit(store) -> tuple[TicketService, ManualClock]:
    clock = ManualClock(MONDAY)
    catalog = load_catalog(ROOT / "tests/sops/sop", ROOT / "tests/sops/rules")
    return TicketService(catalog, store, clock), clock


def _through_approval(service, clock, kasi_after: timedelta) -> str:
    tid = service.create_ticket(SOP, {"applicant_name": "Ni Luh"}, actor="officer", user="u").id
    service.post_event(tid, "drafted", "officer", {}, user="u")
    clock.advance(kasi_after)
    service.sweep()
    service.post_event(tid, "kasi_initialled", "kasi", {}, user="u")
    clock.advance(timedelta(hours=1))
    service.post_event(tid, "kabid_initialled", "kabid", {}, user="u")
    clock.advance(timedelta(hours=1))
    service.post_event(tid, "kepala_signed", "kepala", {}, user="u")
    service.post_event(tid, "signed_off", "officer", {}, user="u")
    return tid


def test_each_sign_off_is_counted_as_its_own_run_under_its_step(permit) -> None:
    service, clock = permit
    _through_approval(service, clock, timedelta(hours=1))
    _through_approval(service, clock, timedelta(hours=6))  # the Kasi's 4 hours pass
    spec = service.catalog.get(SOP)
    report = monev_report(service.store, spec, date(2025, 3, 1), date(2025, 4, 1), now=clock.now())
    ids = [s.id for s in report.total.steps]
    assert ids == [
        "verify",
        "approve",
        "approve.kasi",
        "approve.kabid",
        "approve.kepala",
        "hand_over",
    ]
    kasi = report.total.step("approve.kasi")
    assert (kasi.no, kasi.activity, kasi.time_limit) == (
        2,
        "Paraf Kepala Seksi Perizinan",
        "4 hours",
    )
    assert (kasi.entered, kasi.finished, kasi.with_limit, kasi.met) == (2, 2, 2, 1)
    assert kasi.share_met == 0.5
    assert kasi.unit == "hours"
    assert kasi.median == pytest.approx(3.5)  # 1 hour and 6 hours
    assert kasi.finished_by == {"kasi_initialled": 2}
    kabid = report.total.step("approve.kabid")
    assert (kabid.finished, kabid.met, kabid.unit) == (2, 2, "working_days")
    assert report.total.step("approve").finished == 2
    assert "approve.kasi" in as_text(report)


def test_a_rejected_sign_off_is_finished_by_the_reject(permit) -> None:
    service, clock = permit
    tid = service.create_ticket(SOP, {"applicant_name": "Ni Luh"}, actor="officer", user="u").id
    service.post_event(tid, "drafted", "officer", {}, user="u")
    service.post_event(tid, "kasi_initialled", "kasi", {}, user="u")
    service.post_event(tid, "sent_back", "kabid", {"return_reason": "Lampiran kurang."}, user="u")
    service.post_event(tid, "drafted", "officer", {}, user="u")
    spec = service.catalog.get(SOP)
    report = monev_report(service.store, spec, date(2025, 3, 1), date(2025, 4, 1), now=clock.now())
    kabid = report.total.step("approve.kabid")
    assert (kabid.entered, kabid.finished, kabid.finished_by) == (1, 1, {"sent_back": 1})
    kasi = report.total.step("approve.kasi")
    assert (kasi.entered, kasi.reentered, kasi.finished) == (2, 1, 1)
