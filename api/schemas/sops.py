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


class RuleTriggerSchema(Schema):
    kind = ma.String(metadata={"description": "event, entered, deadline, timer or schedule"})
    name = ma.String(
        metadata={
            "description": "the event id, the step id (entered, deadline, schedule) or "
            "the timer's name"
        }
    )
    label = ma.String(
        metadata={
            "description": "what people read: the event's label, the step's activity, "
            "or the timer's name"
        }
    )
    step_numbers = ma.List(
        ma.Integer(),
        metadata={
            "description": "the steps it concerns: those offering the event, the step "
            "(entered, deadline, schedule), those a timer is started for"
        },
    )


class RuleFilterSchema(Schema):
    subject = ma.String(
        metadata={"description": "count (times the timer fired before), actor or state"}
    )
    op = ma.String()
    value = ma.Raw()
    text = ma.String(metadata={"description": "the filter in words"})


class RuleConditionSchema(Schema):
    text = ma.String(metadata={"description": "the rule's `if`, in words, with field labels"})
    expression = ma.Raw(
        metadata={
            "description": "the condition as data: [subject, op, value] leaves under "
            "all / any / not"
        }
    )


class RuleActionSchema(Schema):
    """One action; which keys it has depends on its `kind`."""

    kind = ma.String(
        metadata={"description": "notify, escalate, start_timer, cancel_timer, fire, set_status"}
    )
    to = ma.String(metadata={"description": "notify, escalate: the actor id told"})
    to_label = ma.String()
    template = ma.String(metadata={"description": "notify, escalate: the template's name"})
    text = ma.String(
        allow_none=True,
        metadata={
            "description": "the template's text; ${name} is filled in per ticket, "
            "personal fields masked unless `include_personal`"
        },
    )
    escalation = ma.Boolean()
    channel_field = ma.String(
        allow_none=True, metadata={"description": "the ticket field naming the channel"}
    )
    channel_label = ma.String(allow_none=True)
    include_personal = ma.Boolean()
    timer = ma.String(metadata={"description": "start_timer, cancel_timer: the timer's name"})
    every = ma.Nested(
        TimeLimitSchema, metadata={"description": "start_timer: fires again every period"}
    )
    after = ma.Nested(
        TimeLimitSchema, metadata={"description": "start_timer: first fires after this"}
    )
    step = ma.String(metadata={"description": "start_timer: cancelled when the ticket leaves it"})
    step_number = ma.Integer(allow_none=True)
    event = ma.String(metadata={"description": "fire: the SOP event applied after this one"})
    event_label = ma.String()
    actor = ma.String(
        allow_none=True,
        metadata={
            "description": "fire: the actor it is applied as; null: the event's first "
            "performer at the ticket's step"
        },
    )
    actor_label = ma.String(allow_none=True)
    status = ma.Nested(StatusSchema, metadata={"description": "set_status: the new status"})


class RuleSchema(Schema):
    id = ma.String()
    description = ma.String()
    source = ma.String(metadata={"description": "the rules file (rule set) it comes from"})
    trigger = ma.Nested(RuleTriggerSchema)
    filters = ma.List(ma.Nested(RuleFilterSchema))
    condition = ma.Nested(RuleConditionSchema, allow_none=True)
    actions = ma.List(ma.Nested(RuleActionSchema))


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
    rules = ma.List(
        ma.Nested(RuleSchema),
        metadata={
            "description": "its reminders, escalations and automatic decisions, in the "
            "order they are evaluated"
        },
    )
