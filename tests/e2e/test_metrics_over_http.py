"""GET /metrics of a real `sop serve` after a short load from several clients: the request
and event counters moved by exactly the requests and events made, the gauges match the store."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.api.journey import SOP
from tests.e2e.conftest import Server, http

TICKETS = 12
READS = 3  # GETs of each ticket


def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reply = http(server.base, "GET", "/metrics", None, {})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(reply.body)
        for s in family.samples
    }


def delta(after: dict, before: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def one_client(server: Server, _: int) -> str:
    journey = server.journey()
    ticket_id: str = journey.create()["id"]
    journey.post(ticket_id, "accept", "staff")
    for _ in range(READS):
        journey.ticket(ticket_id)
    body = {"type": "validated", "actor": "staff", "data": {}}  # not at this step: refused
    journey.call("POST", f"/v1/tickets/{ticket_id}/events", body, expect=409)
    return ticket_id


def test_counters_match_the_load_made(make_server: Any) -> None:
    server: Server = make_server().start()
    before = scrape(server)
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: one_client(server, i), range(TICKETS)))
    after = scrape(server)

    total = "sop_http_requests_total"
    one = "/v1/tickets/<ticket_id>"
    events = "/v1/tickets/<ticket_id>/events"
    assert delta(after, before, total, method="POST", route="/v1/tickets", status="201") == TICKETS
    assert delta(after, before, total, method="POST", route=events, status="200") == TICKETS
    assert delta(after, before, total, method="POST", route=events, status="409") == TICKETS
    assert delta(after, before, total, method="GET", route=one, status="200") == TICKETS * READS
    assert delta(after, before, total, method="GET", route="/metrics", status="200") == 1
    latency = "sop_http_request_duration_seconds_count"
    assert delta(after, before, latency, method="GET", route=one) == TICKETS * READS

    assert delta(after, before, "sop_events_accepted_total", sop=SOP, event="created") == TICKETS
    assert delta(after, before, "sop_events_accepted_total", sop=SOP, event="accept") == TICKETS
    refused = delta(
        after, before, "sop_events_refused_total", sop=SOP, event="validated",
        reason="event_not_allowed",
    )  # fmt: skip
    assert refused == TICKETS

    steps = Counter(server.journey().ticket(t)["state"] for t in ids)
    for step, count in steps.items():
        assert after[("sop_tickets_open", (("sop", SOP), ("step", step)))] == count


def test_the_request_id_and_access_line_over_http(make_server: Any) -> None:
    server: Server = make_server()
    server.env["SOP_ACCESS_LOG"] = "1"  # the app's own access line (today under Werkzeug)
    server.start()
    given = http(server.base, "GET", "/v1/sops?token=s3cret", None, {"X-Request-Id": "lb-42"})
    made = http(server.base, "GET", "/v1/health/live", None, {})

    assert given.headers["X-Request-Id"] == "lb-42"
    assert len(made.headers["X-Request-Id"]) == 32
    log = server.log_path.read_text()
    assert '"GET /v1/sops?token=***" 200' in log
    assert "s3cret" not in log
