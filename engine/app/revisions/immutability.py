"""Published revisions are immutable: once a revision has governed a ticket, the text the store
keeps under its content hash is the only text its (SOP id, revision label) may have.

    changed_revisions(specs, tx) -> list[Problem]     one `revision_changed` problem per file
    check_published(specs, store) -> None            raises RevisionChanged listing them all

A revision counts as published when a ticket or a log entry names its content hash. A file that
changed before any ticket used it (a draft with a future effective date, say) is not refused.
The content hash covers the revision file and the rules files it names, so an edited rules file
makes every revision naming it "changed" too.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select

from engine.errors import Problem, RevisionChanged
from engine.spec.model import Spec
from engine.store import Store, Tx
from engine.store.tables import EventRow, RevisionRow, TicketRow

__all__ = ["changed_revisions", "check_published", "published_hashes"]

CODE = "revision_changed"


def published_hashes(tx: Tx, sop_id: str, revision: str, *, other_than: str = "") -> list[str]:
    """The stored content hashes of `sop_id@revision` (but `other_than`) that governed a ticket.

    Only hashes that differ from the file's own are looked up in tickets and the log, so the
    usual case (nothing edited) costs one indexed query per revision."""
    stored = tx.conn.scalars(
        select(RevisionRow.spec_hash).where(
            RevisionRow.sop_id == sop_id,
            RevisionRow.revision == revision,
            RevisionRow.spec_hash != other_than,
        )
    )
    return [h for h in stored if _governed(tx, h)]


def changed_revisions(specs: Iterable[Spec], tx: Tx) -> list[Problem]:
    problems: list[Problem] = []
    for spec in specs:
        for old in published_hashes(tx, spec.sop_id, spec.revision, other_than=spec.content_hash):
            problems.append(_problem(spec, old))
    return problems


def check_published(specs: Iterable[Spec], store: Store) -> None:
    """Refuse (RevisionChanged) if any of `specs` is a published revision edited in place."""
    with store.read() as tx:
        problems = changed_revisions(specs, tx)
    if problems:
        raise RevisionChanged(
            problems,
            f"{len(problems)} published revision(s) changed in place; publish a new revision",
        )


def _governed(tx: Tx, spec_hash: str) -> bool:
    found = tx.conn.scalar(select(exists().where(TicketRow.spec_hash == spec_hash)))
    if not found:
        found = tx.conn.scalar(select(exists().where(EventRow.spec_hash == spec_hash)))
    return bool(found)


def _problem(spec: Spec, old: str) -> Problem:
    return Problem(
        code=CODE,
        path="revision",
        file=spec.source_path,
        line=1,
        col=1,
        message=(
            f"{spec.key} has governed tickets with published content sha256 {old}, but this "
            f"file and the rules files it names now hash to {spec.content_hash}; a published "
            "revision cannot change"
        ),
        hint=(
            "put the change in a new revision (a new file with its own `revision:` label and a "
            "later `effective:` date) and restore this file's published text, which the store "
            "keeps under the old hash"
        ),
    )
