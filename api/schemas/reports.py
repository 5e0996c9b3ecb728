"""The monev report's query: an SOP, a period and optionally one value of its scope field."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, validate
from marshmallow import fields as ma

from api.schemas.common import name_length


class MonevQuerySchema(Schema):
    class Meta:
        unknown = INCLUDE  # the SOP's scope field may be given by its own name

    sop = ma.String(required=True, validate=name_length(1), metadata={"description": "the SOP id"})
    from_ = ma.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "first day, YYYY-MM-DD (default: this month's first)"},
    )
    to = ma.Date(
        load_default=None,
        metadata={"description": "the day after the last day counted (exclusive)"},
    )
    scope = ma.String(
        load_default=None,
        validate=name_length(),
        metadata={"description": "one value of the SOP's scope field (its name works too)"},
    )
    format = ma.String(
        load_default=None,
        validate=validate.OneOf(["json", "csv", "text"]),
        metadata={"description": "json (default), csv (or Accept: text/csv), text"},
    )
