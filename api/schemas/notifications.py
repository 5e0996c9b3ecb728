"""The notifications outbox, for services that poll instead of receiving webhooks."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import MAX_CURSOR, limit_field, name_length
from engine.store.outbox import DELIVERY_STATUSES


class NotificationsQuerySchema(Schema):
    after = ma.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_CURSOR),
        metadata={"description": "`next_cursor` of the previous page (0: from the start)"},
    )
    limit = limit_field()
    to = ma.String(
        load_default=None,
        validate=name_length(),
        metadata={"description": "only those to this actor id"},
    )
    ticket = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={
            "description": "only this ticket's (by its id; none for a ticket unknown "
            "or outside the token's scope)"
        },
    )
    status = ma.String(
        load_default=None,
        validate=validate.OneOf(DELIVERY_STATUSES),
        metadata={"description": f"only those whose delivery is {', '.join(DELIVERY_STATUSES)}"},
    )
    channel = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={
            "description": "only those sent on this channel (the value of the ticket "
            "field the rule names, e.g. its channel)"
        },
    )


class DeliverySchema(Schema):
    status = ma.String(metadata={"description": "pending, delivered or dead"})
    attempts = ma.Integer()
    next_attempt_at = ma.DateTime(allow_none=True)
    delivered = ma.DateTime(allow_none=True)
    last_error = ma.String(allow_none=True)
    channels_done = ma.List(ma.String())


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
    cursor = ma.Integer(metadata={"description": "its place in the outbox"})
    delivery = ma.Nested(DeliverySchema)


class NotificationPageSchema(Schema):
    items = ma.List(ma.Nested(NotificationSchema))
    next_cursor = ma.Integer(metadata={"description": "pass as `after` to poll for more"})
