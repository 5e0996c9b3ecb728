"""What the notifier and dead-letter tests share: a real webhook receiver on 127.0.0.1, a
routing to it, and notifications put in the outbox (the `receiver` fixture is in conftest.py)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from engine.app.notifier import DeliveryReport, Routing
from engine.store import Store

NOTHING_ATTEMPTED = DeliveryReport()  # no delivery, retry or dead letter

SECRET = "s3cret-for-tests"  # a plain secret, as configured before whsec_ secrets
# The same key as Standard Webhooks serializes it: what a receiver gives its library.
SECRET_AS_WHSEC = "whsec_" + base64.b64encode(SECRET.encode()).decode()


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether the Standard Webhooks reference verifier accepts the request (it refuses a
    timestamp more than 5 minutes from now)."""
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError:
        return False
    return True


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks signatures and can be told to fail."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next = 0  # answer 500 to this many posts
        self.down = False  # answer every post 503 (an outage)
        self.redirect: tuple[int, str] | None = None  # answer posts with (status, Location)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.received.append({"method": "GET", "path": self.path, "body": None})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                if outer.redirect is not None and self.path != "/moved":
                    status, location = outer.redirect
                    self.rfile.read(int(self.headers["Content-Length"]))
                    outer.received.append({"method": "POST", "path": self.path, "body": None})
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.received.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "body": json.loads(body),
                        "raw": body,
                        "headers": headers,
                        "signed_ok": verified(SECRET_AS_WHSEC, headers, body),
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                    }
                )
                status = 200
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    status = 500
                if outer.down:
                    status = 503
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [r["path"] for r in self.received]


def routing(url: str, **delivery: float) -> Routing:
    return Routing.from_dict(
        {
            "channels": {
                "ops": {"type": "webhook", "url": f"{url}/ops", "secret": SECRET},
                "area-north": {"type": "webhook", "url": f"{url}/north", "secret": SECRET},
                "chat": {"type": "webhook", "url": f"{url}/chat", "secret": SECRET},
                "quiet-log": {"type": "log", "include_text": False},
            },
            "routes": {
                "actors": {"clerk": ["ops"], "office/north": ["area-north"], "office": "ops"},
                "by_channel": {"chat-app": ["chat", "quiet-log"]},
                "default": ["log"],
            },
            "delivery": {"max_attempts": 3, "backoff_seconds": 10, **delivery},
        }
    )


def enqueue(store: Store, build: Any, *notes_kwargs: dict[str, Any]) -> list[str]:
    ticket = build.ticket("T1")
    notes = tuple(build.note(ticket, f"n{i}", **kw) for i, kw in enumerate(notes_kwargs))
    with store.write() as tx:
        tx.save(
            build.outcome(ticket, notes=notes), expected_version=None, scopes={}, scope_fields={}
        )
    return [n.id for n in notes]


def statuses(store: Store) -> dict[str, tuple[str, int]]:
    with store.read() as tx:
        return {
            n["id"]: (n["delivery"]["status"], n["delivery"]["attempts"]) for n in tx.outbox_feed()
        }
