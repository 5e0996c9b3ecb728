"""GET /metrics after a short load through the Flask test client: the counters match the
requests and events made, the store's gauges match the store (api/metrics.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from api.config import ConfigError
from engine.errors import StoreUnavailable
from tests.api.conftest import TOKENS, As, make_app
from tests.api.journey import SOP, Journey

ROOT = {"Authorization": f"Bearer {TOKENS['root'][0]}"}


def scrape(client: FlaskClient, headers: dict[str, str] | None = None) -> dict[tuple, float]:
    """Every sample of a scrape: (name, sorted labels) -> value."""
    resp = client.get("/metrics", headers=headers or {})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.content_type.startswith("text/plain")
    out: dict[tuple, float] = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: dict[tuple, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_and_status(client: FlaskClient, desk: Journey) -> None:
    ids = [desk.create()["id"] for _ in range(3)]
    for ticket_id in ids * 2:
        desk.ticket(ticket_id)
    client.get("/v1/tickets/NOSUCHTICKET", headers=ROOT)  # 404 on the same route
    client.get("/v1/tickets")  # no token: 401
    client.get("/no/such/path/at/all")

    samples = scrape(client)

    route = "/v1/tickets/<ticket_id>"
    assert value(samples, "sop_http_requests_total", method="GET", route=route, status="200") == 6
    assert value(samples, "sop_http_requests_total", method="GET", route=route, status="404") == 1
    assert (
        value(samples, "sop_http_requests_total", method="POST", route="/v1/tickets", status="201")
        == 3
    )
    assert (
        value(samples, "sop_http_requests_total", method="GET", route="/v1/tickets", status="401")
        == 1
    )
    assert (
        value(samples, "sop_http_requests_total", method="GET", route="unmatched", status="404")
        == 1
    )
    assert value(samples, "sop_http_request_duration_seconds_count", method="GET", route=route) == 7
    assert not any(ticket_id in str(key) for key in samples for ticket_id in ids)


def test_events_accepted_and_refused_by_sop_type_and_reason(
    client: FlaskClient, desk: Journey
) -> None:
    first, second = desk.create()["id"], desk.create()["id"]
    desk.post(first, "accept", "staff")
    desk.post(second, "accept", "staff")
    desk.post(first, "triage", "staff")
    body = {"type": "validated", "actor": "staff", "data": {}}  # not at this step
    desk.call("POST", f"/v1/tickets/{second}/events", body, expect=409)
    body = {"type": "made_up_by_a_client", "actor": "staff", "data": {}}
    desk.call("POST", f"/v1/tickets/{second}/events", body, expect=422)
    desk.call("POST", "/v1/tickets/NOSUCHTICKET/events", body, expect=404)
    retried = {"Idempotency-Key": "k-1"}
    event = {"type": "triage", "actor": "staff", "data": {}}
    desk.call("POST", f"/v1/tickets/{second}/events", event, headers=retried)
    desk.call("POST", f"/v1/tickets/{second}/events", event, headers=retried)  # replayed

    samples = scrape(client)

    accepted = "sop_events_accepted_total"
    assert value(samples, accepted, sop=SOP, event="created") == 2
    assert value(samples, accepted, sop=SOP, event="accept") == 2
    assert value(samples, accepted, sop=SOP, event="triage") == 2
    refused = "sop_events_refused_total"
    assert value(samples, refused, sop=SOP, event="validated", reason="event_not_allowed") == 1
    assert value(samples, refused, sop=SOP, event="other", reason="unknown_event") == 1
    assert value(samples, refused, sop="other", event="other", reason="not_found") == 1
    assert not any("made_up_by_a_client" in str(key) for key in samples)


def test_open_tickets_per_step_and_the_outbox_match_the_store(
    client: FlaskClient, desk: Journey
) -> None:
    ids = [desk.create()["id"] for _ in range(4)]
    desk.post(ids[0], "accept", "staff")
    desk.to_follow_up(ids[1])  # routed: the agency is notified

    samples = scrape(client)

    tickets = desk.call("GET", "/v1/tickets?open=true&limit=500").body["items"]
    per_step = Counter(t["state"] for t in tickets)
    assert len(per_step) >= 3
    for step, count in per_step.items():
        assert value(samples, "sop_tickets_open", sop=SOP, step=step) == count
    assert sum(v for (name, _), v in samples.items() if name == "sop_tickets_open") == 4
    pending = desk.call("GET", "/v1/notifications?status=pending&limit=500").body["items"]
    assert pending, "the seed SOP notifies on these steps"
    assert value(samples, "sop_outbox_pending") == len(pending)
    assert value(samples, "sop_outbox_dead") == 0
    assert value(samples, "sop_store_gauges_ok") == 1


def test_deadlines_due_and_the_sweepers_lag(client: FlaskClient, desk: Journey) -> None:
    desk.create()
    desk.create()
    clock = client.application.extensions["sop"].manual_clock
    clock.advance("30 hours")  # each ticket's first step is due after 24 h: 6 h late, unswept

    samples = scrape(client)
    assert value(samples, "sop_deadlines_due") == 2
    assert value(samples, "sop_sweep_lag_seconds") == 6 * 3600

    desk.advance("1 minutes")  # a clock move sweeps what fell due on its way
    samples = scrape(client)
    assert value(samples, "sop_deadlines_due") == 0
    assert value(samples, "sop_sweep_lag_seconds") == 0


def test_metrics_behind_an_admin_token_when_asked(tmp_path: Path) -> None:
    app = make_app(tmp_path, SOP_METRICS_AUTH="token")
    try:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        desk = {"Authorization": f"Bearer {TOKENS['desk'][0]}"}
        assert client.get("/metrics", headers=desk).status_code == 403
        assert value(scrape(client, ROOT), "sop_store_gauges_ok") == 1
    finally:
        app.extensions["sop"].close()


def test_metrics_are_public_by_default(as_: As, client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 200


def test_a_scrape_answers_with_the_database_down(
    client: FlaskClient, desk: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.create()

    def down(*_: object) -> None:
        raise StoreUnavailable("the database does not answer")

    monkeypatch.setattr("api.metrics.read_gauges", down)
    samples = scrape(client)
    assert value(samples, "sop_store_gauges_ok") == 0
    assert not any(name == "sop_tickets_open" for name, _ in samples)
    route = "/v1/tickets"
    assert value(samples, "sop_http_requests_total", method="POST", route=route, status="201") == 1


def test_an_unknown_metrics_auth_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SOP_METRICS_AUTH must be 'public' or 'token'"):
        make_app(tmp_path, SOP_METRICS_AUTH="basic")
