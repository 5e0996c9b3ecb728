"""GET /v1/tickets/{id}/exports/{export}: a ticket as another system's form asks for it.

The SOP's `integrations/exports.yaml` (engine.spec.exports_config) names the other system's
fields and where each comes from; engine.app.exports fills them. JSON by default, CSV for an
upload, text for pasting. Personal data is masked as on the ticket itself.
"""

from __future__ import annotations

from flask import Blueprint, Response

from api.present.exports import export_view, find_export
from api.schemas.exports import ExportQuerySchema, ExportSchema
from api.views.access import masker, reader, visible_ticket
from api.views.common import attachment, dump, load_query, runtime
from api.views.operation import operation
from api.views.reports import CSV, TEXT, wants_csv
from engine.app.exports import as_csv, as_text

bp = Blueprint("exports", __name__)


@bp.get("/tickets/<ticket_id>/exports/<export_id>")
@operation(
    "tickets",
    query=ExportQuerySchema,
    response=ExportSchema,
    errors=(404, 422),
    media_type=("application/json", CSV, TEXT),
)
def get_export(ticket_id: str, export_id: str) -> Response:
    """A ticket as another system's form asks for it.

    The export's columns (the SOP's integrations/exports.yaml), filled from the ticket as
    this token may see it: personal data masked without access to it. `format=csv` (or
    Accept: text/csv) answers a header and one line for an upload, `format=text` one
    `Label: value` line per column for pasting. A read: nothing is changed or logged. 404
    for a ticket outside the token's scope or an export the SOP does not have.
    """
    args = load_query(ExportQuerySchema)
    record = visible_ticket(ticket_id)
    export = find_export(runtime().catalog, record, export_id)
    who = reader()
    view, rows = export_view(record, export, who, masker(record, who))
    if wants_csv(args["format"]):
        return attachment(as_csv(rows), CSV, f"{export.id}-{record.id}.csv")
    if args["format"] == "text":
        return Response(as_text(rows), mimetype=TEXT)
    return dump(ExportSchema, view)
