"""Webhook signatures as Standard Webhooks (https://www.standardwebhooks.com) makes them.

    key = signing_key("whsec_...")                  a channel's secret -> the HMAC key
    headers = signed_headers(keys, msg_id, at, body)   webhook-id, -timestamp, -signature
    new_secret()                                    "whsec_" + base64 of 32 random bytes

A webhook carries `webhook-id` (the notification's stable id), `webhook-timestamp` (the
attempt's time, whole Unix seconds) and `webhook-signature`: "v1," + base64(HMAC-SHA256(key,
f"{id}.{timestamp}.{body}")), one per key, space-separated (several while a secret is being
rotated). The timestamp is inside the signature, so a receiver that refuses timestamps older
than its tolerance window (5 minutes in the reference libraries) cannot be fed a recorded
request again later: before, the signature covered the body alone and a replay verified.

Secrets: "whsec_" + base64 of 24 to 64 random bytes, as the specification serializes them (the
key is the decoded bytes). A secret without the prefix, as configured before, is used as it is:
its UTF-8 bytes are the key, i.e. it equals "whsec_" + base64(secret) for a receiver's library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

SECRET_PREFIX = "whsec_"
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64  # the specification's bounds for a symmetric secret
NEW_KEY_BYTES = 32


def signing_key(secret: str) -> bytes:
    """The HMAC key a configured secret stands for; ValueError (never quoting the secret) when
    a whsec_ secret is not base64 of 24 to 64 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise ValueError("the whsec_ secret is not base64 after its prefix") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(
            f"the whsec_ secret decodes to {len(key)} bytes; give {MIN_KEY_BYTES} to "
            f"{MAX_KEY_BYTES} random bytes (`sop notifications secret` makes one)"
        )
    return key


def signature(keys: Sequence[bytes], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one "v1,<base64>" per key, space-separated."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for key in keys
    )


def signed_headers(keys: Sequence[bytes], msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt made at `at`."""
    timestamp = int(at.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(keys, msg_id, timestamp, body),
    }


def legacy_signature(key: bytes, body: bytes) -> str:
    """The old `X-SOP-Signature` value: "sha256=" + hex HMAC of the body alone (replayable:
    sent only to channels configured with `legacy_signature: true`)."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def new_secret() -> str:
    """A fresh secret in the specification's form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(NEW_KEY_BYTES)).decode()
