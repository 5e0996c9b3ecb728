"""The store tests' own fixture: a real webhook receiver (tests/integration/store/webhooks.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.store.webhooks import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    rec.start()
    yield rec
    rec.close()
