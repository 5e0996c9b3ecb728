"""Events per second through the HTTP API, and latency at a fixed rate.

Starts real servers on 127.0.0.1 (gunicorn with several workers, and `sop serve` with its
own), on SQLite and, when 127.0.0.1:5432 answers, on PostgreSQL (a throw-away schema in
database `test`), then:

  throughput  client threads open tickets of the seed SOP and walk each through ten events
              (steps 1-11) as fast as the server answers: events/s, p50/p99 latency;
  fixed rate  the same walk at a fixed rate (open loop: latency counts from the moment each
              request was due, so a stalled server cannot hide its queue): p50/p99.

    .venv/bin/python bench/bench_http.py [--seconds 8] [--rate 300] [--workers 4]
        [--server gunicorn|granian] [--threads 4] [--only sqlite|serve|postgresql]

`--server granian` runs the same app under granian (a Rust HTTP server; not a project
dependency: `pip install granian==2.8.7` to try it). Figures on this 2-core machine, SQLite,
with writers queued on the store's lock file (5 s runs, shared machine, +-10%):

    granian  -w 2 --blocking-threads 1      ~1,070 events/s  server 1.35 ms CPU/event
    gunicorn -w 2 --threads 1 (gthread)       ~915 events/s  server 1.65 ms
    gunicorn -w 3 --threads 1                 ~905 events/s  server 1.70 ms
    gunicorn -w 4 --threads 4 (the default)   ~730 events/s  server 1.95 ms

Fewer threads per worker pays: a worker's threads share one GIL and the SQLite write lock.

`--only serve` runs `sop serve` as installed (gunicorn, its worker count; `--serve-workers`,
`--serve-threads` to change them). Shared machine, load average 1-2, SQLite:

    sop serve (3 workers x 1 thread)          ~440-610 events/s  server 2.5-3.4 ms CPU/event
    sop serve --threads 2 / --threads 4       ~410-550 events/s
    sop serve --workers 1                     ~330-380 events/s
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import FIELDS, PG_BASE, WALK, pg_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TOKEN = "bench-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Conn:
    """One keep-alive connection; reconnects when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body)
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, data, self.headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return resp.status, json.loads(raw) if raw else {}
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class Walker:
    """Yields the next request of an endless sequence of seed tickets walked through WALK."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.ticket: str | None = None
        self.step = 0

    def next(self) -> bool:
        """Send one request; True if it was an event (not a ticket creation)."""
        if self.ticket is None or self.step == len(WALK):
            status, body = self.conn.call(
                "POST", "/v1/tickets", {"sop": "surabaya-complaints", "fields": FIELDS}
            )
            if status != 201:
                raise RuntimeError(f"create failed: {status} {body}")
            self.ticket, self.step = body["id"], 0
            return False
        type_, actor, data = WALK[self.step]
        status, body = self.conn.call(
            "POST",
            f"/v1/tickets/{self.ticket}/events",
            {"type": type_, "actor": actor, "data": data},
        )
        if status != 200:
            raise RuntimeError(f"{type_} failed: {status} {body}")
        self.step += 1
        return True


@dataclass
class Result:
    events: int = 0
    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def throughput(port: int, threads: int, seconds: float) -> tuple[float, Result]:
    result = Result()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run() -> None:
        walker, local, lat = Walker(Conn(port)), 0, []
        try:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                if walker.next():
                    local += 1
                    lat.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - reported below
            result.errors.append(str(exc))
        with lock:
            result.events += local
            result.latencies += lat

    start = time.perf_counter()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return result.events / (time.perf_counter() - start), result


def fixed_rate(port: int, rate: float, seconds: float, threads: int) -> Result:
    """Open loop: request i is due at start + i/rate; latency = response time - due time."""
    result = Result()
    lock = threading.Lock()
    total = int(rate * seconds)
    counter = iter(range(total))
    start = time.perf_counter() + 0.2

    def run() -> None:
        walker, lat = Walker(Conn(port)), []
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                walker.next()
            except Exception as exc:  # noqa: BLE001
                result.errors.append(str(exc))
                break
            lat.append(time.perf_counter() - due)
        with lock:
            result.latencies += lat
            result.requests += len(lat)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return result


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process, from /proc; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            kids = []
        todo.extend(int(k) for k in kids)
    return found


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@dataclass
class CpuMeter:
    """CPU seconds used by the server's processes, PostgreSQL's and this client, over a run."""

    server_pid: int
    start: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def sample(self) -> tuple[float, float, float]:
        server = sum(_proc_cpu(p) for p in _descendants(self.server_pid))
        database = sum(_proc_cpu(p) for p in _postgres_pids()) if sys.platform == "linux" else 0
        return server, database, time.process_time()

    def __enter__(self) -> CpuMeter:
        self.start = self.sample()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self.sample()
        self.used = tuple(b - a for a, b in zip(self.start, end, strict=True))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


@dataclass
class Setup:
    name: str
    database_url: str | None
    server: str  # "gunicorn" or "sop-serve"
    workers: int = 4
    threads: int = 4
    worker_class: str = "gthread"


def start_server(setup: Setup, tmp: Path, port: int) -> subprocess.Popen[bytes]:
    tokens = tmp / "tokens.yaml"
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    tokens.write_text(
        f"tokens:\n  - {{name: bench, sha256: {digest}, roles: [admin], actors: ['*']}}\n"
    )
    env = {
        **os.environ,
        "SOP_TOKENS_FILE": str(tokens),
        "SOP_DATA_DIR": str(tmp / "data"),
        "SOP_BACKGROUND": "0",
    }
    env.pop("DATABASE_URL", None)
    if setup.database_url:
        env["DATABASE_URL"] = setup.database_url
    if setup.server == "gunicorn":
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "-w", str(setup.workers), "-k", setup.worker_class, "--threads", str(setup.threads),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", "api.wsgi:app",
        ]  # fmt: skip
    elif setup.server == "granian":  # a Rust HTTP server (pip install granian); not a dependency
        cmd = [
            str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(setup.workers),
            "--blocking-threads", str(setup.threads), "--log-level", "warning", "api.wsgi:app",
        ]  # fmt: skip
    else:  # `sop serve` as it is run: gunicorn, its own worker count unless given
        shape = [f"--{k}={v}" for k, v in (("workers", setup.workers), ("threads", setup.threads))]
        cmd = [
            sys.executable, "-c", "from engine.cli import main; main()", "serve",
            "--port", str(port), "--tokens", str(tokens), "--sweep-interval", "60",
            *[option for option in shape if not option.endswith("=0")],
        ]  # fmt: skip
    log = (tmp / f"{setup.server}.log").open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{setup.name}: server exited; see {tmp}/{setup.server}.log")
        try:
            if Conn(port).call("GET", "/v1/health")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{setup.name}: no answer in 60 s")


def pg_schema_url(schema: str) -> str:
    import psycopg

    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_BASE}?options=-csearch_path%3D{schema}"


def pg_drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def run_setup(setup: Setup, args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    port = free_port()
    proc = start_server(setup, tmp, port)
    try:
        throughput(port, 2, 1.0)  # warm up: imports, caches, connection pools
        with CpuMeter(proc.pid) as cpu:
            eps, res = throughput(port, args.clients, args.seconds)
        per = [u / max(1, res.events) * 1000 for u in cpu.used]
        fixed = fixed_rate(port, args.rate, args.seconds, args.clients * 2)
        errors = res.errors + fixed.errors
        print(
            f"{setup.name:<38} {eps:8.0f} events/s  "
            f"(p50 {pct(res.latencies, 50):5.1f} ms, p99 {pct(res.latencies, 99):6.1f} ms "
            f"at full load, {args.clients} clients)   "
            f"at {args.rate:.0f} req/s: p50 {pct(fixed.latencies, 50):5.1f} ms, "
            f"p99 {pct(fixed.latencies, 99):6.1f} ms"
            + (f"   ERRORS: {len(errors)} e.g. {errors[0]}" if errors else "")
        )
        print(
            f"{'':<38} CPU per event at full load (ticket creations included): "
            f"server {per[0]:.2f} ms, PostgreSQL {per[1]:.2f} ms, this client {per[2]:.2f} ms"
        )
        sys.stdout.flush()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=300.0, help="fixed-rate requests/s")
    parser.add_argument("--clients", type=int, default=8, help="client threads at full load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--serve-workers", type=int, default=0, help="sop serve --workers (0: its default)"
    )
    parser.add_argument(
        "--serve-threads", type=int, default=0, help="sop serve --threads (0: its default)"
    )
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["gthread", "sync"],
        help="gunicorn worker type (sync: one request at a time, no keep-alive)",
    )
    parser.add_argument(
        "--server",
        default="gunicorn",
        choices=["gunicorn", "granian"],
        help="the multi-process server (granian: installed by hand, for comparison)",
    )
    parser.add_argument(
        "--only",
        choices=["sqlite", "serve", "postgresql"],
        action="append",
        help="run only these setups (repeatable); default: all",
    )
    args = parser.parse_args()
    only = set(args.only or ["sqlite", "serve", "postgresql"])
    print(f"HTTP benchmark on {os.cpu_count()} cores; {args.seconds:.0f} s per measurement")
    setups = []
    multi = f"{args.server} -w {args.workers}" + (
        f" {args.worker_class}"
        if args.server == "gunicorn"
        else f" --blocking-threads {args.threads}"
    )
    if "sqlite" in only:
        setups.append(
            Setup(f"sqlite, {multi}", None, args.server,
                  args.workers, args.threads, args.worker_class)
        )  # fmt: skip
    if "serve" in only:
        shape = " ".join(
            f"--{name} {value}"
            for name, value in (("workers", args.serve_workers), ("threads", args.serve_threads))
            if value
        )
        setups.append(
            Setup(f"sqlite, sop serve {shape or '(its defaults)'}", None, "sop-serve",
                  args.serve_workers, args.serve_threads)
        )  # fmt: skip
    schema = None
    if "postgresql" not in only:
        pass
    elif pg_url() is not None:
        schema = f"bench_{secrets.token_hex(4)}"
        url = pg_schema_url(schema)
        setups.append(
            Setup(f"postgresql, {multi}", url, args.server,
                  args.workers, args.threads, args.worker_class)
        )  # fmt: skip
    else:
        print("PostgreSQL: nothing answers on 127.0.0.1:5432; skipped")
    try:
        for setup in setups:
            run_setup(setup, args)
    finally:
        if schema:
            pg_drop(schema)


if __name__ == "__main__":
    main()
