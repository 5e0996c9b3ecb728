"""POST /v1/tickets, GET /v1/tickets, GET /v1/tickets/{id}."""

from __future__ import annotations

from flask import Blueprint, Response, request

from api.auth import current, require_write
from api.present.tickets import ticket_view
from api.schemas.headers import IdempotentHeadersSchema
from api.schemas.tickets import TicketCreateSchema, TicketListQuerySchema, TicketPageSchema
from api.schemas.tickets import TicketSchema as TicketViewSchema
from api.views.access import (
    fields_in_scope,
    masker,
    maskers,
    opening_actor,
    reader,
    scope_filter,
    visible_ticket,
)
from api.views.common import dump, load_body, load_headers, load_query, runtime
from api.views.operation import operation
from api.workers import wake_notifier
from engine.app.service import TicketRecord
from engine.errors import Conflict

bp = Blueprint("tickets", __name__)


def etag(version: int) -> str:
    return f'"{version}"'


@bp.post("/tickets")
@operation(
    "tickets",
    body=TicketCreateSchema,
    response=TicketViewSchema,
    status=201,
    headers=IdempotentHeadersSchema,
    errors=(400, 409, 422),
    responses=((200, TicketViewSchema),),
    refusals=(
        (409, "conflict", "the Idempotency-Key was used before with another body"),
        (
            409,
            "conflict",
            "`refs` name two different tickets, or a ticket outside the token's scope",
        ),
        (
            422,
            "invalid_data",
            "`sop` names no SOP loaded, or none of its revisions is in force "
            "at `occurred_at`; `occurred_at` in the future; `fields` names a field the SOP does "
            "not define, or gives a value its type refuses (its revision's `fields`); a "
            "`file` field names no stored file of that type and size",
        ),
    ),
)
def create_ticket() -> Response:
    """Open a ticket.

    The SOP revision in force at `occurred_at` governs the ticket for its whole life. A retry
    with the same `Idempotency-Key` (keys are the caller's own: another token's same key is
    another request) and body answers as the first time, 201 with the ticket as it was
    opened, with `Idempotent-Replayed: true`, and opens nothing; the key with another body is
    409. When a ticket holds one of `refs` already (another system's id for it), the answer is
    200 with that ticket as it is now and `Existing-Ticket: true`, and nothing is opened: an
    integration that retries without a key still opens one ticket.
    """
    principal = require_write()
    body = load_body(TicketCreateSchema)
    headers = load_headers(IdempotentHeadersSchema)
    rt = runtime()
    rt.files.check_refs(body["fields"])  # a `file` field names files stored already
    result = rt.service.open_ticket(
        body["sop"],
        fields_in_scope(principal, body["fields"]),
        actor=opening_actor(principal, body["actor"]),
        user=principal.name,
        occurred_at=body["occurred_at"],
        external_ref=body["external_ref"],
        idempotency_key=headers.get("idempotency_key"),
        refs=[(r["source"], r["id"]) for r in body["refs"]],
    )
    record = result.record
    answer = {"Location": f"/v1/tickets/{record.id}", "ETag": etag(record.version)}
    if result.existing:
        return _existing(record, answer)
    if result.replayed:
        answer["Idempotent-Replayed"] = "true"
    else:
        wake_notifier()
    who = reader()
    view = ticket_view(record, rt.clock.now(), who, masker(record, who))
    return dump(TicketViewSchema, view, 201, answer)


def _existing(record: TicketRecord, answer: dict[str, str]) -> Response:
    """The ticket that holds a reference the opening gave, if the token may see it."""
    scope = current().scope
    if scope is not None and not scope.admits(record.ticket.fields):
        raise Conflict("a ticket outside your scope holds one of these references")
    who = reader()
    view = ticket_view(record, runtime().clock.now(), who, masker(record, who))
    return dump(TicketViewSchema, view, 200, {**answer, "Existing-Ticket": "true"})


@bp.get("/tickets")
@operation("tickets", query=TicketListQuerySchema, response=TicketPageSchema, errors=(422,))
def list_tickets() -> Response:
    """List tickets.

    Newest first; follow `next_cursor`. Scoped tokens see their own tickets only.
    """
    query = load_query(TicketListQuerySchema)
    rt = runtime()
    scope = scope_filter(current(), query["scope"])
    page = rt.service.list_tickets(
        sop_id=query["sop"],
        state=query["state"],
        status=query["status"],
        scope=scope,
        overdue=query["overdue"],
        open=query["open"],
        limit=query["limit"],
        cursor=query["cursor"],
    )
    now, who = rt.clock.now(), reader()
    found = maskers(page.items, who)
    views = [ticket_view(record, now, who, found[record.id]) for record in page.items]
    return dump(TicketPageSchema, {"items": views, "next_cursor": page.next_cursor})


@bp.get("/tickets/<ticket_id>")
@operation("tickets", response=TicketViewSchema, errors=(404,))
def get_ticket(ticket_id: str) -> Response:
    """One ticket.

    State, step, status, fields, deadlines, allowed events. The ETag is the version.
    """
    record = visible_ticket(ticket_id)
    tag = etag(record.version)
    if request.if_none_match and request.if_none_match.contains(str(record.version)):
        return Response(status=304, headers={"ETag": tag})
    who = reader()
    view = ticket_view(record, runtime().clock.now(), who, masker(record, who))
    return dump(TicketViewSchema, view, ETag=tag)
