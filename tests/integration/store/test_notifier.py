"""The notifier signs webhook posts, retries with backoff, dead-letters, and routes by config."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from engine.app.notifier import Notifier, Routing
from engine.core.clock import ManualClock
from tests.integration.store.webhooks import (
    NOTHING_ATTEMPTED,
    enqueue,
    routing,
    statuses,
)


def test_a_webhook_gets_a_signed_post_with_the_stable_id_once(store, build, receiver):
    enqueue(store, build, {"to": "clerk", "text": "please act"})
    notifier = Notifier(store, routing(receiver.url))
    report = notifier.run_once()
    assert (report.delivered, report.retried, report.dead) == (1, 0, 0)
    [got] = receiver.received
    assert got["path"] == "/ops"
    assert got["signed_ok"]
    assert got["body"]["id"] == "n0" and got["idempotency_key"] == "n0"
    assert got["body"]["text"] == "please act" and got["body"]["ticket_id"] == "T1"
    assert notifier.run_once() == NOTHING_ATTEMPTED  # delivered rows are not sent again
    assert len(receiver.received) == 1
    assert statuses(store) == {"n0": ("delivered", 1)}


def test_a_stopping_notifier_ends_its_pass_after_the_batch_under_way(store, build, receiver):
    """A server told to stop (SIGTERM) must not go on draining a large outbox: the notifier
    ends its pass after the batch it claimed; the rest waits, pending, for the next start."""
    enqueue(store, build, *({"to": "clerk"} for _ in range(3)))
    notifier = Notifier(store, routing(receiver.url), batch=1)
    notifier.stop()  # as `sop serve` does on SIGTERM, while a pass is under way
    assert notifier.run_once().delivered == 1
    assert sorted(s for s, _ in statuses(store).values()) == ["delivered", "pending", "pending"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_attempt_logged_with_its_location(
    store, build, receiver, caplog, status
):
    """urllib followed a 302 with a body-less GET to the Location, signature headers and all,
    and called that GET's 200 a delivery. Now no request reaches the Location."""
    enqueue(store, build, {"to": "clerk"})
    moved = f"{receiver.url}/moved"
    receiver.redirect = (status, moved)
    with caplog.at_level(logging.WARNING, logger="engine.app.notifier"):
        report = Notifier(store, routing(receiver.url)).run_once()
    assert (report.delivered, report.retried) == (0, 1)
    assert [(r["method"], r["path"]) for r in receiver.received] == [("POST", "/ops")]
    assert statuses(store) == {"n0": ("pending", 1)}
    with store.read() as tx:
        [item] = tx.outbox_feed()
    assert f"HTTP {status}" in item["delivery"]["last_error"]
    assert moved in item["delivery"]["last_error"]
    assert any(moved in r.getMessage() for r in caplog.records)


def test_routes_follow_the_configuration(store, build, receiver, caplog):
    enqueue(
        store,
        build,
        {"to": "office", "scope": "north"},  # scoped route
        {"to": "office", "scope": "south"},  # falls back to the actor's route
        {"to": "citizen", "channel": "chat-app"},  # by the ticket's channel value
        {"to": "somebody-else", "text": "secret words"},  # the default: the log
    )
    with caplog.at_level(logging.INFO, logger="engine.app.notifier"):
        Notifier(store, routing(receiver.url)).run_once()
    assert sorted(receiver.paths()) == ["/chat", "/north", "/ops"]
    logged = [r.getMessage() for r in caplog.records if r.name == "engine.app.notifier.log_channel"]
    assert any("n3" in m and "secret words" in m for m in logged)
    assert any("n2" in m and "about T1" not in m for m in logged)  # include_text: false
    assert set(statuses(store).values()) == {("delivered", 1)}


def test_a_failing_webhook_is_retried_with_backoff_then_delivered(store, build, receiver):
    enqueue(store, build, {"to": "clerk"})
    clock = ManualClock(build.T0 + timedelta(days=3650))
    notifier = Notifier(store, routing(receiver.url), clock=clock)
    receiver.fail_next = 2
    assert notifier.run_once().retried == 1
    assert notifier.run_once() == NOTHING_ATTEMPTED  # waits 10 s before the second attempt
    clock.advance(timedelta(seconds=10))
    assert notifier.run_once().retried == 1
    clock.advance(timedelta(seconds=10))
    assert notifier.run_once() == NOTHING_ATTEMPTED  # the second wait is twice as long
    clock.advance(timedelta(seconds=10))
    assert notifier.run_once().delivered == 1
    assert [r["body"]["id"] for r in receiver.received] == ["n0"] * 3
    assert statuses(store) == {"n0": ("delivered", 3)}


def test_after_the_last_attempt_a_notification_is_dead_lettered(store, build, receiver):
    enqueue(store, build, {"to": "clerk"})
    clock = ManualClock(build.T0 + timedelta(days=3650))
    notifier = Notifier(store, routing(receiver.url), clock=clock)
    receiver.fail_next = 100
    reports = []
    for _ in range(5):
        reports.append(notifier.run_once())
        clock.advance(timedelta(hours=1))
    assert [(r.retried, r.dead) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    with store.read() as tx:
        [item] = tx.outbox_feed()
    assert item["delivery"]["status"] == "dead"
    assert "HTTP 500" in item["delivery"]["last_error"]
    assert len(receiver.received) == 3


def attempt_offsets(store, notifier: Notifier, clock: ManualClock, receiver, outage) -> list:
    """Deliver n0 with the receiver down for `outage` from the first attempt, following the
    row's own next attempt time; the offsets of the attempts from the first, and its status."""
    start = clock.now()
    offsets = []
    while True:
        receiver.down = clock.now() - start < outage
        notifier.run_once()
        offsets.append(clock.now() - start)
        with store.read() as tx:
            [item] = tx.outbox_feed()
        if item["delivery"]["status"] != "pending":
            return offsets, item["delivery"]["status"]
        clock.set(item["delivery"]["next_attempt_at"])


@pytest.mark.parametrize(
    ("outage", "status", "attempts"),
    [
        (timedelta(hours=75, minutes=35), "delivered", 10),  # e.g. Friday 17:00 to Monday 20:35
        (timedelta(hours=75, minutes=36), "dead", 10),
    ],
)
def test_the_default_schedule_rides_out_a_weekend_outage(
    store, build, receiver, outage, status, attempts
):
    """Before: 8 attempts 5 s apart and doubling, dead after 10 min 35 s of outage."""
    enqueue(store, build, {"to": "clerk"})
    clock = ManualClock(build.T0 + timedelta(days=3650))
    config = Routing.from_dict(
        {
            "channels": {"ops": {"type": "webhook", "url": f"{receiver.url}/ops", "secret": "k"}},
            "routes": {"default": ["ops"]},
        }
    )  # no `delivery`: the defaults
    offsets, final = attempt_offsets(
        store, Notifier(store, config, clock=clock), clock, receiver, outage
    )
    assert (final, len(offsets)) == (status, attempts)
    assert offsets[1] == timedelta(seconds=5) and offsets[-1] == timedelta(
        hours=75, minutes=35, seconds=5
    )


def test_a_retry_schedule_is_read_from_durations_and_the_old_form_still_works():
    written = Routing.from_dict(
        {"delivery": {"retry_schedule": ["30 seconds", "2 jam", 60, "1 day"]}}
    )
    assert written.retry_schedule == (30, 7200, 60, 86400) and written.max_attempts == 5
    old = Routing.from_dict(
        {"delivery": {"max_attempts": 5, "backoff_seconds": 5, "max_backoff_seconds": 30}}
    )
    assert old.retry_schedule == (5, 10, 20, 30)


def test_a_channel_that_took_it_is_skipped_on_the_retry(store, build, receiver):
    cfg = routing(receiver.url)
    both = Routing(
        {
            **cfg.channels,
            "down": replace(cfg.channels["ops"], name="down", url="http://127.0.0.1:9/x"),
        },
        actors={"clerk": ("ops", "down")},
        timeout_seconds=2,
    )
    enqueue(store, build, {"to": "clerk"})
    clock = ManualClock(build.T0 + timedelta(days=3650))
    notifier = Notifier(store, both, clock=clock)
    assert notifier.run_once().retried == 1
    clock.advance(timedelta(minutes=1))
    notifier.run_once()
    assert receiver.paths() == ["/ops"]  # not posted again to the channel that answered 200
    with store.read() as tx:
        [item] = tx.outbox_feed()
    assert item["delivery"]["channels_done"] == ["ops"]
    assert item["delivery"]["attempts"] == 2


def test_claimed_rows_are_not_claimed_again_until_their_lease_ends(store, build):
    enqueue(store, build, {"to": "clerk"})
    now = build.T0 + timedelta(days=3650)
    with store.write() as tx:
        assert len(tx.claim_outbox(now, 10, timedelta(minutes=5))) == 1
    with store.write() as tx:
        assert tx.claim_outbox(now + timedelta(minutes=4), 10, timedelta(minutes=5)) == []
    with store.write() as tx:
        assert len(tx.claim_outbox(now + timedelta(minutes=6), 10, timedelta(minutes=5))) == 1


def test_a_bad_routing_reports_every_problem_at_once():
    with pytest.raises(ValueError) as err:
        Routing.from_dict(
            {
                "channels": {
                    "a": {"type": "pigeon"},
                    "b": {"type": "webhook", "url": "ftp://x"},
                },
                "routes": {"actors": {"clerk": ["nowhere"]}},
                "delivery": {"max_attempts": 0, "timeout_seconds": -1},
            }
        )
    message = str(err.value)
    for part in (
        "channels.a.type",
        "channels.b.url",
        "channels.b: give `secret`",
        "'nowhere'",
        "delivery.max_attempts",
        "delivery.timeout_seconds",
    ):
        assert part in message


@pytest.mark.parametrize(
    ("delivery", "message"),
    [
        (
            {"retry_schedule": ["5 working days"]},
            "retry_schedule[0]: '5 working days' is not a wait",
        ),
        ({"retry_schedule": ["soon"]}, "retry_schedule[0]: 'soon' is not a wait"),
        ({"retry_schedule": [5, 0]}, "retry_schedule[1]: 0 is not a wait"),
        ({"retry_schedule": "5 minutes"}, "retry_schedule: must be a list of waits"),
        ({"retry_schedule": [5], "max_attempts": 3}, "give retry_schedule or max_attempts"),
    ],
)
def test_a_bad_retry_schedule_is_refused_saying_what_to_write(delivery, message):
    with pytest.raises(ValueError) as err:
        Routing.from_dict({"delivery": delivery})
    assert message in str(err.value)
