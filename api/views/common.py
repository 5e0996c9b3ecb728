"""What every view needs: the runtime, request bodies, queries and headers loaded through
schemas (a refusal names the part of the request at fault: `api.errors.invalid_input`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import Response, current_app, request
from flask import json as flask_json
from marshmallow import Schema, ValidationError

from api.errors import InvalidJson, InvalidRequest, invalid_input
from api.limits import checked_json
from api.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["sop"]  # type: ignore[no-any-return]


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one (and its nested ones) costs more than a
    dump; instances hold no per-call state."""
    return schema()


def load_body(schema: type[Schema]) -> dict[str, Any]:
    """The JSON object body, loaded (validated) by `schema`; 400/422 problems otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidJson("the body is empty; send a JSON object (Content-Type: application/json)")
    doc = checked_json(raw)
    if not isinstance(doc, dict):
        raise InvalidJson(f"the body must be a JSON object, not {type(doc).__name__}")
    return _load(schema, doc, "body")


def load_query(schema: type[Schema]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise InvalidRequest(
                f"query parameter {key!r} is given {len(values)} times; give it once",
                errors={key: ["given more than once"]},
            )
        args[key] = values[0]
    return _load(schema, args, "query")


def load_headers(schema: type[Schema]) -> dict[str, Any]:
    """The request headers `schema` declares (each field's `data_key` is a header's name),
    loaded by it; the others are not its business."""
    names = [f.data_key or name for name, f in _instance(schema).fields.items()]
    return _load(schema, {n: request.headers[n] for n in names if n in request.headers}, "headers")


def _load(schema: type[Schema], data: Mapping[str, Any], part: str) -> dict[str, Any]:
    try:
        return _instance(schema).load(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise invalid_input(exc, part) from None


def dump(
    schema: type[Schema],
    data: Mapping[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **more_headers: str,
) -> Response:
    body = flask_json.dumps(_instance(schema).dump(data))
    resp = Response(body, status=status, mimetype="application/json")
    for name, value in {**(headers or {}), **more_headers}.items():
        resp.headers[name.replace("_", "-")] = value
    return resp


def attachment(body: str, mimetype: str, filename: str) -> Response:
    """A download: `body` saved by the browser as `filename`."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
