"""The tamper-evident log: each ticket's log entries form a hash chain.

    entry_hash(entry, prev_hash) -> str      sha256 hex over the entry's canonical JSON and
                                             the previous entry's hash (GENESIS for the first)
    canonical(value) -> str                  the canonical JSON text that is hashed
    stamp(values, prev_hash) -> str          put prev_hash / entry_hash into an events row's
                                             values; returns the new hash (the next prev)
    last_link(conn, ticket_id) -> (seq, hash)   where a ticket's chain ends (0, GENESIS if empty)

What is hashed is the whole `LogEntry` as the store keeps it (`events.entry`, the codec's JSON:
the event, actor, user, data, states, statuses, steps, SLA result, the rules that fired with
their inputs, the cause, and the governing revision: sop id, revision and its content hash
`spec_hash`), in canonical form: keys sorted, no whitespace, UTF-8, and every datetime (the
entry's `at`, and the codec's `{"$datetime": ...}` values) as ISO 8601 in UTC (`...Z`). The
hashed text is `{"entry":<entry>,"prev":"<prev_hash>"}`, so anyone can check a chain from the
stored JSON alone. The position (`seq`) and the bookkeeping columns (`recorded`, the
idempotency key) are not hashed: the chain itself fixes the order, since each hash covers the
one before.

Changing an entry, removing one, or putting them in another order breaks the chain where it
happened; `engine.app.audit.verify` finds it. Anyone able to rewrite the database *and* recompute
every later hash of a ticket can forge a consistent chain: a checkpoint of the heads signed with
a key kept outside the database (`engine.app.audit.checkpoint`) is what stops that.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.core.model import LogEntry
from engine.store import codec
from engine.store.tables import EventRow

__all__ = ["GENESIS", "canonical", "entry_hash", "last_link", "stamp"]

GENESIS = "0" * 64  # the prev_hash of a ticket's first entry


def canonical(value: Any) -> str:
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(entry: LogEntry | dict[str, Any], prev_hash: str) -> str:
    """`entry`: the record, or its stored JSON (`codec.encode(entry)`); both hash the same."""
    doc = codec.encode(entry) if isinstance(entry, LogEntry) else entry
    if isinstance(doc.get("at"), str):
        doc = {**doc, "at": _utc(doc["at"])}
    text = canonical({"entry": doc, "prev": prev_hash})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stamp(values: dict[str, Any], prev_hash: str) -> str:
    """Chain an events row (its `entry` JSON) to `prev_hash`; returns its own hash."""
    values["prev_hash"] = prev_hash
    values["entry_hash"] = digest = entry_hash(values["entry"], prev_hash)
    return digest


def last_link(conn: Connection, ticket_id: str) -> tuple[int, str]:
    """The seq and hash of the ticket's last stored entry; (0, GENESIS) when it has none."""
    row = conn.execute(
        select(EventRow.seq, EventRow.entry_hash)
        .where(EventRow.ticket_id == ticket_id)
        .order_by(EventRow.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS
    return int(row.seq), row.entry_hash or GENESIS


def _plain(value: Any) -> Any:
    """JSON values with the codec's datetime tags in UTC (and any stray datetime as text)."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("$datetime"), str):
            return {"$datetime": _utc(value["$datetime"])}
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return _utc(value.isoformat())
    if isinstance(value, date):
        return value.isoformat()
    return value


def _utc(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # not a time after all: hashed as it is
    if moment.tzinfo is None or moment.utcoffset() is None:
        return text
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
