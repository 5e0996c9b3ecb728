"""The manual clock (servers started with `--clock manual` only)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema
from marshmallow import fields as ma

from api.schemas.common import aware_datetime


class ClockMoveSchema(Schema):
    advance = ma.String(
        load_default=None,
        metadata={"description": "a duration: `3 calendar days`, `36 hours`, `2 working days`"},
    )
    set = aware_datetime(load_default=None, metadata={"description": "jump to this time"})
    sop = ma.String(
        load_default=None,
        metadata={"description": "whose calendar counts working days (default: the only SOP)"},
    )

    @validates_schema
    def _one_of(self, data: dict[str, object], **_: object) -> None:
        if (data.get("advance") is None) == (data.get("set") is None):
            raise ValidationError("give exactly one of `advance` or `set`", "_schema")


class ClockSchema(Schema):
    now = ma.DateTime()
    swept = ma.Integer(metadata={"description": "deadline events the sweep applied"})
