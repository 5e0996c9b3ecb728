"""External references: POST /v1/tickets/{id}/refs, GET /v1/refs/{source}/{id}.

Another system's id for a ticket (the national complaint system's tracking number, a city
app's report id) is kept beside it (engine.app.refs): the system finds the ticket by its own
id, and an opening that gives a held one answers that ticket (POST /v1/tickets).
"""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import require_write
from api.present.tickets import ticket_view
from api.schemas.tickets import RefSchema
from api.schemas.tickets import TicketSchema as TicketViewSchema
from api.views.access import masker, not_found, reader, visible_ticket
from api.views.common import dump, load_body, runtime
from api.views.operation import operation
from engine.app.service import TicketRecord
from engine.errors import NotFound

bp = Blueprint("refs", __name__)


def _view(record: TicketRecord, status: int = 200) -> Response:
    who = reader()
    view = ticket_view(record, runtime().clock.now(), who, masker(record, who))
    return dump(TicketViewSchema, view, status, {"ETag": f'"{record.version}"'})


@bp.post("/tickets/<ticket_id>/refs")
@operation(
    "tickets",
    body=RefSchema,
    response=TicketViewSchema,
    status=201,
    responses=((200, TicketViewSchema),),
    errors=(404, 409, 422),
    refusals=(
        (409, "conflict", "another ticket holds this source's id"),
        (422, "invalid_data", "`source` is not a name (letters, digits, `.`, `_`, `-`)"),
    ),
)
def add_ref(ticket_id: str) -> Response:
    """Give a ticket another system's id.

    201 with the ticket when added; 200 when the ticket held it already (a retry). A source's
    id names one ticket at most: one another ticket holds is 409. References are not SOP
    events: the ticket's version and log do not change.
    """
    require_write()
    body = load_body(RefSchema)
    visible_ticket(ticket_id)  # 404 outside the token's scope, before anything is written
    record, added = runtime().service.add_ref(ticket_id, body["source"], body["id"])
    return _view(record, 201 if added else 200)


@bp.get("/refs/<source>/<path:ref>")
@operation(
    "tickets",
    response=TicketViewSchema,
    errors=(404, 422),
    refusals=((422, "invalid_data", "`source` is not a name, or the id is not one"),),
)
def ticket_by_ref(source: str, ref: str) -> Response:
    """The ticket another system's id names.

    404 when no ticket holds it, or the one that does lies outside the token's scope.
    """
    try:
        record = runtime().service.ticket_by_ref(source, ref)
    except NotFound:
        raise not_found(f"{source}/{ref}") from None
    return _view(visible_ticket(record.id))
