"""What several benchmarks share: the seed ticket they walk and where PostgreSQL is."""

from __future__ import annotations

import os
import secrets
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.seed import OTHER_CHANNEL  # noqa: E402

PG_BASE = os.environ.get("SOP_BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432/test")

# A seed ticket from a channel other than the city's app, and its walk through steps 1-11.
FIELDS = dict(OTHER_CHANNEL)
WALK = [
    ("accept", "staff", {}),
    ("triage", "staff", {}),
    ("entered", "staff", {"category": "Infrastruktur", "topic": "Jalan", "agency": "DSDABM"}),
    ("responded", "staff", {"response_text": "Kami proses"}),
    ("within_authority", "staff", {}),
    ("routed", "staff", {}),
    ("agency_responded", "agency", {"agency_response_text": "Ok"}),
    (
        "follow_up_submitted",
        "agency",
        {"follow_up_text": "Sudah", "follow_up_photo": "https://example.org/f.jpg"},
    ),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
]


def pg_url() -> str | None:
    """PG_BASE when a server answers there, else None (the PostgreSQL run is skipped)."""
    parsed = urlparse(PG_BASE)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2):
            return PG_BASE
    except OSError:
        return None


_URLS: dict[int, str] = {}  # id(store) -> the URL another process opens it by


def url_of(store: Any) -> str:
    """The URL a worker process opens a store of `stores()` by (PostgreSQL: with its schema)."""
    return _URLS[id(store)]


def stores(backend: str) -> Iterator[tuple[str, Any]]:
    """(label, engine.store.Store) for each backend asked ("sqlite", "postgresql", "both"): a
    SQLite file in a temporary folder, and a throw-away PostgreSQL schema dropped afterwards."""
    from sqlalchemy import text

    from engine.store import Store

    if backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(f"sqlite:///{tmp}/bench.db")
            _URLS[id(store)] = f"sqlite:///{tmp}/bench.db"
            try:
                yield "sqlite", store
            finally:
                store.close()
    if backend in ("postgresql", "both"):
        url = pg_url()
        if url is None:
            print("postgresql: not reachable; skipped (set SOP_BENCH_DATABASE_URL)")
            return
        schema = f"sop_bench_{secrets.token_hex(4)}"
        store = Store.open(url, schema=schema)
        joined = "&" if "?" in url else "?"
        _URLS[id(store)] = f"{url}{joined}options=-csearch_path%3D{schema}"
        try:
            yield "postgresql", store
        finally:
            with store.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            store.close()
