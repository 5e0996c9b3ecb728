"""A browser's sign-in: a signed, expiring cookie that names a token and never holds it.

    WebKeys(key, hours)          built once per app (api.bootstrap), in app.extensions["sop_web"]
    begin(principal) -> str      the session cookie's value, once the login form checked a token
    begin_account(account) -> str   the same, once it checked a personal account's password
    signed_in(value) -> Session  who a session cookie signs in now; None when it is forged,
                                 expired, or its token was removed or rotated since
    csrf_token() -> str          the hidden `csrf` field of every form a page POSTs
    check_csrf(form)             raises Forbidden unless a POST carries the right one

The session cookie (`sop_session`) is itsdangerous' signed, timestamped value (HMAC-SHA256 with
the key of `api.config.web_session_key`) of {token name, token fingerprint, nonce}. The
fingerprint is an HMAC of the token's stored sha256, so rotating the secret or removing the
entry in the tokens file ends every session of it at the next request; the cookie is useless
on /v1 (api.auth reads only `Authorization: Bearer`). The nonce keys the session's CSRF token.

A personal account's session (engine.app.accounts) is the same cookie naming the account's
login instead: {login, password fingerprint, nonce}. The fingerprint is an HMAC of the
password's argon2 hash (its salt changes with every new password), so a reset password, a
disabled or removed account ends its sessions at the next request; its roles, actors and scope
are read from the store at each request, so changes apply to open sessions.

The login form has no session yet, so it carries its own CSRF pair: a random value in the
`sop_login` cookie and, in the form, that value signed with a time (valid LOGIN_FORM_SECONDS).
A cross-site page can make a browser POST the form but can neither read nor set that cookie,
so it cannot sign a victim in under the attacker's token. Requests the browser marks
`Sec-Fetch-Site: cross-site` are refused before any check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict

from api.auth import Principal, account_principal
from api.errors import Forbidden
from api.views.common import runtime
from engine.app.accounts import Account

SESSION_COOKIE = "sop_session"
LOGIN_COOKIE = "sop_login"
LOGIN_FORM_SECONDS = 3600
CSRF_FIELD = "csrf"
CSRF_REFUSED = (
    "Formulir ini tidak berasal dari halaman ini atau sudah kedaluwarsa: muat ulang halaman "
    "lalu kirim lagi."
)


@dataclass(frozen=True)
class Session:
    principal: Principal
    nonce: str


class WebKeys:
    """The signing key and session length of one app."""

    def __init__(self, key: bytes, hours: float) -> None:
        self.key = key
        self.max_age = int(hours * 3600)
        signer = {"digest_method": hashlib.sha256}
        self.sessions = URLSafeTimedSerializer(key, salt="sop-web-session", signer_kwargs=signer)
        self.login_forms = URLSafeTimedSerializer(key, salt="sop-web-login", signer_kwargs=signer)

    def mac(self, purpose: str, value: str) -> str:
        message = f"{purpose}:{value}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]


def keys() -> WebKeys:
    return current_app.extensions["sop_web"]  # type: ignore[no-any-return]


def begin(principal: Principal) -> str:
    k = keys()
    payload = {
        "t": principal.name,
        "f": k.mac("token", principal.token_sha256),
        "n": secrets.token_urlsafe(16),
    }
    return k.sessions.dumps(payload)


def begin_account(account: Account) -> str:
    k = keys()
    payload = {
        "u": account.login,
        "f": k.mac("account", account.password_mark),
        "n": secrets.token_urlsafe(16),
    }
    return k.sessions.dumps(payload)


def signed_in(value: str | None) -> Session | None:
    registry = runtime().tokens
    if not value or registry is None:
        return None
    k = keys()
    try:
        payload: Any = k.sessions.loads(value, max_age=k.max_age)
        if "u" in payload:
            return _account_session(str(payload["u"]), str(payload["f"]), str(payload["n"]))
        name, fingerprint, nonce = payload["t"], payload["f"], payload["n"]
    except (BadData, KeyError, TypeError):
        return None
    principal = registry.named(str(name))
    if principal is None:
        return None
    if not hmac.compare_digest(str(fingerprint), k.mac("token", principal.token_sha256)):
        return None
    return Session(principal, str(nonce))


def _account_session(login: str, fingerprint: str, nonce: str) -> Session | None:
    account = runtime().accounts.get(login)
    if account is None or account.disabled:
        return None
    if not hmac.compare_digest(fingerprint, keys().mac("account", account.password_mark)):
        return None
    return Session(account_principal(account), nonce)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(16)


def login_csrf(nonce: str) -> str:
    return keys().login_forms.dumps(nonce)


def csrf_token() -> str:
    """The `csrf` value of this page's forms: of the session, or of the login form."""
    session: Session | None = g.get("web_session")
    if session is not None:
        return keys().mac("csrf", session.nonce)
    nonce = g.get("login_nonce")
    return login_csrf(nonce) if nonce else ""


def check_csrf(form: MultiDict[str, str]) -> None:
    """A POST to the pages must come from one of them: same site, with this browser's token."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Forbidden(CSRF_REFUSED)
    sent = form.get(CSRF_FIELD, "")
    session: Session | None = g.get("web_session")
    if session is not None:
        if not hmac.compare_digest(sent, keys().mac("csrf", session.nonce)):
            raise Forbidden(CSRF_REFUSED)
        return
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    try:
        signed = keys().login_forms.loads(sent, max_age=LOGIN_FORM_SECONDS)
    except BadData:
        raise Forbidden(CSRF_REFUSED) from None
    if not nonce or not hmac.compare_digest(str(signed), nonce):
        raise Forbidden(CSRF_REFUSED)
