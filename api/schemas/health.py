"""What the public health check answers."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma


class HealthSchema(Schema):
    status = ma.String(metadata={"example": "ok"})
    version = ma.String()
    now = ma.DateTime(metadata={"description": "the server clock (manual clocks too)"})
    clock = ma.String(metadata={"description": "system or manual"})
    database = ma.String(metadata={"description": "the database dialect in use"})
    sops = ma.Integer(metadata={"description": "SOP revisions loaded"})
