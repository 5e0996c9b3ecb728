"""A real `sop serve` process on a free port, an HTTP client for it, and a webhook receiver.

The server runs with `--clock manual --dev` (or, with `dev=False`, the `--tokens` its args give;
with `manual_clock=False`, the system clock and gunicorn's worker processes, `--workers` in its
args) on a temporary data folder; tests move a manual clock with POST /v1/clock. Its output goes to
`server.log` in the test's folder (printed on failure).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.api.journey import Journey, Reply
from tests.support import groups
from tests.support.seed import MONDAY

START_TIMEOUT = 30.0
# The Standard Webhooks form: whsec_ + base64 of 32 bytes.
HOOK_SECRET = "whsec_ZTJlLWhvb2stc2VjcmV0LW1hZGUtb2YtMzItYnl0ZXM="


@contextlib.contextmanager
def pg_schema_url(prefix: str) -> Iterator[str]:
    """A fresh schema on the test PostgreSQL (skips without one), as the URL a server takes
    (its search_path); dropped at the end, so stop the servers using it first."""
    from sqlalchemy import create_engine, text

    groups.POSTGRESQL.require()
    url = os.environ[groups.PG_ENV]
    schema = f"{prefix}_{secrets.token_hex(6)}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(base: str, method: str, path: str, body: Any, headers: Mapping[str, str]) -> Reply:
    data = None if body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", **headers}
    req = urllib.request.Request(base + path, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - 127.0.0.1 only
            raw, status, resp_headers = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        raw, status, resp_headers = exc.read(), exc.code, dict(exc.headers)
        exc.close()
    is_json = "json" in resp_headers.get("Content-Type", "")
    body = (json.loads(raw) if is_json else raw.decode()) if raw else None
    return Reply(status, body, resp_headers)


@dataclass
class Server:
    data_dir: Path
    log_path: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    dev: bool = True  # False: give `--tokens FILE` in args
    manual_clock: bool = True  # False: the system clock (several workers without --dev)
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, clock_start: str = MONDAY.isoformat()) -> Server:
        self.port = free_port()
        cmd = [
            sys.executable, "-c", "from engine.cli import main; main()", "serve",
            *(["--dev"] if self.dev else []),
            *(["--clock", "manual", "--clock-start", clock_start] if self.manual_clock else []),
            "--port", str(self.port), "--data-dir", str(self.data_dir),
            "--sweep-interval", "0.3", *self.args,
        ]  # fmt: skip
        log = self.log_path.open("ab")
        env = {**os.environ, **self.env}
        env.pop("DATABASE_URL", None)  # the data folder's SQLite file, always
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sop serve exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if http(self.base, "GET", "/v1/health", None, {}).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"sop serve did not answer in {START_TIMEOUT}s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def journey(self) -> Journey:
        return Journey(lambda m, p, b, h: http(self.base, m, p, b, h))


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every request it gets."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request (kill -9): not received,
                    self.close_connection = True  # as a real receiver would not take it
                    return
                with outer._lock:
                    outer.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def items(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.items()
            if predicate(items):
                return items
            time.sleep(0.05)
        raise AssertionError(f"webhook receiver: condition not met in {timeout}s: {self.items()}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.close()


def notify_config(path: Path, receiver: Receiver) -> Path:
    path.write_text(
        "channels:\n"
        f"  hook: {{type: webhook, url: '{receiver.url}', secret_env: E2E_HOOK_SECRET}}\n"
        "routes:\n"
        "  default: [hook, log]\n"
        "delivery: {max_attempts: 5, backoff_seconds: 0.2, max_backoff_seconds: 1}\n"
    )
    return path


@pytest.fixture
def make_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    servers: list[Server] = []

    def make(
        receiver: Receiver | None = None,
        data_dir: Path | None = None,
        args: Sequence[str] = (),
        **fields: Any,
    ) -> Server:
        args = list(args)
        if receiver is not None:
            args += ["--notify-config", str(notify_config(tmp_path / "notify.yaml", receiver))]
        server = Server(
            data_dir or tmp_path / "data",
            tmp_path / "server.log",
            args,
            {"E2E_HOOK_SECRET": HOOK_SECRET},
            **fields,
        )
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed and servers:
        print(f"--- server log ---\n{servers[-1].tail(80)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
