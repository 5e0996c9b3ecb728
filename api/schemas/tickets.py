"""Tickets: the body that opens one, the query that lists them, and what the API shows."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import aware_datetime, limit_field, name_length
from api.schemas.sops import StatusSchema
from engine.core.masking import MASK


class RefSchema(Schema):
    source = ma.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the system that gave the id, e.g. `national` or `city-app`"},
    )
    id = ma.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "that system's id for the ticket"},
    )


class TicketCreateSchema(Schema):
    sop = ma.String(
        required=True,
        validate=name_length(1),
        metadata={"description": "SOP id; the revision in force at `occurred_at` governs it"},
    )
    # A field named `fields`: marshmallow sets `Schema.fields` per instance, so it is safe.
    fields = ma.Dict(  # type: ignore[assignment]
        keys=ma.String(),
        values=ma.Raw(allow_none=True),
        load_default=dict,
        metadata={"description": "values of the SOP's ticket fields (see its revision)"},
    )
    occurred_at = aware_datetime(
        load_default=None,
        metadata={"description": "when the complaint was received; default: now"},
    )
    external_ref = ma.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the caller's own id for the ticket"},
    )
    refs = ma.List(
        ma.Nested(RefSchema),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={
            "description": "other systems' ids for the ticket (at most 10). When a ticket "
            "holds one of them already, that ticket is answered (200, `Existing-Ticket: "
            "true`) and nothing is opened"
        },
    )
    actor = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={"description": "the SOP actor opening it; default: the token's first actor"},
    )


class TicketListQuerySchema(Schema):
    sop = ma.String(
        load_default=None, validate=name_length(), metadata={"description": "only this SOP's"}
    )
    state = ma.String(
        load_default=None, validate=name_length(), metadata={"description": "a step id, or `end`"}
    )
    status = ma.String(
        load_default=None, validate=name_length(), metadata={"description": "a status id"}
    )
    overdue = ma.Boolean(
        load_default=None, metadata={"description": "true: only tickets past a step deadline"}
    )
    open = ma.Boolean(
        load_default=None,
        metadata={
            "description": "true: only tickets still in the SOP (`open`: some step still "
            "runs, whatever their `status` reads); false: only those that have left it "
            "(`closed` is set)"
        },
    )
    scope = ma.String(
        load_default=None,
        validate=[
            validate.Regexp(r"^[^:]+:.+$", error="write <field>:<value>, e.g. unit:A1"),
            name_length(),
        ],
        metadata={"description": "`<field>:<value>`: tickets whose scope field matches"},
    )
    limit = limit_field()
    cursor = ma.String(
        load_default=None,
        validate=name_length(),
        metadata={"description": "`next_cursor` of a page"},
    )


class StepRefSchema(Schema):
    number = ma.Integer()
    id = ma.String()
    activity = ma.String()
    performers = ma.List(ma.String())
    started = ma.DateTime(allow_none=True)
    due = ma.DateTime(allow_none=True)
    paused = ma.Boolean()
    breached = ma.Boolean(metadata={"description": "its time limit has passed"})


class DeadlineSchema(Schema):
    kind = ma.String(metadata={"description": "sla (a step's time limit) or timer"})
    name = ma.String(metadata={"description": "the step id (sla) or timer name"})
    step_number = ma.Integer(allow_none=True)
    due = ma.DateTime()
    overdue = ma.Boolean()


class NeedSchema(Schema):
    id = ma.String(metadata={"description": "a ticket field id"})
    label = ma.String()
    missing = ma.Boolean(metadata={"description": "not set yet: the event is refused until it is"})


class AcceptingEventSchema(Schema):
    event = ma.String(metadata={"description": "an event type that accepts the field"})
    label = ma.String(metadata={"description": "what people read for it"})
    step = ma.Integer(metadata={"description": "the number of the step it belongs to"})


class StillNeededSchema(Schema):
    id = ma.String(metadata={"description": "a ticket field id"})
    label = ma.String()
    input = ma.String(
        allow_none=True,
        metadata={
            "description": "the kelengkapan text of the step input that asks for it; null when "
            "the event itself requires it or needs it set first"
        },
    )
    accepted = ma.Boolean(
        metadata={
            "description": "true: send it in this event's `data`; false: it must be "
            "given by another event first (see `accepted_by`)"
        }
    )
    accepted_by = ma.List(
        ma.Nested(AcceptingEventSchema),
        metadata={
            "description": "where it can be given: this event when it accepts it, else the "
            "other events of the current step that do, else those of other steps; empty: no "
            "event of the SOP accepts it (the SOP must be revised)"
        },
    )


class AllowedEventSchema(Schema):
    """An event of the step, or the sign-off it waits for (`api.present.tickets._allowed`)."""

    type = ma.String(attribute="name")
    label = ma.String(
        attribute="display_name",
        metadata={
            "description": "what people read: the event's label (the type when none is "
            "given), or a sign-off's words"
        },
    )
    by = ma.List(ma.String(), metadata={"description": "actors who may post it"})
    requires = ma.List(ma.String())
    accepts = ma.List(ma.String())
    targets = ma.List(ma.String())
    needs = ma.List(
        ma.Nested(NeedSchema),
        metadata={"description": "ticket fields that must be set before this event"},
    )
    missing = ma.List(
        ma.Nested(StillNeededSchema),
        metadata={
            "description": "what it still needs before it is accepted: its `requires`, the "
            "fields it `needs` set first, and (when it completes the step) the step's inputs "
            "(kelengkapan) that apply and are not set yet"
        },
    )
    ready = ma.Boolean(
        metadata={
            "description": "true: posting it now with no data is accepted (`missing` is empty)"
        }
    )
    signoff = ma.String(
        allow_none=True,
        metadata={
            "description": "the id of the sign-off this event gives (the ticket stays in "
            "its step); null for a step event"
        },
    )


class TicketSchema(Schema):
    id = ma.String()
    sop = ma.String()
    revision = ma.String()
    spec_hash = ma.String()
    version = ma.Integer(metadata={"description": "also the ETag; send it as If-Match"})
    state = ma.String(metadata={"description": "the current step id, or `end`"})
    step = ma.Nested(
        StepRefSchema,
        allow_none=True,
        metadata={"description": "the step that runs now; null once the ticket is closed"},
    )
    status = ma.Nested(
        StatusSchema,
        allow_none=True,
        metadata={
            "description": "the public status: the SOP's own label, set as its steps and "
            "rules say. It may read as final while the last steps still run: "
            "whether the ticket is finished is `open` / `closed`"
        },
    )
    fields = ma.Dict(  # type: ignore[assignment]
        keys=ma.String(),
        values=ma.Raw(allow_none=True),
        metadata={
            "description": f"without personal-data access, personal fields read `{MASK}`, and "
            "so does, in free text (`string` and `text` fields), every value they have had "
            "and any phone number, e-mail address or NIK"
        },
    )
    masked = ma.List(
        ma.String(), metadata={"description": "fields masked for this reader, whole or in part"}
    )
    deadlines = ma.List(ma.Nested(DeadlineSchema))
    allowed_events = ma.List(ma.Nested(AllowedEventSchema))
    open = ma.Boolean(
        metadata={
            "description": "true while the ticket has not left the SOP: some step of it still "
            "runs (`step`), even when `status` already reads as final; false once it "
            "reached `end`"
        }
    )
    overdue = ma.Boolean()
    created = ma.DateTime()
    closed = ma.DateTime(
        allow_none=True,
        metadata={"description": "when the ticket left the SOP (reached `end`); null while `open`"},
    )
    external_ref = ma.String(allow_none=True)
    refs = ma.List(
        ma.Nested(RefSchema),
        metadata={"description": "other systems' ids for it; read on one ticket, empty in lists"},
    )


class TicketPageSchema(Schema):
    items = ma.List(ma.Nested(TicketSchema))
    next_cursor = ma.String(allow_none=True, metadata={"description": "null on the last page"})
