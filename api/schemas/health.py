"""What the public health routes answer: /v1/health (the old shape), /live and /ready."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma

CHECKS = "database, migrations, sweeper, disk; reports_database (not required) with a replica"


class HealthSchema(Schema):
    status = ma.String(
        metadata={"description": "ok (200), or unavailable (503): not ready", "example": "ok"}
    )
    version = ma.String()
    now = ma.DateTime(metadata={"description": "the server clock (manual clocks too)"})
    clock = ma.String(metadata={"description": "system or manual"})
    database = ma.String(metadata={"description": "the database dialect in use"})
    sops = ma.Integer(metadata={"description": "SOP revisions loaded"})
    failing = ma.List(
        ma.String(),
        metadata={"description": f"the readiness checks that fail ({CHECKS}); empty when ok"},
    )


class LiveSchema(Schema):
    status = ma.String(metadata={"description": "always ok: the process answers"})


class CheckSchema(Schema):
    ok = ma.Boolean()
    detail = ma.String(metadata={"description": "why, in a few words (no path or host)"})
    required = ma.Boolean(
        metadata={"description": "false: shown only, readiness does not depend on it"}
    )


class ReadySchema(Schema):
    status = ma.String(metadata={"description": "ready (200) or not_ready (503)"})
    failing = ma.List(ma.String(), metadata={"description": "the required checks that fail"})
    checks = ma.Dict(
        keys=ma.String(),
        values=ma.Nested(CheckSchema),
        metadata={"description": f"each check by name: {CHECKS}"},
    )
