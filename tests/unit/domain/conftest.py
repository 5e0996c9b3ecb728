from __future__ import annotations

import pytest

from engine.core import CompiledRevision, compile_revision
from engine.spec.load import load_revision
from engine.spec.model import Spec
from tests.support.seed import OTHER_CHANNEL, ROOT, Driver


@pytest.fixture(scope="session")
def seed() -> Spec:
    return load_revision(ROOT / "sop/surabaya-complaints/r1.yaml")


@pytest.fixture(scope="session")
def seed_rev(seed: Spec) -> CompiledRevision:
    return compile_revision(seed)


@pytest.fixture
def driver(seed_rev: CompiledRevision) -> Driver:
    return Driver(seed_rev, dict(OTHER_CHANNEL))
