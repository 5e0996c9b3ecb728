"""Schemas shared by every resource: problems, paging, and the few field types reused."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

MAX_PAGE = 500
DEFAULT_PAGE = 50


def aware_datetime(**kwargs: object) -> ma.AwareDateTime:
    """An ISO 8601 time that must carry its UTC offset (`2024-05-06T09:00:00+07:00`)."""
    return ma.AwareDateTime(
        error_messages={"invalid_awareness": "give a time zone offset, e.g. +07:00 or Z"},
        **kwargs,  # type: ignore[arg-type]
    )


def limit_field() -> ma.Integer:
    return ma.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"page size, 1..{MAX_PAGE}"},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is returned (`application/problem+json`)."""

    type = ma.String(metadata={"description": "URI naming the problem kind"})
    title = ma.String()
    status = ma.Integer()
    detail = ma.String(metadata={"description": "what went wrong and what to fix"})
    code = ma.String(metadata={"description": "stable machine-readable code"})
    instance = ma.String(allow_none=True)
    errors = ma.Dict(
        keys=ma.String(),
        values=ma.Raw(),
        metadata={"description": "per-field messages, keyed by body field (`data.<key>`)"},
    )
    current_version = ma.Integer(
        metadata={"description": "on 409/412 version conflicts: the ticket's version now"}
    )
