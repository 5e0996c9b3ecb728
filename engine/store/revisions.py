"""A revision's exact texts (the revision file and its rules files), and a Spec rebuilt from them.

    texts_of(spec) -> RevisionTexts | None        read back from disk; None if they no longer
                                                  hash to `spec.content_hash`
    spec_from_texts(texts) -> Spec                load the stored texts with the normal loader
    SpecResolver(specs, store).get(ticket, tx)    the compiled revision a ticket is pinned to:
                                                  loaded, or rebuilt from its stored texts
    SpecResolver(...).revision(sop, rev, hash, tx)   the same by content hash (a log entry's)
    SpecResolver(...).compiled(spec)              the compiled form of a loaded revision

The store keeps these by content hash, so a ticket pinned to a revision can still be decided
by exactly that revision after the file on disk was edited or removed. The resolver is the one
holder of compiled revisions (`engine.core.revision`): each is compiled once, when it is added
or first rebuilt, and kept by content hash. A rebuilt revision must hash to the hash asked for:
stored texts changed in the database raise `StoredRevisionMismatch` instead of deciding
tickets by a revision nobody published.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from engine.core.revision import CompiledRevision, compile_revision
from engine.errors import SopInvalid, StoredRevisionMismatch, UnknownRevision
from engine.spec.load import default_rules_dir, load_revision
from engine.spec.model import Spec

if TYPE_CHECKING:
    from engine.core.model import Ticket
    from engine.store.store import Store, Tx

log = logging.getLogger(__name__)

# What to do about a stored text that no longer matches its hash (docs/audit.md).
RESTORE = (
    "restore the revisions row from a backup, or from the published revision file, whose hash "
    "`sop list` shows"
)


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
    """Load stored texts through `engine.spec.load`, as files on disk would be, except for the
    path check (`check_revision_file`'s `paths`)."""
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
        # Stored texts were accepted when first published: the path check, which came later,
        # must not make the tickets pinned to them unreadable.
        return load_revision(path, rules_dir, paths=False)


class SpecResolver:
    """The exact revision (by content hash) of a ticket, compiled: one loaded, or rebuilt from the
    texts the store kept when that revision was first loaded."""

    def __init__(self, specs: Iterable[Spec], store: Store) -> None:
        self.store = store
        self.by_hash: dict[str, CompiledRevision] = {}
        self.add(specs)

    def add(self, specs: Iterable[Spec]) -> None:
        """Know these too (hot reload), compiling the ones not known yet: one reference swap,
        so readers see old or new."""
        new = {s.content_hash: s for s in specs if s.content_hash not in self.by_hash}
        compiled = {h: compile_revision(s) for h, s in new.items()}
        self.by_hash = {**self.by_hash, **compiled}

    def compiled(self, spec: Spec) -> CompiledRevision:
        """`spec` compiled: the one kept for its content hash (added now if it was not)."""
        found = self.by_hash.get(spec.content_hash)
        if found is None:
            self.add([spec])
            found = self.by_hash[spec.content_hash]
        return found

    def get(self, ticket: Ticket, tx: Tx | None = None) -> CompiledRevision:
        """`tx`: read a stored text in that transaction instead of a new one."""
        return self.revision(ticket.sop_id, ticket.revision, ticket.spec_hash, tx, ticket.id)

    def revision(
        self,
        sop_id: str,
        revision: str,
        spec_hash: str,
        tx: Tx | None = None,
        ticket_id: str | None = None,
    ) -> CompiledRevision:
        """The revision with this content hash: loaded, or rebuilt from its stored texts, which
        must hash to `spec_hash` (StoredRevisionMismatch otherwise: they were changed in the
        database). `ticket_id`: the ticket asking, named in the errors."""
        found = self.by_hash.get(spec_hash)
        if found is not None:
            return found
        if tx is not None:
            texts = tx.revision_texts(spec_hash)
        else:
            with self.store.read() as read_tx:
                texts = read_tx.revision_texts(spec_hash)
        who = f"ticket {ticket_id} is pinned to" if ticket_id else "the log names"
        key = f"{sop_id}@{revision} (hash {spec_hash[:12]})"
        if texts is None:
            raise UnknownRevision(f"{who} {key}, which is neither loaded nor stored")
        text, rules = texts
        try:
            spec = spec_from_texts(RevisionTexts(sop_id, revision, spec_hash, text, rules))
        except SopInvalid as exc:
            raise StoredRevisionMismatch(
                f"{who} {key}, whose stored text no longer loads ({exc.message}): it was "
                f"changed in the database; {RESTORE}",
                spec_hash=spec_hash,
            ) from None
        if spec.content_hash != spec_hash:
            raise StoredRevisionMismatch(
                f"{who} {key}, but its stored text hashes to {spec.content_hash[:12]}: it was "
                f"changed in the database; {RESTORE}",
                spec_hash=spec_hash,
            )
        found = compile_revision(spec)
        self.by_hash = {**self.by_hash, spec_hash: found}
        return found
