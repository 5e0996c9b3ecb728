"""Short, sortable, unique ticket ids: 10 characters of millisecond time + 6 random ones.

Crockford base32 (no I, L, O, U), so ids sort by creation time as plain strings, read well
over the phone, and are 16 characters long. Within one process ids are strictly increasing.
"""

from __future__ import annotations

import secrets
import threading
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last_ms = 0


def _b32(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 32)
        chars.append(ALPHABET[r])
    return "".join(reversed(chars))


def new_ticket_id() -> str:
    global _last_ms
    with _lock:
        ms = max(time.time_ns() // 1_000_000, _last_ms + 1)
        _last_ms = ms
    return _b32(ms, 10) + _b32(secrets.randbits(30), 6)
