"""Check one ticket's stored log against its hash chain (pure: no database).

    check_ticket(ticket_id, links, head) -> list[Problem]

`links` are the ticket's stored entries in `seq` order; `head` is the ticket's current record
(None when the ticket row is gone). Each problem names the ticket and the position (`seq`) in
its log where the chain shows it:

    changed    the entry no longer matches its hash, or a column disagrees with the entry
    unhashed   the entry has no hash at all
    removed    a position is missing from the log
    reordered  the chain puts the entry at another position
    broken     the entry does not follow the one before it (an entry between them was removed
               and the rest renumbered, or the one before was rewritten with a new hash)
    ticket     the ticket's current record does not match its last entry, has no entries, or
               is gone while its entries remain
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.store.chain import GENESIS, entry_hash

__all__ = ["Head", "Link", "Problem", "check_ticket"]

MAX_PAIRS = 50  # changed entries of one ticket compared pairwise to spot swapped contents
# Columns the events table repeats from the entry, for indexes and readers.
COLUMNS = (
    "ticket_id",
    "version",
    "at",
    "event",
    "actor",
    "user",
    "from_state",
    "to_state",
    "from_status",
    "to_status",
    "sop_id",
    "revision",
    "spec_hash",
    "caused_by",
)


@dataclass(frozen=True)
class Problem:
    ticket_id: str  # "" for a problem of no ticket (a stored revision, a periodic run)
    seq: int | None  # the position in the ticket's log; None: the ticket as a whole
    kind: str
    message: str
    version: int | None = None  # the ticket version the entry records, when readable
    # A row that differs from what the log gives (engine.app.audit.rows_check): its table,
    # the row within the ticket (a step run's visit, a notification id...), the column and
    # both values, as a reader may see them (personal values masked, texts by their hash).
    table: str | None = None
    key: str | None = None
    column: str | None = None
    stored: Any = None
    replayed: Any = None

    def as_data(self) -> dict[str, Any]:
        data = {
            "ticket": self.ticket_id or None,
            "position": self.seq,
            "version": self.version,
            "kind": self.kind,
            "message": self.message,
        }
        if self.table is not None:
            data.update(
                table=self.table,
                key=self.key,
                column=self.column,
                stored=self.stored,
                replayed=self.replayed,
            )
        return data

    def format(self) -> str:
        if not self.ticket_id:
            where = f"{self.table}[{self.key}]" if self.table else "store"
            return f"{where}: {self.kind}: {self.message}"
        where = f"#{self.seq}" if self.seq is not None else "ticket"
        if self.table is not None:
            where = f"{self.table}" + (f"[{self.key}]" if self.key is not None else "")
            where += f".{self.column}" if self.column else ""
        return f"{self.ticket_id} {where}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Link:
    """One stored entry: its position, its chain columns, its JSON, and its other columns."""

    seq: int
    prev_hash: str | None
    entry_hash: str | None
    entry: dict[str, Any] | None  # the stored JSON; None: it is not even a JSON object
    columns: dict[str, Any] = field(default_factory=dict)
    recorded: datetime | None = None  # when it was written (one value per write; not hashed)


@dataclass(frozen=True)
class Head:
    """The ticket's current record as the tickets table holds it (columns and JSON record)."""

    version: int
    state: str
    record_version: Any
    record_state: Any


def check_ticket(ticket_id: str, links: Sequence[Link], head: Head | None) -> list[Problem]:
    mismatched = {link.seq for link in links if _hash_differs(link)}
    problems = [p for link in links for p in _own(ticket_id, link, link.seq in mismatched)]
    problems += _swapped(ticket_id, [link for link in links if link.seq in mismatched])
    gaps = _gaps(ticket_id, links)
    moved = _reordered(ticket_id, links)
    problems += gaps + moved
    problems += _breaks(ticket_id, links, {p.seq for p in moved})
    problems += _head(ticket_id, links, head)
    return sorted(problems, key=lambda p: (p.seq is None, p.seq or 0, p.kind))


def _hash_differs(link: Link) -> bool:
    if link.entry is None or link.entry_hash is None or link.prev_hash is None:
        return False
    return entry_hash(link.entry, link.prev_hash) != link.entry_hash


def _problem(ticket_id: str, link: Link, kind: str, message: str) -> Problem:
    version = link.entry.get("version") if link.entry is not None else None
    return Problem(
        ticket_id, link.seq, kind, message, version if isinstance(version, int) else None
    )


def _own(ticket_id: str, link: Link, mismatched: bool) -> list[Problem]:
    """The entry against its own hash and its own columns."""
    if link.entry is None:
        return [_problem(ticket_id, link, "changed", "the stored entry is not a JSON object")]
    out: list[Problem] = []
    if link.entry_hash is None or link.prev_hash is None:
        out.append(_problem(ticket_id, link, "unhashed", "the entry has no hash"))
    elif mismatched:
        out.append(
            _problem(
                ticket_id,
                link,
                "changed",
                f"entry {link.seq} ({link.entry.get('event')!r}, version "
                f"{link.entry.get('version')}) does not match its hash: its content was changed",
            )
        )
    for name, stored in link.columns.items():
        expected = link.entry.get(name)
        if not _same(stored, expected):
            out.append(
                _problem(
                    ticket_id,
                    link,
                    "changed",
                    f"column {name} holds {stored!r} but the entry says {expected!r}",
                )
            )
    return out


def _same(column: Any, value: Any) -> bool:
    if isinstance(column, datetime):  # the entry keeps it as ISO text
        try:
            return isinstance(value, str) and datetime.fromisoformat(value) == column
        except ValueError:
            return False
    return bool(column == value)


def _swapped(ticket_id: str, mismatched: Sequence[Link]) -> list[Problem]:
    """Changed entries that hash right at another changed entry's position: moved contents."""
    suspects = mismatched[:MAX_PAIRS]
    out: list[Problem] = []
    for link in suspects:
        assert link.entry is not None
        for other in suspects:
            if other is not link and entry_hash(link.entry, other.prev_hash or "") == (
                other.entry_hash
            ):
                out.append(
                    _problem(
                        ticket_id,
                        link,
                        "reordered",
                        f"entry {link.seq} holds the entry written at position {other.seq}",
                    )
                )
    return out


def _gaps(ticket_id: str, links: Sequence[Link]) -> list[Problem]:
    out: list[Problem] = []
    expected = 1
    for link in links:
        if link.seq > expected:
            missing = (
                f"entry {expected} is"
                if link.seq == expected + 1
                else f"entries {expected}-{link.seq - 1} are"
            )
            out.append(
                Problem(ticket_id, expected, "removed", f"{missing} missing: removed from the log")
            )
        expected = link.seq + 1
    return out


def _reordered(ticket_id: str, links: Sequence[Link]) -> list[Problem]:
    """Follow the chain from its start by hash; entries it reaches out of seq order moved."""
    following: dict[str, list[Link]] = {}
    for link in links:
        if link.prev_hash is not None:
            following.setdefault(link.prev_hash, []).append(link)
    order: list[Link] = []
    cursor, seen = GENESIS, set()
    while (nxt := following.get(cursor)) and id(nxt[0]) not in seen:
        seen.add(id(nxt[0]))
        order.append(nxt[0])
        cursor = nxt[0].entry_hash or ""
    return [
        _problem(
            ticket_id,
            link,
            "reordered",
            f"entry {link.seq} is out of order: its chain puts it at position {i + 1}",
        )
        for i, link in enumerate(order)
        if links[i] is not link
    ]


def _breaks(ticket_id: str, links: Sequence[Link], moved: set[int | None]) -> list[Problem]:
    out: list[Problem] = []
    before: Link | None = None
    for link in links:
        expected_prev = before.entry_hash if before is not None else GENESIS
        explained = (
            link.prev_hash is None
            or link.seq in moved
            or (before is not None and before.seq in moved)
            or link.seq != (before.seq + 1 if before is not None else 1)  # a gap: "removed"
        )
        if link.prev_hash != expected_prev and not explained:
            if before is None:
                message = (
                    f"entry {link.seq} does not start the chain: earlier entries were removed "
                    "and the rest renumbered"
                )
            else:
                message = (
                    f"entry {link.seq} does not follow entry {before.seq}: an entry between "
                    f"them was removed and the rest renumbered, or entry {before.seq} was "
                    "rewritten with a new hash"
                )
            out.append(_problem(ticket_id, link, "broken", message))
        before = link
    return out


def _head(ticket_id: str, links: Sequence[Link], head: Head | None) -> list[Problem]:
    if head is None:
        return [
            Problem(
                ticket_id,
                None,
                "ticket",
                f"the ticket is gone but {len(links)} log entries remain: it was deleted",
            )
        ]
    if not links:
        return [Problem(ticket_id, None, "ticket", "the ticket has no log entries: removed")]
    last = links[-1]
    if last.entry is None:
        return []
    expected = (last.entry.get("version"), last.entry.get("to_state"))
    held = {
        "columns": (head.version, head.state),
        "record": (head.record_version, head.record_state),
    }
    wrong = [what for what, got in held.items() if got != expected]
    if not wrong:
        return []
    version, state = held[wrong[0]]
    message = (
        f"the ticket's {' and '.join(wrong)} say version {version} in {state!r}, but its last "
        f"log entry (#{last.seq}) says version {expected[0]} in {expected[1]!r}: entries after "
        "it were removed, or the ticket was edited"
    )
    return [Problem(ticket_id, None, "ticket", message, head.version)]
