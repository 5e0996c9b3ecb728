"""The query comparing two revisions of one SOP."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import name_length


class DiffQuerySchema(Schema):
    from_ = ma.String(
        data_key="from",
        required=True,
        validate=name_length(1),
        metadata={"description": "the earlier revision, e.g. r1"},
    )
    to = ma.String(
        required=True,
        validate=name_length(1),
        metadata={"description": "the later revision, e.g. r2"},
    )
    format = ma.String(
        load_default="json",
        validate=validate.OneOf(["json", "markdown"]),
        metadata={"description": "json (default) or markdown (text/markdown, for audit reports)"},
    )
    impact = ma.Boolean(
        load_default=False,
        metadata={"description": "true: add the open tickets of `from` the change would affect"},
    )
