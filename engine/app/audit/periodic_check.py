"""Check the periodic steps' rows: each `periodic_runs` row against its period, and the outbox
notifications of no ticket against the run that sent them.

    check_periodic(conn, resolver) -> (problems, runs checked)

A periodic run (`engine.app.reports.periodic`) writes one `periodic_runs` row and, in the same
transaction, the notifications its `schedule:` rules send (ticket id ""), each with an id
derived from the revision, step, period, rule, recipient and scope value
(`engine.core.schedule.run_periodic`). So for each row:

- its start and end must be the period its label names (`period_run`);
- the notifications whose id derives from its period are its own: there must be as many as the
  row counts, each must be what `run_periodic` sends for its scope value (recipient, template,
  rule, time...), and its text must begin with the template's text. The monev report appended
  below that text was computed from the store as it was then and cannot be computed again: a
  checkpoint (`engine.app.audit.checkpoint`) keeps each such notification's hash instead.

A notification of no ticket that no run sent is reported as `extra`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, select

from engine.app.audit.chain_check import Problem
from engine.app.audit.rows_check import compare_row
from engine.core.model import Notification
from engine.core.revision import CompiledRevision
from engine.core.schedule import period_run, run_periodic
from engine.errors import InvalidData, SopError
from engine.store import Tx, codec
from engine.store.revisions import SpecResolver
from engine.store.tables import OutboxRow, PeriodicRunRow, RevisionRow

__all__ = ["check_periodic"]

_OUTBOX = (
    OutboxRow.notification_id,
    OutboxRow.to_actor,
    OutboxRow.channel,
    OutboxRow.scope_name,
    OutboxRow.scope_value,
    OutboxRow.payload,
)


def check_periodic(conn: Connection, resolver: SpecResolver) -> tuple[list[Problem], int]:
    notes = {r.notification_id: r for r in conn.execute(select(*_OUTBOX).where(_ticketless()))}
    # (rule, recipient, scope) of every notification of no ticket: a run's candidate ids.
    triples = {
        (str((r.payload or {}).get("rule")), r.to_actor, r.scope_value) for r in notes.values()
    }
    problems: list[Problem] = []
    sent: set[str] = set()
    runs = conn.execute(
        select(PeriodicRunRow).order_by(
            PeriodicRunRow.sop_id, PeriodicRunRow.step, PeriodicRunRow.period
        )
    ).all()
    for row in runs:
        key = f"{row.sop_id}/{row.step}/{row.period}"
        try:
            rev = _revision(conn, resolver, row.sop_id, row.revision)
        except SopError as exc:
            problems.append(_problem("periodic_runs", key, "revision", exc.message))
            continue
        own = {nid for nid in (_id(rev, row, *t) for t in triples) if nid in notes}
        sent |= own
        problems += _check_run(rev, row, key, [notes[n] for n in sorted(own)])
    for nid in sorted(notes.keys() - sent):
        message = "the store holds a notification of no ticket that no periodic run sent: added"
        problems.append(_problem("outbox", nid, "extra", message))
    return problems, len(runs)


def _ticketless() -> Any:
    return OutboxRow.ticket_id == ""


def _revision(
    conn: Connection, resolver: SpecResolver, sop_id: str, revision: str
) -> CompiledRevision:
    spec_hash = conn.scalar(
        select(RevisionRow.spec_hash)
        .where(RevisionRow.sop_id == sop_id, RevisionRow.revision == revision)
        .order_by(RevisionRow.stored.desc())
        .limit(1)
    )
    if spec_hash is None:
        raise InvalidData(f"the run names {sop_id}@{revision}, whose text is not stored")
    return resolver.revision(sop_id, revision, spec_hash, Tx(conn))


def _id(rev: CompiledRevision, row: Any, rule: str, to: str, scope: str | None) -> str:
    """The notification id `run_periodic` gives (rule, recipient, scope) in this run."""
    key = f"{rev.spec.key}:{row.step}:{row.period}:{rule}:{to}:{scope}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _check_run(rev: CompiledRevision, row: Any, key: str, own: list[Any]) -> list[Problem]:
    spec = rev.spec
    try:
        period = period_run(spec, row.step, row.period)
    except (InvalidData, KeyError) as exc:
        why = exc.message if isinstance(exc, InvalidData) else f"no step {row.step!r}"
        return [_problem("periodic_runs", key, "differs", f"{spec.key} has {why}")]
    problems = compare_row(
        "periodic_runs",
        "",
        key,
        {"start": row.start, "end": row.end, "notifications": row.notifications},
        {"start": period.start, "end": period.end, "notifications": len(own)},
        (),
    )
    scopes = [r.scope_value for r in own if r.scope_value is not None]
    expected = {n.id: n for n in run_periodic(rev, period, scopes, row.ran)}
    fields = {a.id: a.scope_field for a in spec.actors if a.scope_field}
    for r in own:
        note = expected.pop(r.notification_id, None)
        if note is None:  # an id of this run for a scope value its rules do not send to
            message = f"run {key} sends no such notification: added"
            problems.append(_problem("outbox", r.notification_id, "extra", message))
            continue
        held = {c: getattr(r, c) for c in ("to_actor", "channel", "scope_name", "scope_value")}
        problems += compare_row(
            "outbox",
            "",
            r.notification_id,
            {**held, "payload": r.payload},
            _expected(note, fields, r.payload),
            (),
        )
    for nid in sorted(expected):
        message = f"run {key} sent this notification; the store does not hold it: deleted"
        problems.append(_problem("outbox", nid, "missing", message))
    return problems


def _expected(note: Notification, fields: dict[str, str], stored: Any) -> dict[str, Any]:
    """The outbox columns of `note` as the store writes them; its text as stored when that
    begins with the template's text (the report below it is not computed again)."""
    payload = codec.encode(note)
    text = (stored or {}).get("text")
    if isinstance(text, str) and text.startswith(note.text):
        payload["text"] = text
    return {
        "to_actor": note.to,
        "channel": note.channel,
        "scope_name": fields.get(note.to) if note.scope is not None else None,
        "scope_value": note.scope,
        "payload": payload,
    }


def _problem(table: str, key: str, kind: str, message: str) -> Problem:
    return Problem("", None, kind, message, table=table, key=key)
