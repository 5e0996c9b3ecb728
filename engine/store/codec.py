"""Domain records to JSON-ready dicts and back, losslessly.

    encode(record) -> dict                 any dataclass of engine.core.model
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
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar, Union

__all__ = ["decode", "dumps", "encode", "loads"]

T = TypeVar("T")


def encode(record: Any) -> dict[str, Any]:
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"encode() takes a dataclass instance, not {type(record).__name__}")
    return _record_encoder(type(record))(record)


def decode(cls: type[T], data: dict[str, Any]) -> T:
    return _record_decoder(cls)(data)  # type: ignore[no-any-return, arg-type]


def dumps(record: Any) -> str:
    return json.dumps(encode(record), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loads(cls: type[T], text: str | bytes) -> T:
    return decode(cls, json.loads(text))


# -- typed positions ------------------------------------------------------------------------------
# One encoder and one decoder function is built per type hint, once: a ticket is encoded and
# decoded on every event, and walking its type hints each time cost more than the SQL.

Coder = Callable[[Any], Any]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _record_encoder(cls: type) -> Coder:
    hints = _hints(cls)
    fields = tuple((f.name, _encoder(hints[f.name])) for f in dataclasses.fields(cls))

    def enc(record: Any) -> dict[str, Any]:
        values = record.__dict__
        return {name: code(values[name]) for name, code in fields}

    return enc


@cache
def _record_decoder(cls: type) -> Coder:
    hints = _hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    if (
        hasattr(cls, "__post_init__")
        or hasattr(cls, "__slots__")
        or any(f.default_factory is not dataclasses.MISSING for f in dataclasses.fields(cls))
    ):
        return lambda data: cls(**{k: fields[k](v) for k, v in data.items() if k in fields})
    # The records are frozen dataclasses without __post_init__: built as `__init__` would,
    # defaults first, without its per-field object.__setattr__ (a third of decoding a ticket).
    defaults = {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }
    required = frozenset(fields) - frozenset(defaults)

    def dec(data: dict[str, Any]) -> Any:
        values = {k: fields[k](v) for k, v in data.items() if k in fields}
        if not required.issubset(values):
            raise TypeError(f"{cls.__name__} needs {sorted(required - set(values))}")
        record: Any = object.__new__(cls)
        record.__dict__.update(defaults, **values)
        return record

    return dec


def _none_safe(code: Coder) -> Coder:
    return lambda value: None if value is None else code(value)


@cache
def _encoder(hint: Any) -> Coder:
    if _is_optional(hint):
        return _encoder(_non_none(hint))
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _none_safe(_record_encoder(hint))
    if hint is datetime:
        return lambda v: v.isoformat() if isinstance(v, datetime) else _free(v)
    if origin is tuple:
        inner = _encoder(typing.get_args(hint)[0])
        return lambda v: [inner(x) for x in v] if isinstance(v, tuple) else _free(v)
    if origin is dict:
        inner = _encoder(typing.get_args(hint)[1])
        return lambda v: (
            {str(k): inner(x) for k, x in v.items()} if isinstance(v, dict) else _free(v)
        )
    if hint in (str, int, float, bool):
        return lambda v: v if v is None or type(v) in (str, int, float, bool) else _free(v)
    return _free


@cache
def _decoder(hint: Any) -> Coder:
    if _is_optional(hint):
        return _none_safe(_decoder(_non_none(hint)))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _none_safe(_record_decoder(hint))
    if hint is datetime:
        return _none_safe(datetime.fromisoformat)
    origin = typing.get_origin(hint)
    if origin is tuple:
        inner = _decoder(typing.get_args(hint)[0])
        return _none_safe(lambda v: tuple(inner(x) for x in v))
    if origin is dict:
        inner = _decoder(typing.get_args(hint)[1])
        return _none_safe(lambda v: {k: inner(x) for k, x in v.items()})
    if hint in (str, int, float, bool):
        return lambda v: v
    return _unfree


def _is_optional(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    return origin in (Union, types.UnionType) and type(None) in typing.get_args(hint)


def _non_none(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if len(args) == 1 else Any


# -- free-form values (Any) -----------------------------------------------------------------------


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _free(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: first, before the checks below
        return value
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
    if type(value) in _PLAIN:
        return value
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
