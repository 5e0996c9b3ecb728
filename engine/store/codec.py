"""Domain records to JSON-ready dicts and back, losslessly.

    encode(record) -> dict                 any dataclass of engine.domain.model
    decode(cls, data) -> record            the same record again (equal to the original)
    dumps(record) / loads(cls, text)       the same, as compact JSON text

Typed positions (a `datetime` attribute, a `tuple[StepRun, ...]`) are written plainly: an
ISO 8601 string, a list. Free-form values (`Ticket.fields`, `Event.data`, a log entry's data)
may hold anything JSON holds plus datetimes, dates and tuples; those are tagged
(`{"$datetime": "..."}`, `{"$date": "..."}`, `{"$tuple": [...]}`) so they come back as the
same Python type. A free-form dict whose only key starts with "$" is wrapped in `{"$dict": ...}`
so it cannot be mistaken for a tag.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar, Union

__all__ = ["decode", "dumps", "encode", "loads"]

T = TypeVar("T")


def encode(record: Any) -> dict[str, Any]:
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"encode() takes a dataclass instance, not {type(record).__name__}")
    hints = _hints(type(record))
    return {
        f.name: _enc(getattr(record, f.name), hints[f.name]) for f in dataclasses.fields(record)
    }


def decode(cls: type[T], data: dict[str, Any]) -> T:
    hints = _hints(cls)  # type: ignore[arg-type]
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {k: _dec(v, hints[k]) for k, v in data.items() if k in known}
    return cls(**kwargs)


def dumps(record: Any) -> str:
    return json.dumps(encode(record), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loads(cls: type[T], text: str | bytes) -> T:
    return decode(cls, json.loads(text))


# -- typed positions ------------------------------------------------------------------------------


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _enc(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if dataclasses.is_dataclass(value):
        return encode(value)
    origin = typing.get_origin(hint)
    if _is_optional(hint):
        return _enc(value, _non_none(hint))
    if isinstance(value, datetime) and hint is datetime:
        return value.isoformat()
    if origin is tuple and isinstance(value, tuple):
        inner = typing.get_args(hint)[0]
        return [_enc(v, inner) for v in value]
    if origin is dict and isinstance(value, dict):
        inner = typing.get_args(hint)[1]
        return {str(k): _enc(v, inner) for k, v in value.items()}
    return _free(value)


def _dec(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if _is_optional(hint):
        return _dec(value, _non_none(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode(hint, value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    origin = typing.get_origin(hint)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_dec(v, inner) for v in value)
    if origin is dict:
        inner = typing.get_args(hint)[1]
        return {k: _dec(v, inner) for k, v in value.items()}
    return _unfree(value)


def _is_optional(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    return origin in (Union, types.UnionType) and type(None) in typing.get_args(hint)


def _non_none(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if len(args) == 1 else Any


# -- free-form values (Any) -----------------------------------------------------------------------


def _free(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_free(v) for v in value]}
    if isinstance(value, list):
        return [_free(v) for v in value]
    if isinstance(value, dict):
        out = {str(k): _free(v) for k, v in value.items()}
        if len(out) == 1 and next(iter(out)).startswith("$"):
            return {"$dict": out}
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot store a value of type {type(value).__name__}: {value!r}")


def _unfree(value: Any) -> Any:
    if isinstance(value, list):
        return [_unfree(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$datetime":
            return datetime.fromisoformat(inner)
        if key == "$date":
            return date.fromisoformat(inner)
        if key == "$tuple":
            return tuple(_unfree(v) for v in inner)
        if key == "$dict":
            return {k: _unfree(v) for k, v in inner.items()}
    return {k: _unfree(v) for k, v in value.items()}
