"""The manual clock: only on servers started with it, and it sweeps."""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from api.config import ConfigError
from engine.core.calendar import WorkCalendar
from engine.spec.durations import parse_duration
from tests.api.conftest import As, make_app
from tests.api.journey import SOP, Journey
from tests.support.seed import MONDAY


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


def routed(api: Journey) -> str:
    """A ticket at step 8, which reminds the agency once a working day once it is late."""
    ticket_id = api.create()["id"]
    api.to_authority_check(ticket_id)
    api.post(ticket_id, "within_authority", "staff")
    api.post(ticket_id, "routed", "staff")
    return ticket_id


def test_a_call_moves_the_clock_400_days_at_most_firing_each_reminder_once(
    app: Flask, as_: As
) -> None:
    """Before: a set to 9999-12-31 never returned (203k events and 406k outbox rows in two
    minutes). Now one call moves at most SOP_CLOCK_MAX_MOVE (400 days unless set): that far
    completes, each daily reminder fired once at its own time, and further is refused."""
    root = as_("root")
    made = [routed(root) for _ in range(3)]
    before = sum(len(root.timeline(t)) for t in made)
    started = time.monotonic()
    moved = root.call("POST", "/v1/clock", {"advance": "400 days"}).body
    assert time.monotonic() - started < 60
    now = datetime.fromisoformat(moved["now"])
    logs = [root.timeline(t) for t in made]
    assert moved["swept"] == sum(len(log) for log in logs) - before
    cal = WorkCalendar.for_spec(app.extensions["sop"].catalog.get(SOP).calendar())
    day = parse_duration("1 working day")
    for log in logs:
        late = [datetime.fromisoformat(e["at"]) for e in log if e["event"] in ("deadline", "timer")]
        assert len(late) > 250  # the deadline, then a reminder every working day since
        assert all(cal.add(a, day) == b for a, b in itertools.pairwise(late))
        assert cal.add(late[-1], day) > now  # and none left due

    notes = len(root.notifications())
    for body in (
        {"advance": "401 days"},
        {"set": "9999-12-31T00:00:00Z"},
        {"set": (now - timedelta(days=401)).isoformat()},
        {"advance": "999999999 days"},
        {"advance": "300 working days"},  # 469 calendar days from here
    ):
        refused = root.call("POST", "/v1/clock", body, expect=422).body
        assert "400 days" in refused["detail"] and "several calls" in refused["detail"], body
        assert set(refused["errors"]) == set(body) - {"sop"}, refused
    assert root.call("GET", "/v1/clock").body["now"] == moved["now"]
    assert [root.timeline(t) for t in made] == logs
    assert len(root.notifications()) == notes


def test_the_most_a_call_may_move_the_clock_is_a_setting(tmp_path: Path) -> None:
    app = make_app(tmp_path, SOP_CLOCK_MAX_MOVE="36 hours")
    root = As(app.test_client())("root")
    refused = root.call("POST", "/v1/clock", {"advance": "2 calendar days"}, expect=422).body
    assert "36 hours" in refused["detail"] and refused["errors"]["advance"]
    moved = root.call("POST", "/v1/clock", {"advance": "36 hours"}).body["now"]
    assert datetime.fromisoformat(moved) == MONDAY + timedelta(hours=36)
    app.extensions["sop"].close()
    for bad in ("soon", "3 working days", "-1 days"):
        with pytest.raises(ConfigError, match="SOP_CLOCK_MAX_MOVE"):
            make_app(tmp_path, SOP_CLOCK_MAX_MOVE=bad)
