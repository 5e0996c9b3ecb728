"""The change feed: every accepted event, as CloudEvents 1.0."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import MAX_CURSOR, limit_field, name_length


class ChangesQuerySchema(Schema):
    after = ma.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_CURSOR),
        metadata={"description": "`next_cursor` of the previous page (0: from the start)"},
    )
    limit = limit_field()
    sop = ma.String(
        load_default=None, validate=name_length(1), metadata={"description": "only this SOP's"}
    )
    type = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={"description": "only this event's (its id in the SOP, e.g. `accept`)"},
    )
    ticket = ma.String(
        load_default=None,
        validate=name_length(1),
        metadata={"description": "only this ticket's (none outside the token's scope)"},
    )


class CloudEventSchema(Schema):
    """A CloudEvents 1.0 event in its JSON format (structured mode)."""

    specversion = ma.String(metadata={"description": "`1.0`"})
    id = ma.String(metadata={"description": "`<ticket id>/<seq>`: stable across reads"})
    source = ma.String(metadata={"description": "`/v1/tickets/<ticket id>`"})
    type = ma.String(metadata={"description": "`dev.sop-engine.ticket.<event id>`"})
    subject = ma.String(metadata={"description": "the ticket's id"})
    time = ma.String(metadata={"description": "when the event happened (RFC 3339)"})
    datacontenttype = ma.String(metadata={"description": "`application/json`"})
    sequence = ma.String(metadata={"description": "the feed's cursor of this change"})
    data = ma.Dict(
        metadata={
            "description": "the log entry as GET /v1/tickets/{id}/events shows it to this "
            "token (personal data masked without access), with the ticket's `sop`, "
            "`revision`, `seq` and its public `status` after it"
        }
    )


class ChangePageSchema(Schema):
    items = ma.List(ma.Nested(CloudEventSchema))
    next_cursor = ma.Integer(
        metadata={
            "description": "pass as `after`; equal to `after` when nothing new is settled yet"
        }
    )
