"""Shared paths and specs for the scenario runner's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.core import CompiledRevision, compile_revision
from engine.spec.load import load_revision
from engine.spec.model import Spec
from tests.unit.scenario.paths import PERMIT, SEED, SEED_RULES


@pytest.fixture(scope="session")
def seed_spec() -> Spec:
    return load_revision(SEED, SEED_RULES)


@pytest.fixture(scope="session")
def seed_rev(seed_spec: Spec) -> CompiledRevision:
    return compile_revision(seed_spec)


@pytest.fixture(scope="session")
def permit_spec() -> Spec:
    return load_revision(PERMIT)


@pytest.fixture
def seed_root(tmp_path: Path) -> Path:
    """A copy of the seed revision and its rules, with an empty scenarios folder."""
    sop = tmp_path / "sop" / "surabaya-complaints"
    (sop / "scenarios").mkdir(parents=True)
    shutil.copy(SEED, sop / "r1.yaml")
    shutil.copytree(SEED_RULES, tmp_path / "rules")
    return tmp_path / "sop"
