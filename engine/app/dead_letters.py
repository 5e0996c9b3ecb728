"""Dead letters: notifications the notifier gave up on, listed and sent again.

    result = redeliver(store, routing, asked_by="admin", ticket_id="T1")      or ids=[...],
             channel="team-hook", everything=True; dry_run=True only lists them

A redelivery puts each matching dead letter back in the queue (pending, attempts at 0, due now),
so the notifier tries it again with the whole retry schedule ahead of it; a channel that took
it before is still skipped. Who asked, and what, goes to the log. `sop notifications retry`
and `POST /v1/admin/notifications/redeliver` call this.

`channel` is a channel of the notification config (`channels:`, e.g. team-hook): the dead
letters that channel has not taken. Without the config (`routing` None) which channels failed
is not known, and `channel` cannot be used.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.app.notifier import Routing
from engine.errors import InvalidRedelivery
from engine.store import Store
from engine.store.outbox import DeadLetter

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Letter:
    """A dead letter as an operator sees it: no message text (it may hold personal data)."""

    id: str
    ticket_id: str
    to: str
    rule: str
    attempts: int
    failed_channels: tuple[str, ...] | None  # None: not known without the notify config
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "to": self.to,
            "rule": self.rule,
            "attempts": self.attempts,
            "failed_channels": None if self.failed_channels is None else list(self.failed_channels),
            "last_error": self.last_error,
        }


@dataclass
class Redelivery:
    letters: list[Letter] = field(default_factory=list)  # redelivered (listed, on a dry run)
    not_dead: dict[str, str] = field(default_factory=dict)  # an id asked for -> its status
    remaining: int = 0  # dead letters that matched beyond the limit, left dead
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "redelivered": 0 if self.dry_run else len(self.letters),
            "items": [letter.as_dict() for letter in self.letters],
            "not_dead": dict(self.not_dead),
            "remaining": self.remaining,
        }


def redeliver(
    store: Store,
    routing: Routing | None,
    *,
    asked_by: str,
    now: datetime,
    ids: Sequence[str] | None = None,
    ticket_id: str | None = None,
    channel: str | None = None,
    everything: bool = False,
    dry_run: bool = False,
    limit: int | None = None,
) -> Redelivery:
    """Send the matching dead letters again (at most `limit`, oldest first); every filter
    given must hold. Raises InvalidRedelivery, changing nothing, when none is given and not
    `everything`, or `channel` is not a channel of `routing`."""
    _check(routing, ids, ticket_id, channel, everything)
    result = Redelivery(dry_run=dry_run)
    found: list[DeadLetter] = []
    after = 0
    while True:
        with store.read() as tx:
            batch = tx.dead_letters(
                after=after, limit=BATCH, ids=_or_none(ids), ticket_id=ticket_id
            )
        for dead in batch:
            letter = _letter(dead, routing)
            if channel is not None and channel not in (letter.failed_channels or ()):
                continue
            if limit is not None and len(found) >= limit:
                result.remaining += 1
                continue
            found.append(dead)
            result.letters.append(letter)
        if len(batch) < BATCH:
            break
        after = batch[-1].outbox_id
    if ids:
        with store.read() as tx:
            statuses = tx.delivery_statuses(list(ids))
        dead_ids = {letter.id for letter in result.letters}
        result.not_dead = {
            i: statuses.get(i, "unknown") for i in dict.fromkeys(ids) if i not in dead_ids
        }
    if dry_run or not found:
        return result
    done = 0
    for start in range(0, len(found), BATCH):
        with store.write() as tx:
            done += tx.redeliver([d.outbox_id for d in found[start : start + BATCH]], now)
    asked = _filters(ids, ticket_id, channel)
    shown = ", ".join(letter.id for letter in result.letters[:20])
    more = f" and {len(result.letters) - 20} more" if len(result.letters) > 20 else ""
    log.warning(
        "redelivery asked by %s (%s): %d dead letter(s) queued again, attempts reset: %s%s",
        asked_by,
        asked,
        done,
        shown,
        more,
    )
    return result


def _check(
    routing: Routing | None,
    ids: Sequence[str] | None,
    ticket_id: str | None,
    channel: str | None,
    everything: bool,
) -> None:
    if not (ids or ticket_id or channel or everything):
        raise InvalidRedelivery(
            "name the dead letters to redeliver: by id, ticket or channel, or all of them",
            errors={"all": ["give ids, ticket or channel, or all: true"]},
        )
    if channel is None:
        return
    if routing is None:
        raise InvalidRedelivery(
            "which channels a dead letter failed on is in the notification config: give it "
            "to filter by channel",
            errors={"channel": ["needs the notification config"]},
        )
    if channel not in routing.channels:
        known = ", ".join(sorted(routing.channels))
        raise InvalidRedelivery(
            f"no channel {channel!r} in the notification config (defined: {known})",
            errors={"channel": [f"not a channel of the notification config: {known}"]},
        )


def _letter(dead: DeadLetter, routing: Routing | None) -> Letter:
    note = dead.notification
    failed = (
        None
        if routing is None
        else tuple(c.name for c in routing.route(note) if c.name not in dead.done_channels)
    )
    return Letter(
        note.id, note.ticket_id, note.to, note.rule, dead.attempts, failed, dead.last_error
    )


def _or_none(ids: Sequence[str] | None) -> list[str] | None:
    return list(ids) if ids else None


def _filters(ids: Sequence[str] | None, ticket_id: str | None, channel: str | None) -> str:
    parts = []
    if ids:
        parts.append(f"{len(ids)} id(s)")
    if ticket_id:
        parts.append(f"ticket {ticket_id}")
    if channel:
        parts.append(f"channel {channel}")
    return ", ".join(parts) or "all"
