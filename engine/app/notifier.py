"""The notifications worker: delivers the outbox to webhooks and to the log.

    routing = Routing.from_dict(yaml.safe_load(text))   or Routing.from_file(path)
    notifier = Notifier(store, routing)
    notifier.run_once() -> DeliveryReport               one pass (tests, cron)
    notifier.start() ... notifier.stop()                every `interval` seconds in a thread

Routing is configuration, never code: which channels a notification goes to depends on its
addressee (an actor id of the SOP, optionally with the scope value: "actor/VALUE") and, for
notifications a rule sends back on the channel a ticket came in on, on that channel's value:

    channels:
      ops-log: {type: log}
      team-hook: {type: webhook, url: "https://example.org/hook", secret_env: TEAM_HOOK_SECRET}
      # rotating: both secrets sign, the new one first
      # team-hook: {type: webhook, url: ..., secret_env: [TEAM_HOOK_SECRET_NEW, TEAM_HOOK_SECRET]}
    routes:
      actors: {some_actor: [team-hook, ops-log], "scoped_actor/CODE": [team-hook]}
      by_channel: {some_channel_value: [team-hook]}   # the notification's `channel`
      default: [ops-log]                              # anything not routed above
    delivery:
      retry_schedule: [5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours, 14 hours,
                       20 hours, 24 hours]                # the default (Standard Webhooks')
      timeout_seconds: 10
    # or, as before: {max_attempts: 8, backoff_seconds: 5, max_backoff_seconds: 3600}

A webhook gets a JSON POST of the notification (its stable `id` included), signed as Standard
Webhooks signs (`engine/app/signing.py`: `webhook-id`, `webhook-timestamp` and
`webhook-signature` over both and the body, one signature per secret of the channel), with
`Idempotency-Key: <id>` and `X-SOP-Notification-Id: <id>`; the old replayable
`X-SOP-Signature` only to a channel with `legacy_signature: true`. Any 2xx answer is a delivery;
a redirect is never followed (a 3xx is a failed attempt, its Location kept in the error);
anything else is retried after the waits of the retry schedule, one after each failed attempt,
and after the last the notification is dead-lettered (status "dead", last error kept): the
default schedule rides out a receiver outage of 75 h 35 min (a weekend; docs/operations.md).
`engine/app/dead_letters.py` sends dead letters again.
Delivery is at-least-once: each attempt is recorded in its own transaction after the send, a
channel that already took a notification is skipped on retries, and receivers drop duplicates
by id. Outgoing HTTP uses the standard library (urllib): no extra dependency for one POST.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.app.background import Background, PeriodicTask
from engine.app.signing import legacy_signature, signed_headers, signing_key
from engine.core.clock import Clock, SystemClock
from engine.core.model import Notification
from engine.spec.durations import parse_duration
from engine.store import Store
from engine.store.outbox import Claimed

__all__ = ["Answer", "Channel", "DeliveryReport", "Notifier", "Routing"]

log = logging.getLogger(__name__)
delivery_log = logging.getLogger("engine.app.notifier.log_channel")

LEGACY_SIGNATURE_HEADER = "X-SOP-Signature"

# The waits after each failed attempt, Standard Webhooks' example schedule: ten attempts over
# 75 h 35 min 5 s, so a receiver down from a Friday evening is reached again on the Monday.
# Before, 8 attempts 5 s apart doubling gave up after 10 min 35 s.
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)


@dataclass(frozen=True)
class Answer:
    """What a receiver answered: its HTTP status, and where a redirect pointed (never
    followed)."""

    status: int
    location: str | None = None


# (url, body, headers, timeout seconds) -> the answer; raises OSError on a network failure.
Transport = Callable[[str, bytes, dict[str, str], float], Answer]


@dataclass(frozen=True)
class Channel:
    name: str
    type: str  # "log" or "webhook"
    url: str = ""
    # The HMAC keys a webhook is signed with, the current one first (several while a secret is
    # rotated: each signs, and the receiver accepts any it knows).
    keys: tuple[bytes, ...] = field(default=(), repr=False)
    legacy_signature: bool = False  # also send the old, replayable X-SOP-Signature
    include_text: bool = True  # log channel: write the message text too


@dataclass(frozen=True)
class Routing:
    channels: dict[str, Channel]
    actors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_channel: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default: tuple[str, ...] = ("log",)
    # The wait after the 1st, 2nd... failed attempt; one attempt more than waits.
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    timeout_seconds: float = 10.0

    @property
    def max_attempts(self) -> int:
        return len(self.retry_schedule) + 1

    @classmethod
    def log_only(cls) -> Routing:
        return cls({"log": Channel("log", "log")})

    @classmethod
    def from_file(cls, path: str | Path, *, signing: bool = True) -> Routing:
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(yaml.safe_load(fh) or {}, source=str(path), signing=signing)

    @classmethod
    def from_dict(
        cls, doc: Mapping[str, Any], *, source: str = "notifications", signing: bool = True
    ) -> Routing:
        """Build and check a routing; every problem is reported at once as a ValueError.
        `signing` False: the routes only, for a reader that sends nothing (the secrets and
        their environment variables are not read; the webhooks get no keys)."""
        problems: list[str] = []
        channels = {"log": Channel("log", "log")}
        for name, spec in (doc.get("channels") or {}).items():
            channel = _channel(str(name), spec, problems, signing)
            if channel is not None:
                channels[str(name)] = channel
        routes = doc.get("routes") or {}
        actors = _route_map(routes.get("actors"), "routes.actors", problems)
        by_channel = _route_map(routes.get("by_channel"), "routes.by_channel", problems)
        default = _names(routes.get("default", ["log"]), "routes.default", problems)
        for where, names in [
            *((f"routes.actors.{k}", v) for k, v in actors.items()),
            *((f"routes.by_channel.{k}", v) for k, v in by_channel.items()),
            ("routes.default", default),
        ]:
            for n in names:
                if n not in channels:
                    known = ", ".join(sorted(channels))
                    problems.append(f"{where}: no channel {n!r} (defined: {known})")
        delivery = doc.get("delivery") or {}
        schedule = _retry_schedule(delivery, problems)
        timeout = _number(delivery, "timeout_seconds", 10.0, problems)
        if problems:
            raise ValueError(f"{source}: " + "; ".join(problems))
        return cls(channels, actors, by_channel, default, schedule, timeout)

    def route(self, note: Notification) -> tuple[Channel, ...]:
        """The channels `note` goes to: its channel value, else its addressee (scoped first),
        else the default."""
        names: tuple[str, ...] | None = None
        if note.channel is not None:
            names = self.by_channel.get(note.channel)
        if names is None and note.scope is not None:
            names = self.actors.get(f"{note.to}/{note.scope}")
        if names is None:
            names = self.actors.get(note.to)
        if names is None:
            names = self.default
        return tuple(self.channels[n] for n in names)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1, 2, ... below max_attempts)."""
        return timedelta(seconds=self.retry_schedule[max(attempts, 1) - 1])


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0


class Notifier(Background):
    def __init__(
        self,
        store: Store,
        routing: Routing | None = None,
        *,
        clock: Clock | None = None,
        transport: Transport | None = None,
        batch: int = 100,
        interval: float = 2.0,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self.store = store
        self.routing = routing or Routing.log_only()
        self.clock: Clock = clock or SystemClock()  # real time: retries wait in real seconds
        self.transport: Transport = transport or urllib_transport
        self.batch = batch
        self.lease = lease
        self._task = PeriodicTask("sop-notifier", self.run_once, interval)

    def run_once(self) -> DeliveryReport:
        report = DeliveryReport()
        while True:
            now = self.clock.now()
            with self.store.write() as tx:
                claimed = tx.claim_outbox(now, self.batch, self.lease)
            rest = list(claimed)
            while rest:
                if self._still_held(rest):
                    self._deliver(rest[0], report)
                rest.pop(0)
            if len(claimed) < self.batch or self.stopping:
                return report  # stopping: what is left waits for the next start

    def _still_held(self, rest: list[Claimed]) -> bool:
        """Before each delivery, once half the lease is spent, renew the lease of the rows not
        yet sent (`rest`, in place): a batch of slow posts outlived its lease and another
        server's notifier claimed and sent its last rows again. False when the next row's
        lease was lost all the same (the other worker sends it)."""
        now = self.clock.now()
        held = rest[0].leased_until
        if now < held - self.lease / 2:
            return True
        until = now + self.lease
        with self.store.write() as tx:
            kept = tx.renew_lease([c.outbox_id for c in rest], held, until)
        rest[:] = [replace(c, leased_until=until) if c.outbox_id in kept else c for c in rest]
        if rest[0].outbox_id not in kept:
            log.warning("notification %s: lease lost to another worker", rest[0].notification.id)
            return False
        return True

    def _deliver(self, item: Claimed, report: DeliveryReport) -> None:
        note = item.notification
        done = list(item.done_channels)
        errors: list[str] = []
        for channel in self.routing.route(note):
            if channel.name in done:
                continue
            try:
                self._send(channel, note, item.attempts + 1)
                done.append(channel.name)
            except Exception as exc:  # every failure of one channel is a retry, never a crash
                errors.append(f"{channel.name}: {exc}")
        now = self.clock.now()
        with self.store.write() as tx:
            if not errors:
                tx.outbox_delivered(item.outbox_id, done, now)
                report.delivered += 1
                return
            attempts = item.attempts + 1
            dead = attempts >= self.routing.max_attempts
            retry_at = None if dead else now + self.routing.backoff(attempts)
            tx.outbox_failed(item.outbox_id, done, "; ".join(errors), retry_at=retry_at)
        if dead:
            report.dead += 1
            log.error("notification %s dead after %d attempts: %s", note.id, attempts, errors)
        else:
            report.retried += 1
            log.warning("notification %s not delivered (attempt %d): %s", note.id, attempts, errors)

    def _send(self, channel: Channel, note: Notification, attempt: int) -> None:
        if channel.type == "log":
            text = f": {note.text}" if channel.include_text else ""
            delivery_log.info(
                "notification %s to %s (ticket %s)%s", note.id, note.to, note.ticket_id, text
            )
            return
        body = json.dumps(payload(note), separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "sop-engine-notifier",
            **signed_headers(channel.keys, note.id, self.clock.now(), body),
            "Idempotency-Key": note.id,
            "X-SOP-Notification-Id": note.id,
            "X-SOP-Attempt": str(attempt),
        }
        if channel.legacy_signature:
            headers[LEGACY_SIGNATURE_HEADER] = legacy_signature(channel.keys[0], body)
        answer = self.transport(channel.url, body, headers, self.routing.timeout_seconds)
        if 300 <= answer.status < 400:
            raise OSError(
                f"HTTP {answer.status} from {channel.url}: redirect to "
                f"{(answer.location or '(no Location)')[:500]} not followed "
                "(webhooks never follow redirects; put the new address in the channel's url)"
            )
        if not 200 <= answer.status < 300:
            raise OSError(f"HTTP {answer.status} from {channel.url}")


def payload(note: Notification) -> dict[str, Any]:
    """The JSON body a webhook receives: the notification, with its stable id."""
    created: datetime | None = note.created
    return {
        "id": note.id,
        "ticket_id": note.ticket_id,
        "to": note.to,
        "scope": note.scope,
        "channel": note.channel,
        "template": note.template,
        "text": note.text,
        "rule": note.rule,
        "escalation": note.escalation,
        "created": created.isoformat() if created else None,
    }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """urllib follows a 301/302/303 by sending a body-less GET to the Location, with the
    signature headers, and would call the GET's 200 a delivery. A webhook never follows: the
    3xx comes back as an HTTPError, i.e. a failed attempt (Standard Webhooks: "3xx: Failure")."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_RefuseRedirects)


def urllib_transport(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(int(response.status))
    except urllib.error.HTTPError as exc:
        location = exc.headers.get("Location") if exc.headers else None
        exc.close()
        return Answer(int(exc.code), location)


# -- configuration checks -------------------------------------------------------------------------

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "calendar_days": 86400}
_EXPONENTIAL = ("max_attempts", "backoff_seconds", "max_backoff_seconds")


def _retry_schedule(delivery: Mapping[str, Any], problems: list[str]) -> tuple[float, ...]:
    """`retry_schedule` (durations, or numbers of seconds), or the exponential form read
    before (`max_attempts`, `backoff_seconds` doubled up to `max_backoff_seconds`) turned into
    the same waits; neither: the default."""
    given = [k for k in _EXPONENTIAL if k in delivery]
    if "retry_schedule" not in delivery:
        if not given:
            return DEFAULT_RETRY_SCHEDULE
        attempts = int(_number(delivery, "max_attempts", 8, problems, whole=True))
        first = _number(delivery, "backoff_seconds", 5.0, problems)
        cap = _number(delivery, "max_backoff_seconds", 3600.0, problems)
        return tuple(min(first * 2**i, cap) for i in range(attempts - 1))
    if given:
        problems.append(
            f"delivery: give retry_schedule or {', '.join(given)} (the older exponential "
            "form), not both"
        )
        return DEFAULT_RETRY_SCHEDULE
    raw = delivery["retry_schedule"]
    if not isinstance(raw, list):
        problems.append(
            "delivery.retry_schedule: must be a list of waits, e.g. [5 seconds, 5 minutes, 2 hours]"
        )
        return DEFAULT_RETRY_SCHEDULE
    waits: list[float] = []
    for i, item in enumerate(raw):
        wait = _wait_seconds(item)
        if wait is None:
            problems.append(
                f"delivery.retry_schedule[{i}]: {item!r} is not a wait; write seconds, minutes, "
                "hours or days (e.g. 30 seconds, 2 hours, 1 day) or a number of seconds"
            )
        else:
            waits.append(wait)
    return tuple(waits)


def _wait_seconds(item: Any) -> float | None:
    if isinstance(item, int | float) and not isinstance(item, bool):
        return float(item) if item > 0 else None
    if not isinstance(item, str):
        return None
    try:
        duration = parse_duration(item)
    except ValueError:
        return None
    if duration.office or duration.unit not in _SECONDS:
        return None  # working days and office hours need a calendar; delivery has none
    return duration.amount * _SECONDS[duration.unit]


def _channel(name: str, spec: Any, problems: list[str], signing: bool) -> Channel | None:
    where = f"channels.{name}"
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: must be a mapping with a `type` (log or webhook)")
        return None
    kind = spec.get("type")
    if kind == "log":
        return Channel(name, "log", include_text=bool(spec.get("include_text", True)))
    if kind != "webhook":
        problems.append(f"{where}.type: {kind!r} is not a channel type; use log or webhook")
        return None
    url = str(spec.get("url") or "")
    if not url.startswith(("http://", "https://")):
        problems.append(f"{where}.url: give the webhook's http:// or https:// URL")
    keys = _keys(spec, where, problems) if signing else ()
    if signing and not keys:
        return None
    legacy = spec.get("legacy_signature", False)
    if not isinstance(legacy, bool):
        problems.append(f"{where}.legacy_signature: must be true or false, got {legacy!r}")
    return Channel(name, "webhook", url=url, keys=keys, legacy_signature=legacy is True)


def _keys(spec: Mapping[str, Any], where: str, problems: list[str]) -> tuple[bytes, ...]:
    """The signing keys of `secret` (one secret or a list) or else of `secret_env` (one
    environment variable's name or a list): the first signs the legacy header."""
    if spec.get("secret") is not None:
        origin, values = "secret", spec["secret"]
        named = [(f"{where}.secret", v) for v in _listed(values)]
    elif spec.get("secret_env"):
        origin = "secret_env"
        named = []
        for env in _listed(spec["secret_env"]):
            value = os.environ.get(str(env))
            if not value:
                problems.append(f"{where}.secret_env: environment variable {env} is empty")
                return ()
            named.append((f"{where}.secret_env: {env}", value))
    else:
        problems.append(f"{where}: give `secret` or `secret_env` (the HMAC signing key)")
        return ()
    if not named:
        problems.append(f"{where}.{origin}: give at least one secret")
        return ()
    keys: list[bytes] = []
    for label, value in named:
        if not isinstance(value, str) or not value:
            problems.append(f"{label}: a secret must be a non-empty string")
            return ()
        try:
            keys.append(signing_key(value))
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
            return ()
    return tuple(keys)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _names(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(f"{where}: must be a channel name or a list of channel names")
    return ()


def _route_map(value: Any, where: str, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must map names to channel lists")
        return {}
    return {str(k): _names(v, f"{where}.{k}", problems) for k, v in value.items()}


def _number(
    doc: Mapping[str, Any], key: str, default: float, problems: list[str], *, whole: bool = False
) -> float:
    value = doc.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if ok and whole and not float(value).is_integer():
        ok = False
    if not ok:
        kind = "a whole number" if whole else "a number"
        problems.append(f"delivery.{key}: must be {kind} greater than 0, got {value!r}")
        return default
    return int(value) if whole else float(value)
