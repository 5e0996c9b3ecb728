"""`sop demo`: a small data set (40 tickets over three months) loaded into an empty store on
each backend, read back through the service and the monev report as the pages show them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import yaml
from click.testing import CliRunner

from engine.app.reports.monev import monev_report
from engine.app.service import TicketService
from engine.cli import main
from engine.core.model import Ticket
from engine.spec.catalog import load_catalog
from tests.integration.conftest import Database
from tests.support.seed import ROOT

SOP = "surabaya-complaints"
UNTIL = "2025-04-01T17:00:00+07:00"
VALUES = yaml.safe_load((ROOT / "sop" / SOP / "demo" / "values.yaml").read_text())


def demo(database: Database, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["demo", "--database-url", database.reader_url, "--until", UNTIL, *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


def tickets(database: Database) -> list[Ticket]:
    store = database.open()
    try:
        service = TicketService(load_catalog(ROOT / "sop", ROOT / "rules"), store)
        return [r.ticket for r in service.list_tickets(limit=500, history=True).items]
    finally:
        store.close()


def runs(ticket: Ticket) -> list:
    return [*ticket.history, *([ticket.active] if ticket.active else [])]


@pytest.fixture
def empty(database: Database) -> Database:
    database.open().close()  # an empty store (on PostgreSQL: its schema, made here)
    return database


def test_every_step_is_reached_some_late_some_looped(empty: Database) -> None:
    database, output = empty, demo(empty, "--tickets", "40")
    spec = load_catalog(ROOT / "sop", ROOT / "rules").get(SOP)
    made = tickets(database)
    assert len(made) == 40
    reached = {r.step for t in made for r in runs(t)}
    assert reached == {s.id for s in spec.ticket_steps}
    assert f"{SOP}: {len(reached)} of {len(reached)} steps reached" in output
    assert any(r.breached_at for t in made for r in runs(t)), "no step past its time limit"
    looped = [t for t in made if len({r.step for r in runs(t)}) < len(runs(t))]
    assert looped, "no ticket went back to a step"
    closed = sum(not t.is_open for t in made)
    assert 0 < closed < 40
    first, last = min(t.created for t in made), max(t.created for t in made)
    assert (last - first).days >= 60  # spread over the months, not opened at once
    assert "http://127.0.0.1:8000/web/tickets" in output and "/v1/docs" in output

    # the field values are the SOP's demo file's, and one ticket's values agree
    cases = {c["complaint_text"]: c for c in VALUES["cases"]}
    described = [t for t in made if "complaint_text" in t.fields]
    assert described and all(t.fields["complaint_text"] in cases for t in described)
    routed = [t for t in described if t.fields.get("topic") in {c["topic"] for c in cases.values()}]
    assert routed and all(
        cases[t.fields["complaint_text"]]["topic"] == t.fields["topic"] for t in routed
    )

    # the monitoring report has figures
    store = database.open()
    try:
        at = datetime.fromisoformat(UNTIL)
        report = monev_report(store, spec, date(2025, 1, 1), date(2025, 4, 2), now=at)
    finally:
        store.close()
    assert report.total.tickets_received == 40
    assert report.total.tickets_closed > 0
    assert sum(s.finished for s in report.total.steps) > 0
    assert any(s.reentered for s in report.total.steps)
    assert report.total.notifications_sent > 0


def test_a_store_with_tickets_is_refused_unless_forced(empty: Database) -> None:
    database = empty
    demo(database, "--tickets", "4")
    refused = CliRunner().invoke(
        main, ["demo", "--database-url", database.reader_url, "--tickets", "3"]
    )
    assert refused.exit_code == 1
    assert "the store already holds tickets: give --force" in refused.output
    assert len(tickets(database)) == 4
    demo(database, "--tickets", "3", "--force", "--seed", "7")
    assert len(tickets(database)) == 7
