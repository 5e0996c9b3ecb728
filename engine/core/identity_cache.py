"""A cache keyed by an object's identity, for frozen records whose hash costs more than the work
they key (a calendar's dates and hours, a revision's field definitions).

    value = by_identity(CACHE, obj, make)     make(obj) once per object

Each entry keeps its object alive, so its id is not reused for another object while the entry
is there. Meant for the few long-lived objects of the loaded revisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["by_identity"]

K = TypeVar("K")
V = TypeVar("V")


def by_identity(cache: dict[int, tuple[Any, Any]], key: K, make: Callable[[K], V]) -> V:
    known = cache.get(id(key))
    if known is None or known[0] is not key:
        known = cache[id(key)] = (key, make(key))
    value: V = known[1]
    return value
