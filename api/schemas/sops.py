"""What the API shows of SOPs and their revisions (read-only)."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma


class StatusSchema(Schema):
    id = ma.String()
    label = ma.String()


class RevisionSummarySchema(Schema):
    revision = ma.String()
    effective = ma.Date(allow_none=True, metadata={"description": "in force from this day"})
    made = ma.Date()
    revised = ma.Date(allow_none=True)
    content_hash = ma.String(metadata={"description": "sha256 of the revision and its rules"})
    steps = ma.Integer(metadata={"description": "number of steps"})


class SopSummarySchema(Schema):
    id = ma.String()
    number = ma.String(metadata={"description": "the SOP's official number"})
    name = ma.String()
    latest_revision = ma.String()
    revisions = ma.List(ma.String())


class SopListSchema(Schema):
    items = ma.List(ma.Nested(SopSummarySchema))


class SopWithRevisionsSchema(Schema):
    id = ma.String()
    number = ma.String()
    name = ma.String()
    government = ma.String()
    units = ma.List(ma.String())
    revisions = ma.List(ma.Nested(RevisionSummarySchema))


class TimeLimitSchema(Schema):
    amount = ma.Float()
    unit = ma.String(metadata={"description": "hours, minutes, calendar_days, working_days"})
    text = ma.String(metadata={"example": "3 working days"})


class InputSchema(Schema):
    text = ma.String(metadata={"description": "the SOP's wording of the item"})
    fields = ma.List(  # type: ignore[assignment]
        ma.String(), metadata={"description": "ticket fields holding it"}
    )
    conditional = ma.Boolean(metadata={"description": "required only in some cases"})


class StepEventSchema(Schema):
    type = ma.String()
    label = ma.String(metadata={"description": "what people read; the type when none is given"})
    by = ma.List(ma.String(), metadata={"description": "actor ids that may post it"})
    completes_step = ma.Boolean()
    targets = ma.List(ma.String(), metadata={"description": "step ids it may lead to"})
    target_numbers = ma.List(ma.Integer(allow_none=True))
    requires = ma.List(ma.String(), metadata={"description": "data keys required"})
    accepts = ma.List(ma.String(), metadata={"description": "data keys stored"})
    pause = ma.Boolean()
    resume = ma.Boolean()


class StepSchema(Schema):
    number = ma.Integer()
    id = ma.String()
    activity = ma.String()
    performers = ma.List(ma.String())
    inputs = ma.List(ma.Nested(InputSchema))
    required_fields = ma.List(ma.String())
    time_limit = ma.Nested(TimeLimitSchema, allow_none=True)
    output = ma.String()
    remarks = ma.String()
    status = ma.Nested(StatusSchema, allow_none=True)
    periodic = ma.String(allow_none=True)
    events = ma.List(ma.Nested(StepEventSchema))


class ActorSchema(Schema):
    id = ma.String()
    label = ma.String()
    scope_field = ma.String(allow_none=True)


class FieldDefSchema(Schema):
    id = ma.String()
    label = ma.String()
    type = ma.String()
    personal = ma.Boolean()
    choices = ma.List(ma.String())


class RevisionDetailSchema(Schema):
    sop = ma.String()
    revision = ma.String()
    content_hash = ma.String()
    number = ma.String()
    name = ma.String()
    effective = ma.Date(allow_none=True)
    made = ma.Date()
    revised = ma.Date(allow_none=True)
    start = ma.String()
    initial_status = ma.Nested(StatusSchema, allow_none=True)
    actors = ma.List(ma.Nested(ActorSchema))
    fields = ma.List(ma.Nested(FieldDefSchema))  # type: ignore[assignment]
    statuses = ma.List(ma.Nested(StatusSchema))
    steps = ma.List(ma.Nested(StepSchema))
