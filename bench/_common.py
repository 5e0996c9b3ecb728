"""What several benchmarks share: the seed ticket they walk and where PostgreSQL is."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
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
