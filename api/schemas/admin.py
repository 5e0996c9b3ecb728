"""Administration: the result of reloading the SOP folder; redelivering dead letters."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma


class ReloadSchema(Schema):
    added = ma.List(ma.String(), metadata={"description": "sop@revision newly loaded"})
    replaced = ma.List(
        ma.String(), metadata={"description": "files changed before any ticket used them"}
    )
    kept = ma.List(
        ma.String(), metadata={"description": "loaded before, file gone: kept until a restart"}
    )
    unchanged = ma.List(ma.String())
    integrations = ma.List(
        ma.String(),
        metadata={"description": "SOP ids whose sop/<id>/integrations/ settings changed"},
    )
    revisions = ma.List(ma.String(), metadata={"description": "every revision now loaded"})


MAX_REDELIVER = 10_000


class RedeliverBodySchema(Schema):
    ids = ma.List(
        ma.String(validate=validate.Length(min=1, max=200)),
        load_default=None,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "notification ids (the `id` of GET /v1/notifications)"},
    )
    ticket = ma.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the dead letters of this ticket"},
    )
    channel = ma.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "a channel of the server's notification config (e.g. team-hook): "
            "the dead letters it did not take"
        },
    )
    all = ma.Boolean(
        load_default=False,
        metadata={"description": "every dead letter (needed when no filter is given)"},
    )
    dry_run = ma.Boolean(load_default=False, metadata={"description": "list them, send nothing"})
    limit = ma.Integer(
        load_default=1000,
        validate=validate.Range(min=1, max=MAX_REDELIVER),
        metadata={"description": "at most this many, oldest first (`remaining`: the rest)"},
    )


class DeadLetterSchema(Schema):
    id = ma.String()
    ticket_id = ma.String()
    to = ma.String(metadata={"description": "actor id"})
    rule = ma.String()
    attempts = ma.Integer(metadata={"description": "attempts made before it died"})
    failed_channels = ma.List(
        ma.String(), metadata={"description": "channels of the config that did not take it"}
    )
    last_error = ma.String(allow_none=True)


class RedeliverSchema(Schema):
    dry_run = ma.Boolean()
    redelivered = ma.Integer(metadata={"description": "dead letters queued again (0 on a dry run)"})
    items = ma.List(ma.Nested(DeadLetterSchema), metadata={"description": "no message texts"})
    not_dead = ma.Dict(
        keys=ma.String(),
        values=ma.String(),
        metadata={"description": "ids asked for that are not dead letters -> their status"},
    )
    remaining = ma.Integer(metadata={"description": "matching dead letters beyond `limit`"})
