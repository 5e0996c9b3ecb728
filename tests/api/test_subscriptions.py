"""The change feed's webhook subscriptions: managed by an admin, delivered in order, retried
from the change that failed, never skipping one."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from standardwebhooks import Webhook

from api.feed_webhooks import FeedWebhooks
from engine.app.notifier import Answer
from tests.api.conftest import As
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL


class Hook:
    """A transport that records what it was sent and answers with `status`."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, str], bytes]] = []
        self.status = 200

    def __call__(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        if self.status == 0:
            raise OSError("connection refused")
        self.sent.append((headers, body))
        return Answer(self.status)

    def ids(self) -> list[str]:
        return [json.loads(body)["id"] for _, body in self.sent]


def _subscribe(desk: Journey, **body: Any) -> dict[str, Any]:
    return desk.call(
        "POST", "/v1/admin/subscriptions", {"url": "https://example.org/hook", **body}, expect=201
    ).body


def _deliverer(app: Flask, hook: Hook) -> FeedWebhooks:
    return FeedWebhooks(app.extensions["sop"], transport=hook, retry_schedule=(0,))


def test_each_change_is_sent_signed_in_order_and_masked_for_the_role(
    app: Flask, desk: Journey
) -> None:
    sub = _subscribe(desk, role="auditor")
    assert sub["secret"].startswith("whsec_") and sub["cursor"] == 0
    tid = desk.create({**OTHER_CHANNEL, "reporter_name": "Rina Wulandari"})["id"]
    desk.post(tid, "accept", "staff")
    hook = Hook()
    assert _deliverer(app, hook).run_once() == 2
    assert hook.ids() == [f"{tid}/1", f"{tid}/2"]
    for headers, body in hook.sent:
        Webhook(sub["secret"]).verify(body, headers, json_parse=False)
        assert headers["Content-Type"] == "application/cloudevents+json"
    assert json.loads(hook.sent[0][1])["data"]["data"]["reporter_name"] == "***"
    assert _deliverer(app, hook).run_once() == 0  # nothing new: nothing sent again
    listed = desk.call("GET", "/v1/admin/subscriptions").body["items"]
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]


def test_a_failed_delivery_is_retried_from_that_change(app: Flask, desk: Journey) -> None:
    _subscribe(desk, role="service")
    tid = desk.create(OTHER_CHANNEL)["id"]
    hook = Hook()
    hook.status = 503
    assert _deliverer(app, hook).run_once() == 0
    failing = desk.call("GET", "/v1/admin/subscriptions").body["items"][0]
    assert failing["attempts"] == 1 and "HTTP 503" in failing["last_error"]
    desk.post(tid, "accept", "staff")
    hook.status = 0  # down
    _deliverer(app, hook).run_once()
    assert desk.call("GET", "/v1/admin/subscriptions").body["items"][0]["attempts"] == 2
    hook.status, hook.sent = 200, []
    assert _deliverer(app, hook).run_once() == 2
    assert hook.ids() == [f"{tid}/1", f"{tid}/2"]  # from the one that failed, none skipped
    again = desk.call("GET", "/v1/admin/subscriptions").body["items"][0]
    assert again["attempts"] == 0 and again["last_error"] is None


def test_filters_and_from_start(app: Flask, desk: Journey) -> None:
    old = desk.create(OTHER_CHANNEL)["id"]
    _subscribe(desk, role="admin", type="accept", from_start=True)
    desk.post(old, "accept", "staff")
    new = desk.create(OTHER_CHANNEL)["id"]
    desk.post(new, "accept", "staff")
    hook = Hook()
    _deliverer(app, hook).run_once()
    assert hook.ids() == [f"{old}/2", f"{new}/2"]


def test_only_an_admin_manages_subscriptions_and_bad_ones_are_refused(
    desk: Journey, as_: As
) -> None:
    body = {"url": "https://example.org/hook", "role": "auditor"}
    assert as_("desk").call("POST", "/v1/admin/subscriptions", body, expect=403).status == 403
    assert as_("audit").call("GET", "/v1/admin/subscriptions", expect=403).status == 403
    bad = desk.call("POST", "/v1/admin/subscriptions", {**body, "url": "ftp://x"}, expect=422)
    assert "http" in bad.body["detail"]
    role = desk.call("POST", "/v1/admin/subscriptions", {**body, "role": "boss"}, expect=422)
    assert "role" in role.body["errors"]
    assert desk.call("GET", "/v1/admin/subscriptions").body["items"] == []
    sub = _subscribe(desk, role="auditor")
    desk.call("DELETE", f"/v1/admin/subscriptions/{sub['id']}", expect=204)
    assert desk.call("GET", "/v1/admin/subscriptions").body["items"] == []
    desk.call("DELETE", f"/v1/admin/subscriptions/{sub['id']}", expect=404)
