"""A ticket's exports on its page (engine.app.exports), and their downloads.

    GET /web/tickets/<id>/exports/<export>.csv    the export as CSV, for an upload
    GET /web/tickets/<id>/exports/<export>.txt    `Label: value` lines, for pasting

The ticket page shows each export the SOP offers at the ticket's current step (its `at`): the
other system's fields and their values, the text to copy, and these two downloads. Personal
data is masked as on the rest of the page.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from api.present.exports import export_view, find_export
from api.present.tickets import Reader
from api.views.access import masker, reader, visible_ticket
from api.views.common import attachment, runtime
from api.web import bp
from engine.app.exports import as_csv, as_text
from engine.app.service import TicketRecord
from engine.core.masking import Masker

FORMATS = {"csv": ("text/csv", as_csv), "txt": ("text/plain", as_text)}


def offered_exports(record: TicketRecord, who: Reader, hide: Masker) -> list[dict[str, Any]]:
    """The exports offered at the ticket's step, as the page shows them (with `text`)."""
    exports = runtime().catalog.integrations_of(record.spec.sop_id).exports.values()
    out = []
    for export in exports:
        if not export.offered_at(record.ticket.state):
            continue
        view, rows = export_view(record, export, who, hide)
        view["text"] = as_text(rows)
        if export.reference is not None:
            view["reference_label"] = record.spec.field_def(export.reference.field).label
        out.append(view)
    return out


@bp.get("/web/tickets/<ticket_id>/exports/<export_id>.<fmt>")
def export_file(ticket_id: str, export_id: str, fmt: str) -> Response:
    record = visible_ticket(ticket_id)
    export = find_export(runtime().catalog, record, export_id)
    if fmt not in FORMATS:
        return Response("Format tidak dikenal: pilih .csv atau .txt.\n", 404, mimetype="text/plain")
    who = reader()
    _, rows = export_view(record, export, who, masker(record, who))
    mimetype, render = FORMATS[fmt]
    return attachment(render(rows), mimetype, f"{export.id}-{record.id}.{fmt}")
