"""The seed's r1 (sop/) and its test-only r2 (tests/revisions/), loaded once per module."""

from __future__ import annotations

import pytest

from engine.spec.load import load_revision
from engine.spec.model import Spec
from tests.support.seed import ROOT

R1 = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
R2 = ROOT / "tests" / "revisions" / "sop" / "surabaya-complaints" / "r2.yaml"


@pytest.fixture(scope="module")
def r1() -> Spec:
    return load_revision(R1)


@pytest.fixture(scope="module")
def r2() -> Spec:
    return load_revision(R2)
