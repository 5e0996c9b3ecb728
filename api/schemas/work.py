"""A person's work (`GET /v1/work`): the query, and the tickets waiting on them with counts."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import limit_field, name_length
from api.schemas.tickets import TicketSchema


class WorkQuerySchema(Schema):
    step = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={"description": "a step id: only the tickets at that step"},
    )
    status = ma.String(
        load_default=None, validate=name_length(1), metadata={"description": "a status id"}
    )
    q = ma.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={
            "description": "a ticket id or external reference (exactly), or text found in the "
            "ticket's field values, in any letter case; without personal-data access only "
            "the fields shown whole (not personal, not free text) are searched"
        },
    )
    limit = limit_field()


class StepCountSchema(Schema):
    sop = ma.String(attribute="sop_id")
    step = ma.String(metadata={"description": "the step id (the `step` filter's value)"})
    number = ma.Integer()
    activity = ma.String()
    open = ma.Integer(metadata={"description": "open tickets waiting at the step"})
    late = ma.Integer(metadata={"description": "of them, past the step's time limit"})


class WorkSchema(Schema):
    items = ma.List(
        ma.Nested(TicketSchema),
        metadata={"description": "overdue first, then by the step's due time (none last)"},
    )
    counts = ma.List(
        ma.Nested(StepCountSchema),
        metadata={"description": "per step, with every filter but `step`"},
    )
