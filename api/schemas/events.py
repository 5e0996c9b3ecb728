"""Events posted to a ticket and its timeline."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma

from api.schemas.common import aware_datetime, name_length
from api.schemas.tickets import TicketSchema


class EventCreateSchema(Schema):
    type = ma.String(
        required=True,
        validate=name_length(1),
        metadata={"description": "an event of the ticket's current step (`allowed_events`)"},
    )
    actor = ma.String(
        required=True,
        validate=name_length(1),
        metadata={"description": "the SOP actor id performing it; the token must allow it"},
    )
    data = ma.Dict(
        keys=ma.String(),
        values=ma.Raw(allow_none=True),
        load_default=dict,
        metadata={"description": "values for the event's `requires`/`accepts` fields"},
    )
    occurred_at = aware_datetime(
        load_default=None, metadata={"description": "when it happened; default: now"}
    )


class RuleFiringSchema(Schema):
    rule = ma.String()
    trigger = ma.String()
    actions = ma.List(ma.String())
    reason = ma.String()
    inputs = ma.Dict(
        keys=ma.String(),
        values=ma.Raw(allow_none=True),
        metadata={
            "description": "the values the rule read; personal fields masked, and without "
            "personal-data access free text too (as in the ticket's `fields`)"
        },
    )


class TimelineEntrySchema(Schema):
    version = ma.Integer(metadata={"description": "the ticket version this entry produced"})
    at = ma.DateTime()
    event = ma.String()
    event_label = ma.String(
        metadata={
            "description": "what people read for `event`: its label in the SOP, a sign-off's "
            "words, or the event id when it has neither"
        }
    )
    actor = ma.String(
        allow_none=True,
        metadata={
            "description": "the SOP actor id that performed it; null when no actor of the SOP "
            "did (the engine's own `deadline` and `timer` entries, a ticket opened without an "
            "actor). An event a rule fired keeps the SOP actor it was applied as (the rule's "
            "`actor`, else the event's first performer), and `caused_by` names the rule"
        },
    )
    user = ma.String(
        allow_none=True, metadata={"description": "the token (or person) that sent it, if any"}
    )
    data = ma.Dict(
        keys=ma.String(),
        values=ma.Raw(allow_none=True),
        metadata={"description": "the values the event gave, masked as the ticket's `fields`"},
    )
    from_state = ma.String()
    to_state = ma.String()
    from_status = ma.String(allow_none=True)
    to_status = ma.String(allow_none=True)
    finished_step = ma.Integer(allow_none=True)
    entered_step = ma.Integer(allow_none=True)
    sla = ma.String(allow_none=True, metadata={"description": "met or breached"})
    rules = ma.List(ma.Nested(RuleFiringSchema))
    caused_by = ma.String(
        allow_none=True,
        metadata={
            "description": "the rule that fired this event; null when it was posted or "
            "is the engine's own"
        },
    )
    revision = ma.String()
    spec_hash = ma.String()


class TimelineSchema(Schema):
    ticket_id = ma.String()
    items = ma.List(ma.Nested(TimelineEntrySchema))


class EventResultSchema(Schema):
    ticket = ma.Nested(TicketSchema)
    entries = ma.List(
        ma.Nested(TimelineEntrySchema),
        metadata={"description": "what this event recorded, with the events rules fired"},
    )
    replayed = ma.Boolean(metadata={"description": "true: an Idempotency-Key repeat"})
