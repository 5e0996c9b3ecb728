"""Auditors' reads: the query of the process-mining export (the chain check takes none)."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from api.schemas.common import name_length
from engine.app.audit.export import FORMATS


class ExportQuerySchema(Schema):
    format = ma.String(
        load_default="xes",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "xes (IEEE 1849 XML, default) or ocel (OCEL 2.0 JSON)"},
    )
    sop = ma.String(
        load_default=None,
        validate=name_length(),
        metadata={"description": "only tickets of this SOP id"},
    )
    all_events = ma.Boolean(
        load_default=False,
        metadata={"description": "also events that finish no step, under their event name"},
    )


class VerifyQuerySchema(Schema):
    """What to check (`sop audit verify`'s `--chain-only`)."""

    chain_only = ma.Boolean(
        load_default=False,
        metadata={
            "description": "only the hash chains (fast); without it every log is also "
            "replayed and the rows it determines compared (about ten times slower)"
        },
    )
