"""A ticket's export (engine.app.exports) as a reader sees it: for the API and the pages."""

from __future__ import annotations

from typing import Any

from api.present.tickets import Reader
from engine.app.exports import ExportRow, export_rows
from engine.app.service import TicketRecord
from engine.core.masking import Masker
from engine.errors import NotFound
from engine.spec.catalog import Catalog
from engine.spec.exports_config import ExportDef

__all__ = ["export_view", "find_export"]


def find_export(catalog: Catalog, record: TicketRecord, export_id: str) -> ExportDef:
    exports = catalog.integrations_of(record.spec.sop_id).exports
    if export_id not in exports:
        known = ", ".join(sorted(exports)) or "none"
        raise NotFound(f"SOP {record.spec.sop_id!r} has no export {export_id!r}; known: {known}")
    return exports[export_id]


def export_view(
    record: TicketRecord, export: ExportDef, who: Reader, hide: Masker
) -> tuple[dict[str, Any], tuple[ExportRow, ...]]:
    """The export as `who` may see it (personal data masked as on the ticket), and its rows."""
    fields = record.ticket.fields
    shown = who.fields(fields, hide)
    masked = set(who.masked(fields, hide))
    rows = export_rows(record.spec, record.id, record.ticket.created, export, shown)
    reference = None
    if export.reference is not None:
        ref = export.reference
        value = shown.get(ref.field)
        reference = {
            "source": ref.source,
            "field": ref.field,
            "id": value if isinstance(value, str) else None,
            "held": any(s == ref.source and r == fields.get(ref.field) for s, r in record.refs),
        }
    view = {
        "export": export.id,
        "label": export.label,
        "description": export.description,
        "ticket": record.id,
        "offered": export.offered_at(record.ticket.state),
        "columns": [
            {"name": r.name, "label": r.label, "value": r.value, "masked": r.field in masked}
            for r in rows
        ],
        "reference": reference,
    }
    return view, rows
