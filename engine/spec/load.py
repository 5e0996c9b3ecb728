"""Read SOP revision files (and the rules files they name) into frozen specs.

    load_revision(path, rules_dir=None) -> Spec     raises SopInvalid with every Problem

A file that fails any check (engine.spec.validate) never becomes a Spec. `Spec.content_hash` is
the sha256 of the revision's bytes followed, for each rules file in the order the revision names
them, by a NUL byte and that file's bytes; each `RuleSetSpec.content_hash` is its file's sha256.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from engine.errors import SopInvalid
from engine.spec.build import build_ruleset, build_spec
from engine.spec.model import Spec
from engine.spec.validate import Checked, check_revision_file, default_rules_dir

__all__ = ["content_hash", "default_rules_dir", "load_revision", "spec_from_checked"]


def content_hash(revision: bytes, rules: list[bytes]) -> str:
    digest = hashlib.sha256(revision)
    for raw in rules:
        digest.update(b"\0" + raw)
    return digest.hexdigest()


def load_revision(
    path: str | Path, rules_dir: str | Path | None = None, *, paths: bool = True
) -> Spec:
    """`paths=False`: a stored text rebuilt as it was accepted (`check_revision_file`)."""
    checked = check_revision_file(path, rules_dir, paths=paths)
    if not checked.ok:
        raise SopInvalid(checked.problems)
    return spec_from_checked(checked)


def spec_from_checked(checked: Checked) -> Spec:
    """The Spec of a revision that passed every check."""
    if not checked.ok or checked.data is None:
        raise SopInvalid(checked.problems)
    rulesets = tuple(
        build_ruleset(r.data, hashlib.sha256(r.raw).hexdigest()) for r in checked.rules
    )
    digest = content_hash(checked.raw, [r.raw for r in checked.rules])
    return build_spec(checked.data, rulesets, digest, str(checked.path))
