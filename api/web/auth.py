"""Who is reading a page: a signed-in browser's session, or the API's bearer token.

A page accepts (first found) `Authorization: Bearer`, as the API does (scripts, screenshots),
or the session cookie the login form sets (api.web.session: signed, expiring, naming the token
without holding it; HttpOnly, SameSite=Lax, path /web, `Secure` when the request came over
https, directly or through the trusted proxies of SOP_TRUSTED_PROXIES). A token in the address
(`?token=`) is never read: the page answers with a redirect to the same address without it
and touches no cookie. A page without a reader redirects to /web/login and back after sign-in;
`next` is only ever a path of these pages. Every POST to the pages (sign-in, sign-out) carries
a CSRF token. In dev mode (`sop serve --dev`) there is no authentication, as for the API.
Roles, scopes and masking are the API's own (api.auth).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from api.auth import DEV_PRINCIPAL, Principal
from api.views.common import runtime
from api.web.session import SESSION_COOKIE, Session, check_csrf, keys, signed_in

PUBLIC = frozenset({"web.login", "web.static", "web.vendor", "web.root"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
URL_TOKEN = "token"  # the query parameter older versions signed in with
LEGACY_COOKIE = "sop_token"  # older versions kept the raw token in it: removed on sight


def set_session_cookie(resp: BaseResponse, value: str) -> BaseResponse:
    resp.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=keys().max_age,
        path="/web",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return resp


def end_session(resp: BaseResponse) -> BaseResponse:
    resp.delete_cookie(
        SESSION_COOKIE, path="/web", httponly=True, samesite="Lax", secure=request.is_secure
    )
    return resp


def without_token() -> str:
    """This request's path and query, less any `token` parameter."""
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != URL_TOKEN]
    return request.path + (f"?{urlencode(rest)}" if rest else "")


def safe_next(target: str | None) -> str:
    """Only a path of these pages: never another site (an open redirect), never a token."""
    fallback = url_for("web.index")
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return fallback
    if "//" in target or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (parts.path == "/web" or parts.path.startswith("/web/")):
        return fallback
    if any(k == URL_TOKEN for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return fallback
    return target


def _reader() -> tuple[Principal | None, Session | None]:
    registry = runtime().tokens
    if registry is None:
        return DEV_PRINCIPAL, None
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return registry.lookup(value.strip()), None
    session = signed_in(request.cookies.get(SESSION_COOKIE))
    return (session.principal if session else None), session


def authenticate() -> BaseResponse | None:
    """Set `g.principal` (and `g.web_session`), or answer with a redirect."""
    if URL_TOKEN in request.args:
        return redirect(without_token(), 303)
    if request.endpoint in PUBLIC:
        return None  # the login view checks its own form's CSRF token
    principal, session = _reader()
    if principal is None:
        resp = redirect(url_for("web.login", next=without_token()))
        return end_session(resp) if SESSION_COOKIE in request.cookies else resp
    g.principal, g.web_session = principal, session
    if request.method not in SAFE_METHODS:
        check_csrf(request.form)
    return None


def after(resp: BaseResponse) -> BaseResponse:
    """A page read with a token is not kept by the browser's or a proxy's cache, and an older
    version's raw-token cookie is removed."""
    if request.endpoint not in PUBLIC or request.endpoint == "web.login":
        resp.headers["Cache-Control"] = "no-store"
    if LEGACY_COOKIE in request.cookies:
        resp.delete_cookie(LEGACY_COOKIE, path="/web")
    return resp
