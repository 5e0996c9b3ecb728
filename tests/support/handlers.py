"""The read-model registry is the process's (engine.app.handlers): a test that adds or removes a
handler puts the registry back as it found it, even when the test fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from engine.app import handlers
from engine.app.handlers import Handler


@contextmanager
def registered(handler: Handler) -> Iterator[Handler]:
    """`handler` runs after the application's own for the `with` block only."""
    handlers.register(handler)
    try:
        yield handler
    finally:
        handlers.unregister(handler)


@contextmanager
def unregistered(handler: Handler) -> Iterator[None]:
    """The application runs without `handler` for the `with` block only."""
    handlers.unregister(handler)
    try:
        yield
    finally:
        handlers.register(handler)
