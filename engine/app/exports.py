"""Exports: a ticket as another system's form asks for it (engine.spec.exports_config).

    export_rows(record, export, shown) -> tuple[ExportRow, ...]    one row per column
    as_csv(rows) / as_text(rows)                                     for upload / for pasting
    references_given(exports, before, after) -> [(field, Ref)]       what an event gave
    hold_references(tx, ticket_id, given, now)                       record them, in the tx

`shown` is the ticket's fields as the reader sees them (masked where the reader has no access to
personal data), so an export never shows more than the ticket page does. An export is a read:
making one changes nothing and is not logged.

A reference field (an export's `reference`) that an event fills is recorded as an external
reference of the ticket in the event's own transaction: the event and the reference are written
together or not at all, and a number another ticket holds refuses the event (422 on that field)
instead of silently pointing two tickets at one national complaint.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.app.refs import Ref, check_refs
from engine.errors import InvalidData
from engine.spec.exports_config import ExportColumn, ExportDef
from engine.spec.model import Spec
from engine.store.refs import RefTaken
from engine.store.store import Tx

__all__ = [
    "ExportRow",
    "as_csv",
    "as_text",
    "export_rows",
    "hold_references",
    "references_given",
]


@dataclass(frozen=True)
class ExportRow:
    name: str
    label: str
    value: str
    field: str | None = None  # the ticket field it came from, if any


def export_rows(
    spec: Spec, ticket_id: str, created: datetime, export: ExportDef, shown: Mapping[str, Any]
) -> tuple[ExportRow, ...]:
    return tuple(
        ExportRow(col.name, col.label, _value(spec, ticket_id, created, col, shown), col.field)
        for col in export.columns
    )


def _value(
    spec: Spec, ticket_id: str, created: datetime, col: ExportColumn, shown: Mapping[str, Any]
) -> str:
    if col.value is not None:
        return col.value
    if col.field is not None:
        return _text(shown.get(col.field))
    local = created.astimezone(ZoneInfo(spec.calendar().time_zone))
    return {
        "id": ticket_id,
        "received_date": local.date().isoformat(),
        "received_at": local.strftime("%Y-%m-%d %H:%M"),
        "sop_number": spec.identity.number or "",
        "sop_name": spec.identity.name or "",
    }[col.ticket or "id"]


def _text(value: Any) -> str:
    """A field's value as one line of text: a file by its name, a list joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, Mapping):
        return str(value.get("name") or value.get("sha256") or "")
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    return str(value)


def as_csv(rows: Iterable[ExportRow]) -> str:
    """A header of the columns' names and one line of values (for an upload)."""
    rows = list(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([r.name for r in rows])
    writer.writerow([r.value for r in rows])
    return out.getvalue()


def as_text(rows: Iterable[ExportRow]) -> str:
    """`Label: value` per line (for pasting field by field into the other system's form)."""
    return "".join(f"{r.label}: {r.value}\n" for r in rows)


def references_given(
    exports: Iterable[ExportDef], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[str, Ref]]:
    """(field, (source, id)) for each reference field whose value the event set or changed."""
    out: list[tuple[str, Ref]] = []
    for export in exports:
        ref = export.reference
        if ref is None:
            continue
        value = after.get(ref.field)
        if isinstance(value, str) and value.strip() and value != before.get(ref.field):
            pair = (ref.source, value.strip())
            if (ref.field, pair) not in out:
                out.append((ref.field, pair))
    return out


def hold_references(tx: Tx, ticket_id: str, given: list[tuple[str, Ref]], now: datetime) -> None:
    """Record `given` as the ticket's references; InvalidData on the field when one is not a
    reference or another ticket holds it (the caller's transaction then rolls back)."""
    for field, pair in given:
        try:
            check_refs([pair], field)
        except InvalidData as exc:
            raise InvalidData(
                f"{field}: not usable as a {pair[0]} reference: {exc.message}",
                errors={field: [f"not usable as a {pair[0]} reference"]},
            ) from None
        try:
            tx.insert_refs(ticket_id, [pair], now)
        except RefTaken as taken:
            if taken.owner == ticket_id:
                continue
            message = f"{pair[0]} reference {pair[1]!r} is held by another ticket"
            raise InvalidData(
                f"{field}: {message}: check the number", errors={field: [message]}
            ) from None
