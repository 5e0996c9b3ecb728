"""The manual clock: only on servers started with it, and it sweeps."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import As, make_app


def test_clock_is_404_on_the_system_clock(tmp_path: Path) -> None:
    app = make_app(tmp_path, SOP_CLOCK="system")
    client = app.test_client()
    auth = {"Authorization": "Bearer root-secret"}
    resp = client.post("/v1/clock", json={"advance": "1 hours"}, headers=auth)
    assert resp.status_code == 404 and "--clock manual" in resp.get_json()["detail"]
    assert client.get("/v1/clock", headers=auth).status_code == 404
    app.extensions["sop"].close()


def test_moving_the_clock_fires_due_deadlines(as_: As) -> None:
    root = as_("root")
    tid = root.create()["id"]
    root.post(tid, "accept", "staff")
    moved = root.advance("36 hours")
    assert moved["now"].startswith("2025-01-07T14:00:00")
    ticket = root.ticket(tid)
    assert ticket["overdue"] is True and ticket["step"]["breached"] is True
    assert (
        root.call("POST", "/v1/clock", {"set": "2025-02-01T00:00:00+07:00"})
        .body["now"]
        .startswith("2025-01-31T17:00:00")
    )
    working = root.call("POST", "/v1/clock", {"advance": "1 working day"}).body["now"]
    assert working.startswith("2025-02-03")  # a Saturday morning + 1 working day: Monday


def test_bad_clock_moves_are_422_and_only_service_or_admin_may_move_it(as_: As) -> None:
    root = as_("root")
    before = root.call("GET", "/v1/clock").body["now"]
    for body in (
        {},
        {"advance": "soon"},
        {"advance": "1 hours", "set": "2025-01-01T00:00:00Z"},
        {"set": "2025-01-01T00:00:00"},
        {"advance": "-3 hours"},
        {"advance": "1 hours", "sop": "no-such-sop"},
    ):
        reply = root.call("POST", "/v1/clock", body, expect=422)
        assert reply.body["errors"] and reply.body["code"] == "invalid_request", body
    as_("desk").call("POST", "/v1/clock", {"advance": "1 hours"}, expect=403)
    as_("audit").call("POST", "/v1/clock", {"advance": "1 hours"}, expect=403)
    assert root.call("GET", "/v1/clock").body["now"] == before
