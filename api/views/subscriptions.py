"""POST/GET /v1/admin/subscriptions, DELETE /v1/admin/subscriptions/{id}: the change feed's
webhook subscribers (admin tokens only; engine.app.subscriptions, api.feed_webhooks)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from api.auth import require_admin
from api.schemas.subscriptions import (
    SubscriptionCreateSchema,
    SubscriptionListSchema,
    SubscriptionSchema,
)
from api.views.common import dump, load_body, runtime
from api.views.operation import operation
from api.workers import wake_notifier
from engine.store.subscriptions import Subscription

bp = Blueprint("subscriptions", __name__)

MANAGE = "manage subscriptions"


def _view(sub: Subscription, *, secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": sub.id,
        "url": sub.url,
        "role": sub.role,
        "sop": sub.sop_id,
        "type": sub.event,
        "scope": ":".join(sub.scope) if sub.scope else None,
        "cursor": sub.cursor,
        "attempts": sub.attempts,
        "next_attempt_at": sub.next_attempt_at,
        "last_error": sub.last_error,
        "created": sub.created,
    }
    if secret:
        out["secret"] = sub.secret
    return out


@bp.post("/admin/subscriptions")
@operation(
    "admin",
    body=SubscriptionCreateSchema,
    response=SubscriptionSchema,
    status=201,
    errors=(403, 422),
    refusals=((422, "invalid_data", "`url` is not an http or https address"),),
)
def add_subscription() -> Response:
    """Subscribe a webhook to the change feed (admin).

    Each change (GET /v1/changes) after the subscription's start, narrowed by `sop`, `type`
    and `scope`, is POSTed to `url` as a structured CloudEvent, in order, one at a time,
    masked for `role`, signed with the `secret` this answer holds (Standard Webhooks:
    `webhook-id` is the CloudEvent's id, stable across retries and restarts). A failed
    delivery is retried, never skipped. The secret is shown here only.
    """
    require_admin(MANAGE)
    body = load_body(SubscriptionCreateSchema)
    scope = body["scope"].split(":", 1) if body["scope"] else None
    sub = runtime().subscriptions.add(
        body["url"],
        body["role"],
        sop_id=body["sop"],
        event=body["type"],
        scope=(scope[0], scope[1]) if scope else None,
        from_start=body["from_start"],
    )
    wake_notifier()
    return dump(
        SubscriptionSchema,
        _view(sub, secret=True),
        201,
        {"Location": f"/v1/admin/subscriptions/{sub.id}"},
    )


@bp.get("/admin/subscriptions")
@operation("admin", response=SubscriptionListSchema, errors=(403,))
def list_subscriptions() -> Response:
    """The change feed's subscribers (admin).

    Each with how far it has taken the feed (`cursor`) and, while its subscriber fails, the
    failed attempts, the last error and when the next attempt is. No secrets.
    """
    require_admin(MANAGE)
    items = [_view(s) for s in runtime().subscriptions.listed()]
    return dump(SubscriptionListSchema, {"items": items})


@bp.delete("/admin/subscriptions/<sub_id>")
@operation("admin", status=204, errors=(403, 404))
def remove_subscription(sub_id: str) -> Response:
    """End a subscription (admin).

    Nothing more is sent to it; a delivery under way may still arrive.
    """
    require_admin(MANAGE)
    runtime().subscriptions.remove(sub_id)
    return Response(status=204)
