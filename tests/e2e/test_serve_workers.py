"""`sop serve` without --dev: gunicorn worker processes on one SQLite data folder. Requests go
to several workers; the sweeper and notifier run in one of them, so each deadline is applied
and each notification sent once; when that worker is killed another takes the work over;
SIGHUP reloads the SOPs in every worker; SIGTERM stops them all within the grace."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api import create_app
from api.auth import hash_token
from engine.cli.gunicorn_app import GRACEFUL_TIMEOUT
from tests.api.conftest import sender
from tests.api.journey import SOP, Journey
from tests.e2e.conftest import Receiver, Server, http
from tests.support.seed import ROOT

SECRET = "e2e-admin-secret"
WORKERS = 3
LEADER = re.compile(r"background: process (\d+) runs the sweeper and notifier")
NOT_LEADER = "not run by this process"  # the readiness check's sweeper, in the others


def tokens_file(path: Path) -> Path:
    path.write_text(
        f"tokens:\n  - {{name: ops, sha256: {hash_token(SECRET)}, roles: [admin], actors: ['*']}}\n"
    )
    return path


def authed(server: Server) -> Journey:
    auth = {"Authorization": f"Bearer {SECRET}"}
    return Journey(lambda m, p, b, h: http(server.base, m, p, b, {**auth, **h}))


def at_step_8(data_dir: Path, start: datetime, count: int) -> list[str]:
    """`count` tickets waiting at step 8 (24 hours) since `start`, written in process."""
    app = create_app(
        {
            "SOP_DATA_DIR": str(data_dir),
            "SOP_DEV": True,
            "SOP_CLOCK": "manual",
            "SOP_CLOCK_START": start.isoformat(),
        }
    )
    try:
        api = Journey(sender(app.test_client(), None))
        ids = []
        for _ in range(count):
            tid = api.create()["id"]
            api.to_authority_check(tid)
            api.post(tid, "within_authority", "staff")
            api.post(tid, "routed", "staff")
            ids.append(tid)
        return ids
    finally:
        app.extensions["sop"].close()


def wait_until(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s: {what}")


def leaders(server: Server) -> list[int]:
    return [int(pid) for pid in LEADER.findall(server.log_path.read_text(errors="replace"))]


def deadlines(api: Journey, tid: str) -> list[tuple[str, str]]:
    return [(e["event"], e["at"]) for e in api.timeline(tid) if e["actor"] is None]


def worker_server(make_server: Any, tmp_path: Path, **kwargs: Any) -> Server:
    args = ["--tokens", str(tokens_file(tmp_path / "tokens.yaml")), "--workers", str(WORKERS)]
    return make_server(  # type: ignore[no-any-return]
        args=[*args, *kwargs.pop("args", [])], dev=False, manual_clock=False, **kwargs
    )


def test_workers_share_requests_and_one_sweeps_and_notifies_then_another(
    make_server: Any, receiver: Receiver, tmp_path: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=30)  # step 8's 24 hours are over
    overdue = at_step_8(tmp_path / "data", long_ago, 6)
    server = worker_server(make_server, tmp_path, receiver=receiver)
    server.start()
    api = authed(server)

    # Requests, several at a time, are answered by more than one worker (once they booted):
    # the readiness report of the one running the sweeper differs from the others'.
    seen: set[str] = set()

    def spread() -> bool:
        def ask() -> None:
            for _ in range(3):
                api.create()
                ready = api.call("GET", "/v1/health/ready").body
                seen.add(ready["checks"]["sweeper"]["detail"])

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return NOT_LEADER in seen and len(seen) > 1

    wait_until(spread, 30, "requests answered by more than one worker")

    # The overdue tickets are swept once, by the one worker running the sweeper.
    wait_until(
        lambda: all(("deadline" in dict(deadlines(api, t))) for t in overdue),
        30,
        "the overdue tickets swept",
    )
    (leader,) = leaders(server)

    # Its notifier sends each notification once.
    outbox = {n["id"] for n in api.notifications()}
    receiver.wait_for(lambda got: {r.json["id"] for r in got} >= outbox, 30)

    # Killed, the leader is replaced at once by a worker already running.
    os.kill(leader, signal.SIGKILL)
    killed = time.monotonic()
    new = wait_until(lambda: leaders(server)[1:], 10, "another worker running the sweeper")
    assert new[0] != leader
    assert time.monotonic() - killed < 5.0
    # ... which sweeps what falls due afterwards (tickets written beside the server), and
    # notifies.
    later = at_step_8(tmp_path / "data", long_ago, 3)
    wait_until(
        lambda: all(("deadline" in dict(deadlines(api, t))) for t in later),
        60,
        "the later deadlines swept by the new leader",
    )
    outbox = {n["id"] for n in api.notifications()}
    receiver.wait_for(lambda got: {r.json["id"] for r in got} >= outbox, 30)

    time.sleep(1.0)  # a few more sweeps and deliveries: none may repeat
    for tid in overdue + later:
        entries = deadlines(api, tid)
        assert [e for e, _ in entries].count("deadline") == 1, (tid, entries)
        assert max(Counter(entries).values()) == 1, (tid, entries)
    sent = Counter(r.json["id"] for r in receiver.items())
    assert [i for i, n in sent.items() if n > 1] == []
    assert set(sent) == {n["id"] for n in api.notifications()}


def test_sighup_reloads_every_worker_and_sigterm_stops_within_the_grace(
    make_server: Any, tmp_path: Path
) -> None:
    root, rules = tmp_path / "sop", tmp_path / "rules"
    shutil.copytree(ROOT / "sop", root)
    shutil.copytree(ROOT / "rules", rules)
    server = worker_server(
        make_server, tmp_path, args=["--sop-root", str(root), "--rules-dir", str(rules)]
    )
    server.start()
    api = authed(server)
    wait_until(lambda: len(re.findall(r"Booting worker", server.tail(200))) >= WORKERS, 30, "boot")

    shutil.copy(ROOT / "tests/revisions/rules/surabaya-complaints-r2.yaml", rules)
    shutil.copy(ROOT / "tests/revisions/sop/surabaya-complaints/r2.yaml", root / SOP)
    assert server.proc is not None
    server.proc.send_signal(signal.SIGHUP)
    wait_until(
        lambda: server.tail(200).count("SIGHUP: reloaded the SOPs") >= WORKERS,
        30,
        "every worker reloaded",
    )
    for _ in range(10):  # whichever worker answers
        (sop,) = api.call("GET", "/v1/sops").body["items"]
        assert "r2" in sop["revisions"]

    workers = [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", server.tail(200))]
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(GRACEFUL_TIMEOUT + 5) == 0
    assert time.monotonic() - started < GRACEFUL_TIMEOUT
    assert server.tail().splitlines()[-1] == "stopped"
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )


def serve_once(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-c", "from engine.cli import main; main()", "serve",
            "--data-dir", str(tmp_path / "data"), "--workers", "2",
            "--tokens", str(tokens_file(tmp_path / "tokens.yaml")), *args,
        ],
        capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )  # fmt: skip


def test_a_bad_start_is_one_line_and_exit_1_before_any_worker(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = serve_once(tmp_path, "--port", "0", "--sop-root", str(empty))
    assert run.returncode == 1
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"Error: no SOP revisions under {empty}")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = serve_once(tmp_path, "--port", str(port))
    assert run.returncode == 1
    assert "Booting worker" not in run.stderr + run.stdout
    assert run.stderr.splitlines()[-1] == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )


def test_a_manual_clock_runs_one_worker_whose_long_move_sigterm_ends_promptly(
    make_server: Any, tmp_path: Path
) -> None:
    args = ["--tokens", str(tokens_file(tmp_path / "tokens.yaml")), "--workers", "3"]
    server: Server = make_server(args=args, dev=False).start()
    assert "the clock is per process: 1 worker, not 3" in server.tail()
    assert "1 worker(s) x 4 thread(s)" in server.tail()  # requests beside a long move
    api = authed(server)
    made = []
    for _ in range(30):  # each reminded once a working day: ~260 events each over 400 days
        tid = api.create()["id"]
        api.to_authority_check(tid)
        api.post(tid, "within_authority", "staff")
        api.post(tid, "routed", "staff")
        made.append(tid)
    routed_len = len(api.timeline(made[0]))
    replies: list[Any] = []

    def move() -> None:
        try:
            replies.append(api.call("POST", "/v1/clock", {"advance": "400 days"}, expect=None))

        except OSError as exc:  # the server went away before answering
            replies.append(exc)

    mover = threading.Thread(target=move, daemon=True)
    mover.start()
    wait_until(lambda: len(api.timeline(made[0])) > routed_len, 30, "the move's sweep under way")
    assert server.proc is not None
    stopped = time.monotonic()
    server.proc.terminate()
    assert server.proc.wait(GRACEFUL_TIMEOUT + 5) == 0, server.tail()
    took = time.monotonic() - stopped
    mover.join(10)
    assert took < 4.0, f"exited {took:.1f}s after SIGTERM"
    (reply,) = replies
    assert isinstance(reply, OSError) or reply.status == 503, reply  # never "all swept"
