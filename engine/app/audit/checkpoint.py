"""A keyed checkpoint of the log: every chain's head, signed with a key kept outside the database.

    load_key(path) -> bytes                       the key file's contents (at least 32 bytes)
    make_checkpoint(store, key, made) -> dict     the signed statement (`sop audit checkpoint`)
    read_checkpoint(path, key) -> Checkpoint      its signature checked; CheckpointInvalid if not
    Checkpoint.check_ticket(ticket_id, links)     does the ticket's chain still extend its head?
    Checkpoint.check_store(conn) / .missing()     periodic rows and ticket-less notifications;
                                                  tickets the checkpoint holds and the store lost

The hash chain shows an entry changed, removed or moved, but not a whole chain recomputed: the
algorithm is public, so someone who can write the database can rewrite a ticket's log and hash
it afresh. A checkpoint closes that for everything written before it. It holds, for every
ticket, the position and hash of its last entry (the head: it covers every entry before it),
plus a hash of every `periodic_runs` row and of every notification of no ticket (their texts
carry a report that cannot be computed again), and the time it was made; HMAC-SHA256 with a
key the database never sees signs it all. Stored elsewhere (another machine, a ticket system,
paper), it lets a later `sop audit verify --checkpoint FILE --key-file K` check that each chain
still passes through its checkpointed head: rewriting any entry up to the head changes the
head's hash, and forging a matching checkpoint needs the key.

The document (JSON, keys sorted):

    {"format": "sop-audit-checkpoint/1", "made": "<UTC time>", "key_id": "<16 hex>",
     "tickets": N, "entries": M, "heads": {"<ticket>": [<position>, "<entry_hash>"], ...},
     "periodic_runs": {"<sop>/<step>/<period>": "<sha256>"}, "outbox": {"<id>": "<sha256>"},
     "signature": "<hex HMAC-SHA256 over the canonical JSON of all the other keys>"}

`key_id` names the key (an HMAC of a constant) so a wrong key is told apart from an edited file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from engine.app.audit.chain_check import Link, Problem
from engine.app.audit.snapshot import snapshot
from engine.errors import CheckpointInvalid
from engine.store import Store
from engine.store.chain import canonical
from engine.store.tables import EventRow, OutboxRow, PeriodicRunRow

__all__ = ["Checkpoint", "load_key", "make_checkpoint", "read_checkpoint"]

FORMAT = "sop-audit-checkpoint/1"
MIN_KEY_BYTES = 32
MAKE_KEY = "head -c 32 /dev/urandom | base64 > {path}; chmod 600 {path}"
_PERIODIC = ("sop_id", "step", "period", "revision", "start", "end", "ran", "notifications")


def load_key(path: str | Path) -> bytes:
    where = Path(path)
    try:
        key = where.read_bytes().strip()
    except OSError as exc:
        raise CheckpointInvalid(f"cannot read the key file {where}: {exc.strerror}") from None
    if len(key) < MIN_KEY_BYTES:
        raise CheckpointInvalid(
            f"the key file {where} holds {len(key)} bytes; a key needs at least {MIN_KEY_BYTES} "
            f"(make one: {MAKE_KEY.format(path=where)})"
        )
    return key


def key_id(key: bytes) -> str:
    return hmac.new(key, b"sop-audit-checkpoint key id", hashlib.sha256).hexdigest()[:16]


def _sign(doc: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, canonical(doc).encode("utf-8"), hashlib.sha256).hexdigest()


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


# -- making one -----------------------------------------------------------------------------------


def make_checkpoint(store: Store, key: bytes, made: datetime | None = None) -> dict[str, Any]:
    """Every chain head, periodic run and ticket-less notification, read in one snapshot."""
    moment = (made or datetime.now(UTC)).astimezone(UTC)
    with snapshot(store) as conn:
        heads = _heads(conn)
        periodic, outbox = _other_rows(conn)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "made": moment.isoformat().replace("+00:00", "Z"),
        "key_id": key_id(key),
        "tickets": len(heads),
        "entries": sum(seq for seq, _ in heads.values()),
        "heads": {t: [seq, digest] for t, (seq, digest) in sorted(heads.items())},
        "periodic_runs": periodic,
        "outbox": outbox,
    }
    return {**doc, "signature": _sign(doc, key)}


def _heads(conn: Connection) -> dict[str, tuple[int, str]]:
    last = (
        select(EventRow.ticket_id, func.max(EventRow.seq).label("seq"))
        .group_by(EventRow.ticket_id)
        .subquery()
    )
    rows = conn.execute(
        select(EventRow.ticket_id, EventRow.seq, EventRow.entry_hash).join(
            last, (EventRow.ticket_id == last.c.ticket_id) & (EventRow.seq == last.c.seq)
        )
    )
    return {r.ticket_id: (int(r.seq), r.entry_hash or "") for r in rows}


def _other_rows(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """Hashes of the rows no log derives: periodic runs, and notifications of no ticket."""
    periodic = {
        f"{r.sop_id}/{r.step}/{r.period}": _digest({c: getattr(r, c) for c in _PERIODIC})
        for r in conn.execute(select(*(getattr(PeriodicRunRow, c) for c in _PERIODIC)))
    }
    outbox = {
        r.notification_id: _digest(r.payload)
        for r in conn.execute(
            select(OutboxRow.notification_id, OutboxRow.payload).where(OutboxRow.ticket_id == "")
        )
    }
    return dict(sorted(periodic.items())), dict(sorted(outbox.items()))


# -- checking against one -------------------------------------------------------------------------


@dataclass
class Checkpoint:
    made: str
    heads: dict[str, tuple[int, str]]
    periodic_runs: dict[str, str]
    outbox: dict[str, str]
    seen: set[str] = field(default_factory=set)  # checkpointed tickets found in the store
    new: int = 0  # tickets in the store the checkpoint does not hold (opened since)

    def summary(self) -> dict[str, Any]:
        return {"made": self.made, "tickets": len(self.heads), "new_since": self.new}

    def check_ticket(self, ticket_id: str, links: Sequence[Link]) -> list[Problem]:
        head = self.heads.get(ticket_id)
        if head is None:
            self.new += 1
            return []
        self.seen.add(ticket_id)
        seq, digest = head
        at = next((link for link in links if link.seq == seq), None)
        if at is None:
            message = (
                f"the checkpoint of {self.made} holds its log up to entry {seq}; the log has "
                f"{len(links)} entries now and no entry {seq}: entries were removed"
            )
            return [Problem(ticket_id, seq, "checkpoint", message)]
        if at.entry_hash != digest:
            message = (
                f"entry {seq} hashes to {(at.entry_hash or '')[:12]}, but the checkpoint of "
                f"{self.made} recorded {digest[:12]}: the log up to it was rewritten"
            )
            return [Problem(ticket_id, seq, "checkpoint", message)]
        return []

    def missing(self) -> list[Problem]:
        """Checkpointed tickets the walk did not find: gone with their whole log."""
        return [
            Problem(
                ticket_id,
                None,
                "checkpoint",
                f"the checkpoint of {self.made} holds this ticket with {seq} log entries; the "
                "store holds neither the ticket nor its log: deleted",
            )
            for ticket_id, (seq, _) in sorted(self.heads.items())
            if ticket_id not in self.seen
        ]

    def check_store(self, conn: Connection) -> list[Problem]:
        periodic, outbox = _other_rows(conn)
        problems: list[Problem] = []
        for table, held, now in (
            ("periodic_runs", self.periodic_runs, periodic),
            ("outbox", self.outbox, outbox),
        ):
            for key, digest in sorted(held.items()):
                if now.get(key) == digest:
                    continue
                what = "was changed" if key in now else "is gone: deleted"
                message = f"the row the checkpoint of {self.made} holds {what}"
                problems.append(Problem("", None, "checkpoint", message, table=table, key=key))
        return problems


def read_checkpoint(path: str | Path, key: bytes) -> Checkpoint:
    where = Path(path)
    try:
        doc = json.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckpointInvalid(f"cannot read the checkpoint {where}: {exc.strerror}") from None
    except ValueError as exc:
        raise CheckpointInvalid(f"the checkpoint {where} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CheckpointInvalid(
            f"{where} is not a checkpoint written by `sop audit checkpoint` ({FORMAT})"
        )
    signature = doc.pop("signature", None)
    if doc.get("key_id") != key_id(key):
        raise CheckpointInvalid(
            f"the checkpoint {where} was signed with another key (key id {doc.get('key_id')}; "
            f"the key given is {key_id(key)}): give the key file it was made with"
        )
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(doc, key)):
        raise CheckpointInvalid(
            f"the signature of the checkpoint {where} does not match its content: the file was "
            "changed after it was signed; use an unaltered copy"
        )
    try:
        heads = {str(t): (int(h[0]), str(h[1])) for t, h in doc["heads"].items()}
        return Checkpoint(str(doc["made"]), heads, dict(doc["periodic_runs"]), dict(doc["outbox"]))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise CheckpointInvalid(f"the checkpoint {where} lacks heads, times or rows") from None
