"""Webhooks are signed as Standard Webhooks signs them: id, timestamp and body, so a recorded
request cannot be replayed later; several secrets sign during a rotation. Checked with the
reference verifier (`standardwebhooks`) and with the snippet docs/operations.md gives."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any

import pytest
from click.testing import CliRunner

from engine.app.notifier import Notifier, Routing
from engine.app.signing import new_secret
from engine.cli import main
from tests.integration.store.webhooks import SECRET, SECRET_AS_WHSEC, enqueue, verified
from tests.support.seed import ROOT


def hook(url: str, **channel: Any) -> Routing:
    return Routing.from_dict(
        {
            "channels": {"ops": {"type": "webhook", "url": f"{url}/ops", **channel}},
            "routes": {"default": ["ops"]},
        }
    )


def deliver_one(store, build, receiver, routing: Routing) -> dict[str, Any]:
    enqueue(store, build, {"to": "clerk", "text": "please act"})
    assert Notifier(store, routing).run_once().delivered == 1
    [got] = receiver.received
    return got


def docs_verify() -> Any:
    """The `verify` function of the Python block in docs/operations.md, as a reader copies it."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify(" in b]
    scope: dict[str, Any] = {}
    exec(compile(block, "docs/operations.md", "exec"), scope)  # noqa: S102 - our own docs
    return scope["verify"]


def test_the_reference_verifier_accepts_a_post_signed_with_a_plain_secret(store, build, receiver):
    before = int(time.time())
    got = deliver_one(store, build, receiver, hook(receiver.url, secret=SECRET))
    headers = got["headers"]
    assert headers["webhook-id"] == "n0" == got["body"]["id"]
    assert before <= int(headers["webhook-timestamp"]) <= time.time()
    assert got["signed_ok"]  # `whsec_` + base64(the plain secret), as the docs say
    assert verified(SECRET_AS_WHSEC, headers, got["raw"])
    other = "whsec_" + base64.b64encode(b"another-secret").decode()
    assert not verified(other, headers, got["raw"])


def test_a_captured_request_cannot_be_replayed_with_a_fresh_timestamp(store, build, receiver):
    """Before, the signature covered the body alone: a recorded POST verified forever. Now the
    timestamp is signed: refreshing it breaks the signature, and an old one is refused."""
    secret = new_secret()
    got = deliver_one(store, build, receiver, hook(receiver.url, secret=secret))
    headers, body = got["headers"], got["raw"]
    sent_at = int(headers["webhook-timestamp"])
    verify = docs_verify()
    assert verify(secret, headers, body)
    assert verify(secret, headers, body, now=sent_at + 299)
    assert not verify(secret, headers, body, now=sent_at + 301)  # replayed 5 minutes later
    refreshed = {**headers, "webhook-timestamp": str(sent_at + 301)}
    assert not verify(secret, refreshed, body, now=sent_at + 301)
    assert not verified(secret, refreshed, body)
    tampered = body.replace(b"please act", b"please pay")
    assert not verify(secret, headers, tampered)


def test_during_a_rotation_each_secret_signs_and_either_verifies(store, build, receiver):
    new, old = new_secret(), new_secret()
    got = deliver_one(store, build, receiver, hook(receiver.url, secret=[new, old]))
    headers, body = got["headers"], got["raw"]
    assert len(headers["webhook-signature"].split(" ")) == 2
    verify = docs_verify()
    for secret in (new, old):
        assert verified(secret, headers, body)
        assert verify(secret, headers, body)
    assert not verified(new_secret(), headers, body)


def test_secrets_can_come_from_several_environment_variables(store, build, receiver, monkeypatch):
    new, old = new_secret(), new_secret()
    monkeypatch.setenv("HOOK_NEW", new)
    monkeypatch.setenv("HOOK_OLD", old)
    got = deliver_one(
        store, build, receiver, hook(receiver.url, secret_env=["HOOK_NEW", "HOOK_OLD"])
    )
    assert verified(new, got["headers"], got["raw"]) and verified(old, got["headers"], got["raw"])


def test_the_old_replayable_header_is_sent_only_to_channels_that_ask(store, build, receiver):
    both = Routing.from_dict(
        {
            "channels": {
                "new": {"type": "webhook", "url": f"{receiver.url}/new", "secret": SECRET},
                "old": {
                    "type": "webhook",
                    "url": f"{receiver.url}/old",
                    "secret": SECRET,
                    "legacy_signature": True,
                },
            },
            "routes": {"actors": {"clerk": ["new"], "office": ["old"]}},
        }
    )
    enqueue(store, build, {"to": "clerk"}, {"to": "office"})
    assert Notifier(store, both).run_once().delivered == 2
    got = {r["path"]: r for r in receiver.received}
    assert "x-sop-signature" not in got["/new"]["headers"]
    old = got["/old"]
    expected = "sha256=" + hmac.new(SECRET.encode(), old["raw"], hashlib.sha256).hexdigest()
    assert old["headers"]["x-sop-signature"] == expected
    assert old["signed_ok"] and got["/new"]["signed_ok"]  # the Standard Webhooks headers too


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ({"secret": "whsec_not base64!"}, "channels.ops.secret: the whsec_ secret is not base64"),
        (
            {"secret": "whsec_" + base64.b64encode(b"x" * 16).decode()},
            "decodes to 16 bytes; give 24 to 64",
        ),
        ({"secret": []}, "channels.ops.secret: give at least one secret"),
        ({"secret": ["whsec_" + base64.b64encode(b"k" * 32).decode(), 7]}, "non-empty string"),
        ({"secret_env": ["HOOK_SET", "HOOK_UNSET"]}, "environment variable HOOK_UNSET is empty"),
        ({"secret": SECRET, "legacy_signature": "yes"}, "legacy_signature: must be true or false"),
    ],
)
def test_a_bad_secret_is_refused_at_start_without_quoting_it(monkeypatch, channel, message):
    monkeypatch.setenv("HOOK_SET", new_secret())
    monkeypatch.delenv("HOOK_UNSET", raising=False)
    with pytest.raises(ValueError) as err:
        hook("http://127.0.0.1:9", **channel)
    assert message in str(err.value)
    assert "not base64!" not in str(err.value).replace("whsec_ secret is not base64", "")


def test_sop_notifications_secret_prints_a_fresh_whsec_secret_a_channel_takes():
    runner = CliRunner()
    one, two = (runner.invoke(main, ["notifications", "secret"]) for _ in range(2))
    assert one.exit_code == 0, one.output
    secret = one.output.strip()
    assert secret != two.output.strip()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    hook("http://127.0.0.1:9", secret=secret)  # accepted as a channel's secret
