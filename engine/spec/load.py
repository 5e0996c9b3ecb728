"""Read SOP revision files (and the rules files they name) into frozen specs.

PROVISIONAL: structure and cross-reference validation are being added (issue 2); until then
this trusts its input. Public API: `load_revision(path, rules_dir=None) -> Spec`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from engine.spec.build import build_ruleset, build_spec
from engine.spec.model import RuleSetSpec, Spec


def default_rules_dir(revision_path: Path) -> Path:
    """`sop/<id>/<rev>.yaml` names rules in `rules/` beside `sop/`."""
    return revision_path.resolve().parent.parent.parent / "rules"


def load_revision(path: str | Path, rules_dir: str | Path | None = None) -> Spec:
    path = Path(path)
    rdir = Path(rules_dir) if rules_dir else default_rules_dir(path)
    text = path.read_bytes()
    doc = yaml.safe_load(text)
    digest = hashlib.sha256(text)
    rulesets: list[RuleSetSpec] = []
    for name in doc.get("rules") or ():
        rtext = (rdir / f"{name}.yaml").read_bytes()
        digest.update(b"\0" + rtext)
        rulesets.append(build_ruleset(yaml.safe_load(rtext), hashlib.sha256(rtext).hexdigest()))
    return build_spec(doc, tuple(rulesets), digest.hexdigest(), str(path))
