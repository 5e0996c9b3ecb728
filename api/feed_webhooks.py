"""The change feed's webhooks: each subscription's changes POSTed to it, in order.

    FeedWebhooks(runtime, interval=1.0, transport=urllib_transport)
    .run_once() -> int        changes delivered in one pass over the due subscriptions
    .start() / .stop() / .wake()                               (engine.app.background)

For each subscription that is due and not leased by another process (engine.store
.subscriptions), the changes after its cursor (engine.app.changes, narrowed by its SOP, event
and scope) are sent one at a time as structured CloudEvents (`application/cloudevents+json`),
masked for its role, signed as Standard Webhooks signs (engine.app.signing: `webhook-id` is
the CloudEvent's id). Each 2xx moves the cursor in its own transaction; the first failure
(network, timeout, a non-2xx, a redirect: never followed) ends the subscription's pass and
schedules the next attempt after the notifier's retry waits, the last one repeating. It lives
in api/ because the payload is the API's own presentation of a change (api.present.changes).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from api.auth import PERSONAL_DATA_ROLES
from api.present.changes import cloud_event
from api.present.tickets import Reader, reader_maskers
from api.runtime import Runtime
from engine.app.background import Background, PeriodicTask
from engine.app.changes import changes
from engine.app.notifier import DEFAULT_RETRY_SCHEDULE, Transport, urllib_transport
from engine.app.signing import signed_headers, signing_key
from engine.store.store import wall_now
from engine.store.subscriptions import Subscription

log = logging.getLogger(__name__)

BATCH = 100  # changes read per subscription per pass
LEASE = timedelta(minutes=5)  # longer than a batch of deliveries at the timeout below
TIMEOUT = 10.0


class FeedWebhooks(Background):
    def __init__(
        self,
        runtime: Runtime,
        *,
        interval: float = 1.0,
        transport: Transport = urllib_transport,
        retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE,
    ) -> None:
        self.runtime = runtime
        self.transport = transport
        self.retry_schedule = retry_schedule
        self._task = PeriodicTask("sop-feed-webhooks", self.run_once, interval)

    def run_once(self) -> int:
        sent = 0
        for sub in self.runtime.subscriptions.listed():
            now = wall_now()
            if sub.next_attempt_at > now:
                continue
            with self.runtime.store.write() as tx:
                if not tx.claim_subscription(sub.id, now, now + LEASE):
                    continue
            sent += self._deliver(sub)
        return sent

    def _deliver(self, sub: Subscription) -> int:
        service = self.runtime.service
        page = changes(
            service,
            after=sub.cursor,
            limit=BATCH,
            sop_id=sub.sop_id,
            event=sub.event,
            scope={sub.scope[0]: sub.scope[1]} if sub.scope else None,
        )
        who = Reader(sees_personal_data=sub.role in PERSONAL_DATA_ROLES)
        masks = reader_maskers(service, page.records.values(), who)
        keys = (signing_key(sub.secret),)
        cursor = sub.cursor
        for change in page.items:
            ticket_id = change["ticket_id"]
            event = cloud_event(change, page.records[ticket_id], who, masks[ticket_id])
            body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
            headers = {
                "Content-Type": "application/cloudevents+json",
                "User-Agent": "sop-engine-feed",
                **signed_headers(keys, event["id"], wall_now(), body),
            }
            try:
                answer = self.transport(sub.url, body, headers, TIMEOUT)
                if not 200 <= answer.status < 300:
                    raise OSError(f"HTTP {answer.status} from {sub.url}")
            except OSError as exc:
                done = page.items.index(change)
                self._failed(sub, cursor, str(exc), 1 if done else sub.attempts + 1)
                return done
            cursor = int(change["cursor"])
            self._moved(sub, cursor, release=False)
        self._moved(sub, max(cursor, page.next_cursor), release=True)
        return len(page.items)

    def _moved(self, sub: Subscription, cursor: int, *, release: bool) -> None:
        with self.runtime.store.write() as tx:
            tx.subscription_moved(
                sub.id,
                cursor=cursor,
                attempts=0,
                next_attempt_at=wall_now(),
                error=None,
                release=release,
            )

    def _failed(self, sub: Subscription, cursor: int, error: str, attempts: int) -> None:
        wait = self.retry_schedule[min(attempts, len(self.retry_schedule)) - 1]
        log.warning("subscription %s: delivery failed (attempt %d): %s", sub.id, attempts, error)
        with self.runtime.store.write() as tx:
            tx.subscription_moved(
                sub.id,
                cursor=cursor,
                attempts=attempts,
                next_attempt_at=wall_now() + timedelta(seconds=wait),
                error=error[:2000],
                release=True,
            )
