"""The ticket page shows the ticket's place on the SOP's flow (issue 13, item 6)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from api.web.flow import node_id
from tests.api.conftest import sign_in
from tests.api.journey import Journey


def test_the_ticket_page_marks_the_current_step_and_the_steps_run(
    app: Flask, client: FlaskClient, desk: Journey
) -> None:
    ticket_id = desk.create()["id"]
    desk.to_follow_up(ticket_id)
    record = app.extensions["sop"].service.get_ticket(ticket_id)
    ran = {run.step for run in record.ticket.history}
    assert ran
    sign_in(client, "root")
    resp = client.get(f"/web/tickets/{ticket_id}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Posisi tiket pada diagram alur" in page
    assert "langkah sekarang" in page and "sudah dilalui" in page
    assert f"class {node_id(record.ticket.state)} current" in page
    assert all(f"class {node_id(step)} visited" in page for step in ran - {record.ticket.state})
    assert page.count("mermaid.min.js") <= 1 and "<script>" not in page
