"""A webhook subscriber of the change feed, against a real `sop serve`: every change of a
ticket's life arrives in order, signed, masked for its role, and none twice across a restart."""

from __future__ import annotations

import time
from typing import Any

from standardwebhooks import Webhook

from tests.e2e.conftest import Receiver, Server
from tests.support.seed import OTHER_CHANNEL


def _changes(receiver: Receiver, secret: str, count: int) -> list[dict[str, Any]]:
    items = receiver.wait_for(lambda got: len(got) >= count)
    for r in items:  # signed with the subscription's secret over id, timestamp and body
        Webhook(secret).verify(r.body, r.headers, json_parse=False)  # raises if not
        assert r.headers["content-type"] == "application/cloudevents+json"
        assert r.headers["webhook-id"] == r.json["id"]
    return [r.json for r in items]


def _listed_once_cursor_reaches(api: Any, sequence: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    while True:
        listed: list[dict[str, Any]] = api.call("GET", "/v1/admin/subscriptions").body["items"]
        if listed[0]["cursor"] >= sequence or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)


def test_a_subscriber_gets_every_change_in_order_once_across_a_restart(
    make_server: Any, receiver: Receiver
) -> None:
    server: Server = make_server().start()
    api = server.journey()
    made = api.call(
        "POST", "/v1/admin/subscriptions", {"url": receiver.url, "role": "auditor"}, expect=201
    ).body
    secret = made["secret"]
    tid = api.create({**OTHER_CHANNEL, "reporter_name": "Rina Wulandari"})["id"]
    api.post(tid, "accept", "staff")
    api.post(tid, "triage", "staff")
    first = _changes(receiver, secret, len(api.timeline(tid)))
    assert first[0]["data"]["data"]["reporter_name"] == "***"  # masked for an auditor
    _listed_once_cursor_reaches(api, int(first[-1]["sequence"]))  # acknowledged before the stop

    server.stop()
    server.start()  # the same data folder: the subscription and its cursor are kept
    api = server.journey()
    api.post(
        tid, "entered", "staff", {"category": "Infrastruktur", "topic": "Jalan", "agency": "DSDABM"}
    )
    api.post(tid, "responded", "staff", {"response_text": "Kami proses"})
    timeline = api.timeline(tid)
    got = _changes(receiver, secret, len(timeline))
    ids = [c["id"] for c in got]
    assert ids == [f"{tid}/{n}" for n in range(1, len(timeline) + 1)]  # in order, none twice
    assert [c["data"]["event"] for c in got] == [e["event"] for e in timeline]
    # the receiver keeps a change before its 2xx reaches the server, which then moves the cursor
    listed = _listed_once_cursor_reaches(api, int(got[-1]["sequence"]))
    assert listed[0]["cursor"] == int(got[-1]["sequence"]) and "secret" not in listed[0]
    assert listed[0]["last_error"] is None
