"""Step 16: the sweeper sends the monthly monev report to every agency through the outbox,
once per month, with that agency's figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.app.sweeper import Sweeper
from engine.store.tables import PeriodicRunRow
from tests.integration.reports.dataset import build
from tests.support.seed import WIB


def monev_notes(service):
    return [n for n in service.notifications(limit=1000).items if n["rule"] == "monev-to-agencies"]


def test_january_is_reported_to_each_agency_once_when_it_ends(service, clock):
    build(service, clock)
    sweeper = Sweeper(service)
    clock.set(datetime(2025, 1, 31, 23, 0, tzinfo=WIB))
    sweeper.run_once()
    assert monev_notes(service) == []  # January has not ended
    clock.set(datetime(2025, 2, 1, 0, 5, tzinfo=WIB))
    sweeper.run_once()
    sweeper.run_once()  # a second sweep sends nothing again
    notes = monev_notes(service)
    assert sorted((n["to"], n["scope"]) for n in notes) == [
        ("agency", "DPRKPP"),
        ("agency", "DSDABM"),
    ]
    dsdabm = next(n for n in notes if n["scope"] == "DSDABM")
    assert dsdabm["text"].startswith(
        "Laporan monev pengaduan masyarakat untuk DSDABM, periode 2025-01."
    )
    assert "tickets received 3, closed 2" in dsdabm["text"]
    dprkpp = next(n for n in notes if n["scope"] == "DPRKPP")
    assert "tickets received 1, closed 0" in dprkpp["text"]
    with service.store.read() as tx:
        runs = tx.conn.execute(select(PeriodicRunRow.step, PeriodicRunRow.period)).all()
    assert [tuple(r) for r in runs] == [("monev_report", "2025-01")]


def test_no_report_before_the_first_ticket_and_none_without_tickets(service, clock):
    sweeper = Sweeper(service)
    clock.set(datetime(2025, 3, 2, 9, 0, tzinfo=WIB))
    sweeper.run_once()
    assert monev_notes(service) == []  # no ticket yet: nothing to report, nothing remembered
    build_clock = datetime(2025, 3, 3, 9, 0, tzinfo=WIB)
    clock.set(build_clock)
    service.create_ticket("surabaya-complaints", {"agency": "DINKES"}, actor="staff", user="u")
    clock.set(datetime(2025, 5, 1, 1, 0, tzinfo=WIB))
    sweeper.run_once()
    periods = sorted(n["text"].split("periode ")[1][:7] for n in monev_notes(service))
    assert periods == ["2025-03", "2025-04"]  # from the first ticket's month, each month once
