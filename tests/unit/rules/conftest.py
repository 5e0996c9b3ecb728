from __future__ import annotations

import pytest

from engine.spec.load import load_revision
from engine.spec.model import Spec
from tests.support.seed import ROOT


@pytest.fixture(scope="session")
def seed() -> Spec:
    return load_revision(ROOT / "sop/surabaya-complaints/r1.yaml")
