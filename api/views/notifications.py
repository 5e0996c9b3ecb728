"""GET /v1/notifications: the outbox as a feed, for services that poll."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import current
from api.schemas.notifications import NotificationPageSchema, NotificationsQuerySchema
from api.views.access import masked_notifications, reader
from api.views.common import dump, load_query, runtime
from api.views.operation import operation

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@operation(
    "notifications", query=NotificationsQuerySchema, response=NotificationPageSchema, errors=(422,)
)
def list_notifications() -> Response:
    """The notifications outbox.

    Oldest first; pass `next_cursor` as `after` to continue. Ids are stable. Filters narrow
    the feed a token may read (a scoped token: the notifications addressed to its scope), so
    `ticket` names one ticket's notifications, and none for a ticket outside the scope.
    """
    query = load_query(NotificationsQuerySchema)
    scope = current().scope
    service = runtime().service
    page = service.notifications(
        after=query["after"],
        limit=query["limit"],
        to=query["to"],
        scope={scope.field: scope.value} if scope else None,
        ticket_id=query["ticket"],
        status=query["status"],
        channel=query["channel"],
    )
    items = masked_notifications(page.items, reader())
    return dump(NotificationPageSchema, {"items": items, "next_cursor": page.next_cursor})
