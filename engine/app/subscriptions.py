"""Webhook subscriptions to the change feed (GET /v1/changes), managed by an admin.

    subs = Subscriptions(store, roles=api.auth.ROLES)
    subs.add(url, role, sop_id=, event=, scope=, from_start=False) -> Subscription (with its
                                          secret: shown once, to the admin who made it)
    subs.listed() / subs.get(id) / subs.remove(id)

A subscription is a cursor in the feed: its deliverer (api.feed_webhooks) POSTs each change
after it, in order, one at a time, and moves the cursor only once the subscriber answered
2xx, in its own transaction; the events table is the outbox (a change exists exactly when
its event committed). So every change reaches the subscriber, in the feed's order, at least
once, with a CloudEvents id that never changes (a receiver drops what it already took). A
failed delivery is tried again after the waits of the notifier's retry schedule, the last
wait repeating: a change is never skipped, so a subscriber down for days finds it all.
Payloads are masked for the subscription's `role` as a token of that role reads the feed;
`scope` narrows it as a scoped token's feed is narrowed.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import replace
from urllib.parse import urlsplit

from engine.app.changes import SETTLE
from engine.app.signing import new_secret
from engine.errors import InvalidData, NotFound
from engine.store import Store
from engine.store.changes import SCAN
from engine.store.store import wall_now
from engine.store.subscriptions import Subscription

__all__ = ["Subscription", "Subscriptions"]


class Subscriptions:
    def __init__(self, store: Store, *, roles: Collection[str]) -> None:
        self.store = store
        self.roles = tuple(roles)

    def add(
        self,
        url: str,
        role: str,
        *,
        sop_id: str | None = None,
        event: str | None = None,
        scope: tuple[str, str] | None = None,
        from_start: bool = False,
    ) -> Subscription:
        _check_url(url)
        if role not in self.roles:
            raise InvalidData(
                f"role {role!r} is not one of {', '.join(self.roles)}",
                errors={"role": [f"one of {', '.join(self.roles)}"]},
            )
        now = wall_now()
        sub = Subscription(
            id="sub_" + secrets.token_hex(8),
            url=url,
            secret=new_secret(),
            role=role,
            sop_id=sop_id,
            event=event,
            scope=scope,
            cursor=0,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created=now,
        )
        with self.store.write() as tx:
            if not from_start:  # new changes only: from the feed's settled end now
                tail = max(0, tx.last_change() - SCAN)
                sub = replace(sub, cursor=tx.settled_upto(tail, now, SETTLE))
            tx.insert_subscription(sub)
        return sub

    def listed(self) -> list[Subscription]:
        with self.store.read() as tx:
            return tx.subscriptions()

    def get(self, sub_id: str) -> Subscription:
        with self.store.read() as tx:
            found = tx.subscription(sub_id)
        if found is None:
            raise NotFound(f"no subscription {sub_id!r}", subscription=sub_id)
        return found

    def remove(self, sub_id: str) -> None:
        with self.store.write() as tx:
            if not tx.delete_subscription(sub_id):
                raise NotFound(f"no subscription {sub_id!r}", subscription=sub_id)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
        raise InvalidData(
            f"url must be an http(s) address of at most 2000 characters, not {url[:100]!r}",
            errors={"url": ["an http or https address"]},
        )
