"""Where the scenario tests find the SOPs and their fixtures."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
SEED_RULES = ROOT / "rules"
PERMIT_ROOT = ROOT / "tests" / "sops" / "sop"
PERMIT = PERMIT_ROOT / "building-permit" / "v1.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
