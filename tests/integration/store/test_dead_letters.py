"""`sop notifications retry` and POST /v1/admin/notifications/redeliver: dead letters, listed
and sent again, over a real store and a real webhook receiver. Before, nothing could send a
dead letter again."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.app.notifier import Notifier, Routing
from engine.cli import main
from tests.api.conftest import As, make_app
from tests.integration.store.webhooks import enqueue, statuses


def notify_config(path: Path, url: str) -> Path:
    """ops and chat webhooks (chat's secret from an environment variable the CLI does not
    need), no retry: the first failure dead-letters."""
    path.write_text(
        "channels:\n"
        f"  ops: {{type: webhook, url: '{url}/ops', secret: plain-secret}}\n"
        f"  chat: {{type: webhook, url: '{url}/chat', secret_env: CHAT_HOOK_SECRET}}\n"
        "routes:\n"
        "  actors: {clerk: [ops], citizen: [chat], both: [chat, ops]}\n"
        "delivery: {retry_schedule: []}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def setup(store, build, receiver, tmp_path, monkeypatch, database):
    """n0 (T1, to ops), n1 (T2, to ops), n2 (T1, to chat) dead after one failed attempt each."""
    monkeypatch.setenv("CHAT_HOOK_SECRET", "chat-secret")
    config = notify_config(tmp_path / "notify.yaml", receiver.url)
    enqueue(
        store,
        build,
        {"to": "clerk"},
        {"to": "clerk", "ticket_id": "T2"},
        {"to": "citizen"},
    )
    receiver.down = True
    notifier = Notifier(store, Routing.from_file(config))
    assert notifier.run_once().dead == 3
    receiver.down = False
    receiver.received.clear()
    monkeypatch.delenv("CHAT_HOOK_SECRET")  # an operator's shell: not the server's environment

    def sop(*args: str):
        return CliRunner().invoke(
            main, ["notifications", "retry", "--database-url", database.reader_url, *args]
        )

    return notifier, config, sop


def test_a_dry_run_lists_without_sending_then_retry_sends_them_again(
    setup, store, receiver, caplog
):
    notifier, _config, sop = setup
    listed = sop("--ticket", "T1", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert "n0" in listed.output and "n2" in listed.output and "n1" not in listed.output
    assert "HTTP 503" in listed.output and "would send again" in listed.output
    assert "about T1" not in listed.output  # no message text (it may hold personal data)
    assert statuses(store) == {"n0": ("dead", 1), "n1": ("dead", 1), "n2": ("dead", 1)}

    with caplog.at_level(logging.WARNING, logger="engine.app.dead_letters"):
        done = sop("--ticket", "T1")
    assert done.exit_code == 0, done.output
    assert "2 dead letter(s) queued again" in done.output
    assert statuses(store) == {"n0": ("pending", 0), "n1": ("dead", 1), "n2": ("pending", 0)}
    [line] = [r.getMessage() for r in caplog.records if r.name == "engine.app.dead_letters"]
    assert "sop notifications retry" in line and "ticket T1" in line and "n0" in line

    assert notifier.run_once().delivered == 2
    assert sorted(receiver.paths()) == ["/chat", "/ops"]
    assert statuses(store) == {"n0": ("delivered", 1), "n1": ("dead", 1), "n2": ("delivered", 1)}


def test_by_id_and_an_id_that_is_not_dead_is_said_so(setup, store):
    _notifier, _config, sop = setup
    result = sop("--id", "n1", "--id", "nope", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [i["id"] for i in out["items"]] == ["n1"] and out["redelivered"] == 1
    assert out["not_dead"] == {"nope": "unknown"}
    assert statuses(store)["n1"] == ("pending", 0)
    again = sop("--id", "n1")
    assert "n1: not a dead letter (pending)" in again.output


def test_by_channel_needs_the_config_and_a_channel_it_defines(setup, store):
    _notifier, config, sop = setup
    without = sop("--channel", "chat")
    assert without.exit_code == 2 and "notification config" in without.output
    unknown = sop("--channel", "sms", "--notify-config", str(config))
    assert unknown.exit_code == 2 and "no channel 'sms'" in unknown.output
    assert "chat, log, ops" in unknown.output
    result = sop("--channel", "chat", "--notify-config", str(config))
    assert result.exit_code == 0, result.output
    assert "n2" in result.output and "failed on: chat" in result.output
    assert statuses(store) == {"n0": ("dead", 1), "n1": ("dead", 1), "n2": ("pending", 0)}


def test_nothing_named_is_refused_and_all_must_be_said(setup, store):
    _notifier, _config, sop = setup
    refused = sop()
    assert refused.exit_code == 2 and "--all" in refused.output
    assert set(statuses(store).values()) == {("dead", 1)}
    assert sop("--all").exit_code == 0
    assert set(statuses(store).values()) == {("pending", 0)}


def test_a_channel_that_took_it_is_not_sent_it_again(store, build, receiver, tmp_path, database):
    config = notify_config(tmp_path / "notify.yaml", receiver.url)
    text = config.read_text().replace("secret_env: CHAT_HOOK_SECRET", "secret: s")
    config.write_text(text)
    (tmp_path / "down.yaml").write_text(
        text.replace(f"{receiver.url}/ops", "http://127.0.0.1:9/ops")
    )
    enqueue(store, build, {"to": "both"})
    assert Notifier(store, Routing.from_file(tmp_path / "down.yaml")).run_once().dead == 1
    assert receiver.paths() == ["/chat"]  # chat took it, ops was unreachable
    args = ["notifications", "retry", "--database-url", database.reader_url, "--all"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert Notifier(store, Routing.from_file(config)).run_once().delivered == 1
    assert receiver.paths() == ["/chat", "/ops"]  # chat is not sent it twice


# -- POST /v1/admin/notifications/redeliver ---------------------------------------------------

REDELIVER = "/v1/admin/notifications/redeliver"


@pytest.fixture
def api(setup, database, monkeypatch, tmp_path):
    """The API over the same store, with the same notify config (its secrets set, as a
    server's environment has them)."""
    _notifier, config, _sop = setup
    monkeypatch.setenv("CHAT_HOOK_SECRET", "chat-secret")
    app = make_app(tmp_path, SOP_DATABASE_URL=database.reader_url, SOP_NOTIFY_CONFIG=str(config))
    yield As(app.test_client())
    app.extensions["sop"].close()


def test_an_admin_redelivers_by_channel_and_the_token_is_logged(api, store, caplog):
    with caplog.at_level(logging.WARNING, logger="engine.app.dead_letters"):
        reply = api("root").call("POST", REDELIVER, {"channel": "ops"})
    body = reply.body
    assert (body["redelivered"], body["remaining"], body["dry_run"]) == (2, 0, False)
    assert [(i["id"], i["failed_channels"]) for i in body["items"]] == [
        ("n0", ["ops"]),
        ("n1", ["ops"]),
    ]
    assert all("text" not in i for i in body["items"])
    assert statuses(store) == {"n0": ("pending", 0), "n1": ("pending", 0), "n2": ("dead", 1)}
    [line] = [r.getMessage() for r in caplog.records if r.name == "engine.app.dead_letters"]
    assert "token 'root'" in line and "channel ops" in line


@pytest.mark.parametrize("token", ["desk", "audit", "dsdabm", "bridge"])
def test_only_an_admin_may_redeliver(api, store, token):
    reply = api(token).call("POST", REDELIVER, {"all": True}, expect=403)
    assert reply.body["code"] == "forbidden"
    assert set(statuses(store).values()) == {("dead", 1)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "all"),
        ({"channel": "sms"}, "channel"),
        ({"all": True, "limit": 0}, "limit"),
        ({"all": True, "ids": []}, "ids"),
        ({"all": True, "every": True}, "every"),
    ],
)
def test_a_bad_redelivery_is_422_naming_the_field_and_changes_nothing(api, store, body, field):
    reply = api("root").call("POST", REDELIVER, body, expect=422)
    assert reply.body["code"] == "invalid_request"
    assert field in reply.body["errors"]
    assert set(statuses(store).values()) == {("dead", 1)}


def test_a_dry_run_lists_and_a_limit_leaves_the_rest_dead(api, store):
    listed = api("root").call("POST", REDELIVER, {"all": True, "dry_run": True}).body
    assert (listed["redelivered"], len(listed["items"])) == (0, 3)
    assert set(statuses(store).values()) == {("dead", 1)}
    some = api("root").call("POST", REDELIVER, {"all": True, "limit": 2}).body
    assert (some["redelivered"], some["remaining"]) == (2, 1)
    assert statuses(store) == {"n0": ("pending", 0), "n1": ("pending", 0), "n2": ("dead", 1)}


def test_the_openapi_document_describes_the_redelivery(api):
    doc = api(None).call("GET", "/v1/openapi.json").body
    post = doc["paths"][REDELIVER]["post"]
    assert {"200", "403", "422"} <= set(post["responses"])
    body = doc["components"]["schemas"]["RedeliverBody"]["properties"]
    assert {"ids", "ticket", "channel", "all", "dry_run", "limit"} == set(body)
