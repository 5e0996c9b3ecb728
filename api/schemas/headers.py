"""Request headers some writes read, as schemas so the OpenAPI document lists them as header
parameters (each field's `data_key` is the header's name)."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from engine.app.service import MAX_KEY_LENGTH


class IdempotentHeadersSchema(Schema):
    idempotency_key = ma.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=MAX_KEY_LENGTH),
        metadata={
            "description": "a retry with the same key and body answers as the first time, "
            "with `Idempotent-Replayed: true`, and records nothing; the same key with another "
            "body is 409. A key is scoped to one ticket's events (whoever posts them), or to "
            "the tickets one token opens (another token's same key is another request)"
        },
    )


class VersionedHeadersSchema(IdempotentHeadersSchema):
    if_match = ma.String(
        data_key="If-Match",
        metadata={"description": "the ticket version (its ETag); a mismatch is refused with 412"},
    )
