"""A JSON Schema (draft 2020-12) of the SOP format, generated from the validator's own
marshmallow schemas (engine.spec.schema), so an author's editor completes keys and flags
structural mistakes as they type. It is never written by hand: `sop schema` prints it.

It covers structure only (keys, types, ids, required keys); cross-references, flow, conditions
and rule triggers are checked by `sop validate`. A field class it does not know is an error, so
a new kind of field cannot silently be left out.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from engine.spec import schema_fields as sf
from engine.spec.schema import REVISION, RULES_FILE

DRAFT = "https://json-schema.org/draft/2020-12/schema"
TITLES = {
    "revision": "SOP revision file (sop/<sop-id>/<revision>.yaml), format_version 1",
    "rules": "SOP rules file (rules/<name>.yaml), format_version 1",
}
# A NIP: 18 digits, spaces allowed between them (engine.spec.schema_fields.Nip).
NIP = r"^(\s*[0-9]){18}\s*$"


def json_schema(kind: str = "revision") -> dict[str, Any]:
    """The JSON Schema of a revision file (`revision`) or a rules file (`rules`)."""
    root = {"revision": REVISION, "rules": RULES_FILE}[kind]
    defs: dict[str, Any] = {}
    body = _object(root, defs)
    return {"$schema": DRAFT, "title": TITLES[kind], **body, "$defs": defs}


def _object(schema: Schema, defs: dict[str, Any]) -> dict[str, Any]:
    props = {(f.data_key or name): _field(f, defs) for name, f in schema.fields.items()}
    required = [(f.data_key or name) for name, f in schema.fields.items() if f.required]
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _field(field: fields.Field, defs: dict[str, Any]) -> dict[str, Any]:
    out = _value(field, defs)
    if not field.allow_none or isinstance(field, sf.Raw):
        return out
    blank = [{"type": "string", "pattern": r"^\s*$"}] if isinstance(field, sf.Date) else []
    return {"anyOf": [out, {"type": "null"}, *blank]}  # null and "" both mean "none"


def _value(field: fields.Field, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(field, sf.Text):
        return _text(field)
    if isinstance(field, sf.Int):
        out: dict[str, Any] = {"type": "integer"}
        if field.minimum is not None:
            out["minimum"] = field.minimum
        return out
    if isinstance(field, sf.Bool):
        return {"type": "boolean"}
    if isinstance(field, sf.Date):
        return {"type": "string", "format": "date"}
    if isinstance(field, sf.Duration):
        return {"type": "string", "description": "a number and a unit, e.g. 15 menit, 1 hari kerja"}
    if isinstance(field, sf.OfficeHours):
        span = {"type": "string", "description": "a span such as 07:30-16:00"}
        return {
            "type": "object",
            "description": "weekdays (mon, mon-thu) -> spans, e.g. fri: [07:30-11:30, 13:00-16:30]",
            "additionalProperties": {"anyOf": [span, {"type": "array", "items": span}]},
        }
    if isinstance(field, sf.Nip):
        pattern = NIP if not field.allow_none else f"{NIP}|^\\s*$"
        return {"type": "string", "pattern": pattern}
    if isinstance(field, sf.List):
        out = {"type": "array", "items": _field(field.inner, defs)}
        if field.nonempty:
            out["minItems"] = 1
        return out
    if isinstance(field, sf.Map):
        out = {"type": "object", "additionalProperties": _field(field.inner, defs)}
        if field.pattern is not None:
            out["propertyNames"] = {"pattern": field.pattern.pattern}
        return out
    if isinstance(field, sf.Record):
        return _record(field, defs)
    if isinstance(field, sf.Raw):
        return {}  # conditions, triggers, actions: checked by `sop validate`
    raise TypeError(f"no JSON Schema for the field class {type(field).__name__}")


def _text(field: sf.Text) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string"}
    if field.choices is not None:
        out["enum"] = list(field.choices)
    if field.pattern is not None:
        out["pattern"] = field.pattern.pattern
    elif field.nonempty:
        out["pattern"] = r"\S"
    return out


def _record(field: sf.Record, defs: dict[str, Any]) -> dict[str, Any]:
    nested = field.schema
    name = type(nested).__name__.removesuffix("Schema")
    if name not in defs:
        defs[name] = {}  # reserved first: a schema that nests itself ends here
        defs[name] = _object(nested, defs)
    return {"$ref": f"#/$defs/{name}"}
