"""POST /v1/tickets/{id}/events (Idempotency-Key, If-Match), GET /v1/tickets/{id}/events."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import require_actor, require_write
from api.errors import InvalidRequest
from api.present.tickets import entry_view, ticket_view
from api.schemas.events import EventCreateSchema, EventResultSchema, TimelineSchema
from api.schemas.headers import VersionedHeadersSchema
from api.views.access import check_scope_kept, masker, reader, visible_ticket
from api.views.common import dump, load_body, load_headers, runtime
from api.views.operation import operation
from api.workers import wake_notifier

bp = Blueprint("events", __name__)


def if_match_version(raw: str | None) -> int | None:
    """The version in If-Match (`"3"`, `3` or `W/"3"`); None when absent or `*`."""
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidRequest(
            f'If-Match must be the ticket\'s version (its ETag, e.g. "3"), not {raw!r}',
            errors={"If-Match": ["must be a version number"]},
        )
    return int(text)


@bp.post("/tickets/<ticket_id>/events")
@operation(
    "events",
    body=EventCreateSchema,
    response=EventResultSchema,
    headers=VersionedHeadersSchema,
    errors=(400, 404, 409, 412, 422),
    refusals=(
        (
            409,
            "event_not_allowed",
            "the ticket's step does not take this event now (see its "
            "`allowed_events`), or the ticket is closed",
        ),
        (409, "conflict", "the Idempotency-Key was used before with another body"),
        (412, "precondition_failed", "If-Match names another version than the ticket's"),
        (422, "unknown_event", "the ticket's SOP defines no event of this `type`"),
        (
            422,
            "missing_inputs",
            "the event needs data or fields not given yet (`missing`, `accepted_by`)",
        ),
        (
            422,
            "invalid_data",
            "`data` names a field the event does not accept or gives a "
            "value its type refuses; `type` is the engine's own (`deadline`, `timer`); "
            "`occurred_at` is before the ticket's last entry or in the future; a `file` "
            "field names a file not uploaded (POST /v1/tickets/{id}/files), or another type "
            "or size than the stored file's",
        ),
    ),
)
def post_event(ticket_id: str) -> Response:
    """Post an event to a ticket.

    Applies the event and every rule it sets off, in one transaction. The engine's own timer
    events (`deadline`, `timer`) cannot be posted: 422 `invalid_data` on `type`. An If-Match
    that is not the current version: 412 with the current ETag.
    """
    principal = require_write()
    body = load_body(EventCreateSchema)
    require_actor(body["actor"])
    headers = load_headers(VersionedHeadersSchema)
    expected = if_match_version(headers.get("if_match"))
    if principal.scope is not None:  # 404 outside the token's scope, before anything is tried
        visible_ticket(ticket_id)
        check_scope_kept(principal, body["data"], "data")
    rt = runtime()
    if any(isinstance(v, dict | list) for v in body["data"].values()):  # a file field's refs
        rt.files.check_refs(body["data"], visible_ticket(ticket_id).spec)
    result = rt.service.post_event(
        ticket_id,
        body["type"],
        body["actor"],
        body["data"],
        user=principal.name,
        occurred_at=body["occurred_at"],
        idempotency_key=headers.get("idempotency_key"),
        if_match=expected,
    )
    if not result.replayed:
        wake_notifier()
    record, who = result.record, reader()
    shown = masker(record, who)
    view = {
        "ticket": ticket_view(record, rt.clock.now(), who, shown),
        "entries": [entry_view(record.spec, e, who, shown) for e in result.log],
        "replayed": result.replayed,
    }
    answer = {"ETag": f'"{record.version}"'}
    if result.replayed:
        answer["Idempotent-Replayed"] = "true"
    return dump(EventResultSchema, view, headers=answer)


@bp.get("/tickets/<ticket_id>/events")
@operation("events", response=TimelineSchema, errors=(404,))
def timeline(ticket_id: str) -> Response:
    """A ticket's timeline.

    Every recorded event in order, with the revision that decided it.
    """
    record, who = visible_ticket(ticket_id), reader()
    entries = runtime().service.timeline(ticket_id)
    shown = masker(record, who, entries)
    items = [entry_view(record.spec, e, who, shown) for e in entries]
    return dump(TimelineSchema, {"ticket_id": ticket_id, "items": items})
