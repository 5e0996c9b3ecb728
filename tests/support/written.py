"""Seed-SOP tickets written as the service writes them, without its per-request cost.

    write_tickets(store, spec, n, events, prefix="A") -> seconds taken

Each ticket is driven by the core from its creation through `events` ((type, actor, data), an
hour apart), and each outcome is saved as the service saves it: `Tx.save` (every entry hashed
and chained), its scope rows, deadlines and outbox, and the read models' handlers (step_runs),
BATCH tickets a transaction; the revision's texts are stored as the service stores them. So
every row `sop audit verify` compares is there, as the log gives it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from engine.app import handlers
from engine.app.service import ticket_scopes
from engine.core import apply, compile_revision, new_ticket
from engine.core.model import Event, Outcome, Ticket
from engine.spec.model import Spec
from engine.store import Store, Tx
from engine.store.revisions import texts_of
from tests.support.seed import MONDAY, OTHER_CHANNEL

__all__ = ["write_tickets"]

BATCH = 500


def write_tickets(
    store: Store,
    spec: Spec,
    n: int,
    events: Sequence[tuple[str, str, dict[str, Any]]],
    prefix: str = "A",
) -> float:
    rev = compile_revision(spec)
    texts = texts_of(spec)
    assert texts is not None
    with store.write() as tx:
        if not tx.has_revision(texts.spec_hash):
            tx.save_revision(texts.spec_hash, texts.sop_id, texts.revision, texts.text, texts.rules)
    fields = {a.id: a.scope_field for a in spec.actors if a.scope_field}
    started = time.perf_counter()
    for first in range(0, n, BATCH):
        with store.write() as tx:
            for i in range(first, min(first + BATCH, n)):
                at = MONDAY + timedelta(minutes=i)
                out = new_ticket(rev, f"{prefix}{i:09d}", dict(OTHER_CHANNEL), at, actor="staff")
                saved = _save(tx, spec, out, None, fields)
                for type_, actor, data in events:
                    at += timedelta(hours=1)
                    out = apply(rev, saved, Event(type_, actor, data), at)
                    saved = _save(tx, spec, out, saved.version, fields)
    return time.perf_counter() - started


def _save(tx: Tx, spec: Spec, out: Outcome, version: int | None, fields: dict[str, str]) -> Ticket:
    scopes = ticket_scopes(spec, out.ticket)
    saved = tx.save(out, expected_version=version, scopes=scopes, scope_fields=fields)
    handlers.run(tx, spec, saved, out.log, scopes)  # the read models, as the service runs them
    return saved
