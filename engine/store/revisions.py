"""A revision's exact texts (the revision file and its rules files), and a Spec rebuilt from them.

    texts_of(spec) -> RevisionTexts | None        read back from disk; None if they no longer
                                                  hash to `spec.content_hash`
    spec_from_texts(texts) -> Spec                load the stored texts with the normal loader

The store keeps these by content hash, so a ticket pinned to a revision can still be decided
by exactly that revision after the file on disk was edited or removed.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.spec.load import default_rules_dir, load_revision
from engine.spec.model import Spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevisionTexts:
    sop_id: str
    revision: str
    spec_hash: str
    text: str
    rules: dict[str, str] = field(default_factory=dict)  # rules file id -> text


def texts_of(spec: Spec, rules_dir: str | Path | None = None) -> RevisionTexts | None:
    if not spec.source_path:
        return None
    path = Path(spec.source_path)
    try:
        text = path.read_bytes().decode("utf-8")  # bytes: keep line endings exact
        names = (yaml.safe_load(text) or {}).get("rules") or ()
        rdir = Path(rules_dir) if rules_dir else default_rules_dir(path)
        rules = {str(n): (rdir / f"{n}.yaml").read_bytes().decode("utf-8") for n in names}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.warning("cannot read the texts of %s to store them: %s", spec.key, exc)
        return None
    texts = RevisionTexts(spec.sop_id, spec.revision, spec.content_hash, text, rules)
    try:
        same = spec_from_texts(texts).content_hash == spec.content_hash
    except Exception as exc:  # the loader's own errors: the files changed into something else
        log.warning("the files of %s no longer load (%s); not storing them", spec.key, exc)
        return None
    if not same:
        log.warning("the files of %s changed since it was loaded; not storing them", spec.key)
        return None
    return texts


def spec_from_texts(texts: RevisionTexts) -> Spec:
    """Load stored texts through `engine.spec.load`, exactly as files on disk would be."""
    with tempfile.TemporaryDirectory(prefix="sop-revision-") as tmp:
        root = Path(tmp)
        sop_dir = root / "sop" / texts.sop_id
        rules_dir = root / "rules"
        sop_dir.mkdir(parents=True)
        rules_dir.mkdir()
        path = sop_dir / f"{texts.revision}.yaml"
        path.write_bytes(texts.text.encode("utf-8"))
        for name, rtext in texts.rules.items():
            (rules_dir / f"{name}.yaml").write_bytes(rtext.encode("utf-8"))
        return load_revision(path, rules_dir)
