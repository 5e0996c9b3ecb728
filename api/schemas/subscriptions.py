"""Webhook subscriptions to the change feed (admin)."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.auth import ROLES
from api.schemas.common import name_length


class SubscriptionCreateSchema(Schema):
    url = ma.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "where each change is POSTed (http or https)"},
    )
    role = ma.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={
            "description": "what the subscriber may read: personal data is masked "
            "unless a token of this role sees it"
        },
    )
    sop = ma.String(
        load_default=None, validate=name_length(1), metadata={"description": "only this SOP's"}
    )
    type = ma.String(
        load_default=None, validate=name_length(1), metadata={"description": "only this event's"}
    )
    scope = ma.String(
        load_default=None,
        validate=[
            validate.Regexp(r"^[^:]+:.+$", error="write <field>:<value>, e.g. agency:DSDABM"),
            name_length(),
        ],
        metadata={"description": "`<field>:<value>`: only the tickets whose scope field matches"},
    )
    from_start = ma.Boolean(
        load_default=False,
        metadata={"description": "true: every change since the first; default: new ones"},
    )


class SubscriptionSchema(Schema):
    id = ma.String()
    url = ma.String()
    role = ma.String()
    sop = ma.String(allow_none=True)
    type = ma.String(allow_none=True)
    scope = ma.String(allow_none=True, metadata={"description": "`<field>:<value>`"})
    cursor = ma.Integer(metadata={"description": "the last change it took (GET /v1/changes)"})
    attempts = ma.Integer(metadata={"description": "failed attempts at the next change"})
    next_attempt_at = ma.DateTime()
    last_error = ma.String(allow_none=True)
    created = ma.DateTime()
    secret = ma.String(
        metadata={
            "description": "Standard Webhooks secret (whsec_...): in the answer that made "
            "the subscription only"
        }
    )


class SubscriptionListSchema(Schema):
    items = ma.List(ma.Nested(SubscriptionSchema))
