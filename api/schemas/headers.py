"""Request headers some writes read, as schemas so the OpenAPI document lists them as header
parameters (each field's `data_key` is the header's name)."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

from engine.app.service import MAX_KEY_LENGTH

# An ETag as this API gives it ("3"), weak or bare, or `*`; at most 18 digits (a version
# is a 64-bit integer in the store).
IF_MATCH = r'^\s*(\*|(W/)?"?[0-9]{1,18}"?)\s*$'


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
        validate=validate.Regexp(
            IF_MATCH, error='must be the ticket\'s version, its ETag (e.g. "3"), or *'
        ),
        metadata={
            "description": 'the ticket version (its ETag, e.g. "3"; W/"3" and 3 are read '
            "the same; * matches any); a mismatch is refused with 412"
        },
    )
