"""A ticket as another system's form asks for it: GET /v1/tickets/{id}/exports/{export}."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma


class ExportQuerySchema(Schema):
    format = ma.String(
        load_default=None,
        validate=validate.OneOf(["json", "csv", "text"]),
        metadata={
            "description": "json (default), csv (a header and one line: for an upload; or "
            "Accept: text/csv), text (`Label: value` lines: for pasting)"
        },
    )


class ExportColumnSchema(Schema):
    name = ma.String(metadata={"description": "the other system's name for the field"})
    label = ma.String(metadata={"description": "what the other system's form calls it"})
    value = ma.String(metadata={"description": "from the ticket, as this reader sees it"})
    masked = ma.Boolean(metadata={"description": "personal data hidden from this reader"})


class ExportReferenceSchema(Schema):
    source = ma.String(metadata={"description": "the external reference's source"})
    field = ma.String(metadata={"description": "the ticket field that holds the other id"})
    id = ma.String(allow_none=True, metadata={"description": "its value; null until given"})
    held = ma.Boolean(metadata={"description": "the ticket holds it as an external reference"})


class ExportSchema(Schema):
    export = ma.String(metadata={"description": "the export's id in the SOP's exports.yaml"})
    label = ma.String()
    description = ma.String(allow_none=True)
    ticket = ma.String()
    offered = ma.Boolean(
        metadata={"description": "the ticket is at a step where the export is offered (`at`)"}
    )
    columns = ma.List(ma.Nested(ExportColumnSchema))
    reference = ma.Nested(ExportReferenceSchema, allow_none=True)
