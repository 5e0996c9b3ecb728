"""Two notifiers on one outbox (two servers): a delivery pass slower than the lease keeps its
claim, so the other notifier does not send the same notifications again."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

from engine.app.notifier import Answer, Notifier
from tests.integration.store.webhooks import enqueue, routing, statuses

POST_SECONDS = 0.3
LEASE = timedelta(seconds=0.5)  # shorter than the batch takes (5 x 0.3 s), as 100 slow posts


def test_a_slow_pass_renews_its_lease_so_no_notification_is_sent_twice(store, build) -> None:
    ids = enqueue(store, build, *({"to": "clerk"} for _ in range(5)))
    sent: list[str] = []
    lock = threading.Lock()

    def slow(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        time.sleep(POST_SECONDS)
        with lock:
            sent.append(headers["webhook-id"])
        return Answer(200)

    slow_one = Notifier(store, routing("http://hooks.invalid"), transport=slow, lease=LEASE)
    other = Notifier(store, routing("http://hooks.invalid"), transport=slow, lease=LEASE)
    first = threading.Thread(target=slow_one.run_once)
    first.start()
    time.sleep(0.05)  # the slow pass has claimed all five
    while first.is_alive():  # the other server's notifier keeps polling meanwhile
        other.run_once()
        time.sleep(0.05)
    first.join()
    assert [i for i, n in Counter(sent).items() if n > 1] == []
    assert sorted(sent) == sorted(ids)
    assert set(statuses(store).values()) == {("delivered", 1)}
