"""GET /v1/notifications: the outbox as a feed, for services that poll."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from api.auth import current
from api.present.tickets import notification_view
from api.schemas.notifications import NotificationPageSchema, NotificationsQuerySchema
from api.views.access import reader
from api.views.common import dump, load_query, runtime
from engine.core.masking import personal_values
from engine.errors import NotFound

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
def list_notifications() -> Response:
    query = load_query(NotificationsQuerySchema)
    scope = current().scope
    service = runtime().service
    page = service.notifications(
        after=query["after"],
        limit=query["limit"],
        to=query["to"],
        scope={scope.field: scope.value} if scope else None,
    )
    who = reader()
    secrets: dict[str, list[str]] = {}
    if not who.sees_personal_data:  # mask the tickets' personal values inside the texts
        for ticket_id in {item["ticket_id"] for item in page.items}:
            secrets[ticket_id] = _personal(ticket_id)
    items: list[dict[str, Any]] = [
        notification_view(item, who, secrets.get(item["ticket_id"], ())) for item in page.items
    ]
    return dump(NotificationPageSchema, {"items": items, "next_cursor": page.next_cursor})


def _personal(ticket_id: str) -> list[str]:
    try:
        record = runtime().service.get_ticket(ticket_id)
    except NotFound:
        return []
    return personal_values(record.ticket.fields, record.spec.personal_fields)
