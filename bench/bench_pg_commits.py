"""How many event-shaped transactions PostgreSQL commits per second, to set beside the app
server's events/s (bench_http.py): which of the two limits a site.

Runs `pgbench` (PostgreSQL's client tools) with a transaction shaped like an accepted event's
(one row updated, three inserted with ~1.2 KB of text, one commit with fsync) in a throw-away
schema of the database `SOP_BENCH_DATABASE_URL` names (default the local `test`), for 1, 4
and 8 clients (more clients: more commits share one WAL flush).

    .venv/bin/python bench/bench_pg_commits.py [--seconds 5] [--clients 1 4 8]

Measured on this 2-core machine, shared and loaded (load average ~3-6), PostgreSQL 127.0.0.1:
~320 commits/s with 1 client (3.1 ms each, the fsync), ~1,020 with 4, ~2,090 with 8. The same
machine served ~117 events/s through gunicorn -w 2 on PostgreSQL (bench_http.py), 4.4 ms of app
server CPU and 1.3 ms of PostgreSQL CPU per event: the app servers run out of CPU long before
PostgreSQL runs out of commits.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from _common import PG_BASE, pg_url  # noqa: E402

EVENT = """\\set tid random(1, 1000)
BEGIN;
UPDATE t SET v = v + 1 WHERE id = :tid;
INSERT INTO log (tid, body) VALUES (:tid, repeat('x', 600));
INSERT INTO log (tid, body) VALUES (:tid, repeat('y', 300));
INSERT INTO log (tid, body) VALUES (:tid, repeat('z', 300));
COMMIT;
"""


def _psql(args: list[str], sql: str) -> None:
    quiet = "SET client_min_messages = warning; "
    subprocess.run(["psql", *args, "-q", "-v", "ON_ERROR_STOP=1", "-c", quiet + sql], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    if pg_url() is None or shutil.which("pgbench") is None:
        print(f"skipped: no PostgreSQL at {PG_BASE} or no pgbench on PATH")
        return 0
    url = urlparse(PG_BASE)
    conn = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    if url.username:
        conn += ["-U", url.username]
    database = (url.path or "/test").lstrip("/")
    schema = f"bench_commits_{secrets.token_hex(4)}"
    _psql(
        [*conn, database],
        f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.t (id int PRIMARY KEY, v int);"
        f"INSERT INTO {schema}.t SELECT g, 0 FROM generate_series(1, 1000) g;"
        f"CREATE TABLE {schema}.log (id bigserial PRIMARY KEY, tid int, body text);",
    )
    env = {**os.environ, "PGOPTIONS": f"-csearch_path={schema}"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "event.sql"
            script.write_text(EVENT)
            print(f"event-shaped commits on {url.hostname}:{url.port or 5432}/{database}")
            for clients in args.clients:
                out = subprocess.run(
                    ["pgbench", *conn, "-n", "-f", str(script), "-c", str(clients)]
                    + ["-j", str(min(clients, os.cpu_count() or 1)), "-T", str(args.seconds)]
                    + [database],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                tps = re.search(r"tps = ([\d.]+)", out)
                lat = re.search(r"latency average = ([\d.]+) ms", out)
                print(
                    f"  {clients:>2} client(s): {float(tps.group(1)) if tps else 0:>7,.0f} "
                    f"commits/s, {float(lat.group(1)) if lat else 0:.1f} ms each"
                )
    finally:
        _psql([*conn, database], f"DROP SCHEMA {schema} CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
