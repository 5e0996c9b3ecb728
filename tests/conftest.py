"""What every test folder shares: the browser tests are skipped as a whole, saying why, when
Chromium or the playwright package is missing (tests.support.groups.BROWSER).

The skip is added after collection rather than raised from tests/browser/conftest.py: a
conftest that skips at import fails the run with a traceback when its folder is named on the
command line (`pytest tests/browser`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import groups

BROWSER_DIR = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    why = groups.BROWSER.why_not
    if why is None:
        return
    skip = pytest.mark.skip(reason=f"{groups.BROWSER.name} skipped: {why}")
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(skip)
