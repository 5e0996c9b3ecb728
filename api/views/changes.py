"""GET /v1/changes: every accepted event of every ticket, in order, as CloudEvents 1.0."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import current
from api.present.changes import cloud_event
from api.schemas.changes import ChangePageSchema, ChangesQuerySchema
from api.views.access import maskers, reader
from api.views.common import dump, load_query, runtime
from api.views.operation import operation
from engine.app.changes import changes

bp = Blueprint("changes", __name__)


@bp.get("/changes")
@operation("notifications", query=ChangesQuerySchema, response=ChangePageSchema, errors=(422,))
def list_changes() -> Response:
    """The change feed.

    Every event a ticket took (posted, fired by a rule or a deadline, its opening), oldest
    first, each a CloudEvents 1.0 event whose `id` (`<ticket>/<seq>`) never changes; pass
    `next_cursor` as `after` to continue, and poll with it. A ticket's changes come in its
    order; `next_cursor` may stay behind a change a concurrent request is still writing, so
    nothing is skipped. A scoped token reads the changes of the tickets in its scope now;
    personal data is masked for tokens without access to it, as on the ticket.
    """
    query = load_query(ChangesQuerySchema)
    scope = current().scope
    page = changes(
        runtime().service,
        after=query["after"],
        limit=query["limit"],
        sop_id=query["sop"],
        event=query["type"],
        ticket_id=query["ticket"],
        scope={scope.field: scope.value} if scope else None,
    )
    who = reader()
    found = maskers(list(page.records.values()), who)
    items = [
        cloud_event(c, page.records[c["ticket_id"]], who, found[c["ticket_id"]]) for c in page.items
    ]
    return dump(ChangePageSchema, {"items": items, "next_cursor": page.next_cursor})
