"""The notifications outbox, for services that poll instead of receiving webhooks."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma

from api.schemas.common import limit_field


class NotificationsQuerySchema(Schema):
    after = ma.String(load_default=None, metadata={"description": "`next_cursor` of a page"})
    limit = limit_field()
    to = ma.String(load_default=None, metadata={"description": "only those to this actor id"})


class NotificationSchema(Schema):
    id = ma.String(metadata={"description": "stable: drop duplicates by it"})
    ticket_id = ma.String()
    to = ma.String(metadata={"description": "actor id"})
    template = ma.String()
    text = ma.String()
    rule = ma.String()
    escalation = ma.Boolean()
    channel = ma.String(allow_none=True)
    scope = ma.String(allow_none=True)
    created = ma.DateTime(allow_none=True)


class NotificationPageSchema(Schema):
    items = ma.List(ma.Nested(NotificationSchema))
    next_cursor = ma.String(allow_none=True, metadata={"description": "pass as `after`"})
