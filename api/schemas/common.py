"""Schemas shared by every resource: problems, paging, and the few field types reused."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as ma

MAX_NAME_LENGTH = 200  # an id, a type, an actor, a cursor: the store's column width
MAX_PAGE = 500
MAX_CURSOR = 2**63 - 1  # a position in a table: the store's 64-bit ids
DEFAULT_PAGE = 50


def aware_datetime(**kwargs: object) -> ma.AwareDateTime:
    """An ISO 8601 time that must carry its UTC offset (`2024-05-06T09:00:00+07:00`)."""
    return ma.AwareDateTime(
        error_messages={"invalid_awareness": "give a time zone offset, e.g. +07:00 or Z"},
        **kwargs,  # type: ignore[arg-type]
    )


def name_length(minimum: int = 0) -> validate.Length:
    """An id, type or cursor given by a caller: at most MAX_NAME_LENGTH characters."""
    return validate.Length(min=minimum, max=MAX_NAME_LENGTH)


def limit_field() -> ma.Integer:
    return ma.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"page size, 1..{MAX_PAGE}"},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is returned (`application/problem+json`).

    The members below are all a problem may carry (`api.errors.problem` drops any other
    detail of an engine error): the document says `additionalProperties: false`."""

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
    ticket_id = ma.String(metadata={"description": "the ticket the problem is about"})
    limit = ma.Dict(
        keys=ma.String(),
        values=ma.Raw(),
        metadata={
            "description": "on `file_refused`: the field's limit the upload broke "
            "(`max_files`, `max_size_mb` or `accept`) and its value"
        },
    )
    idempotency_key = ma.String(
        metadata={"description": "on 409: the Idempotency-Key already used with another body"}
    )
    event = ma.String(metadata={"description": "on `unknown_event`: the event type asked for"})
    state = ma.String(
        metadata={"description": "on `event_not_allowed`: the ticket's step id (or `end`)"}
    )
    allowed = ma.List(
        ma.String(),
        metadata={"description": "on `event_not_allowed`: the events its step accepts now"},
    )
    actor = ma.String(metadata={"description": "on `actor_not_allowed`: the actor refused"})
    accepted_by = ma.Dict(
        keys=ma.String(),
        values=ma.List(ma.Dict(keys=ma.String(), values=ma.Raw())),
        metadata={
            "description": "on `missing_inputs` and `invalid_data`: per field, the events "
            "(and steps) that accept it"
        },
    )
