"""Who is reading a page: the API's tokens, carried for a browser as a cookie.

A browser cannot send `Authorization: Bearer`, so a page accepts the token from (first found):
the Authorization header, the `sop_token` cookie, or `?token=` once (the page then sets the
cookie and redirects to the same address without the token, so it does not stay in the
history or the server's access log). `/web/login` is a small form that sets the cookie;
`/web/logout` clears it. The cookie is HttpOnly, SameSite=Strict, Secure on https, and limited
to /web. In dev mode (`sop serve --dev`) there is no authentication, as for the API.
Roles, scopes and masking are the API's own (api.auth).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from api.auth import DEV_PRINCIPAL, Principal
from api.views.common import runtime

COOKIE = "sop_token"
PUBLIC = frozenset({"web.login", "web.logout", "web.static", "web.vendor", "web.root"})
COOKIE_DAYS = 7


def _secret() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or request.args.get("token") or None


def lookup(secret: str | None) -> Principal | None:
    registry = runtime().tokens
    if registry is None:
        return DEV_PRINCIPAL
    return registry.lookup(secret) if secret else None


def set_cookie(resp: BaseResponse, secret: str) -> BaseResponse:
    resp.set_cookie(
        COOKIE,
        secret,
        max_age=COOKIE_DAYS * 86400,
        path="/web",
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return resp


def safe_next(target: str | None) -> str:
    """Only a path of these pages: never another site (an open redirect)."""
    if target and target.startswith("/web") and "//" not in target and "\\" not in target:
        return target
    return url_for("web.index")


def authenticate() -> BaseResponse | None:
    """Set `g.principal`, or answer with the login page's redirect."""
    if request.endpoint in PUBLIC:
        return None
    principal = lookup(_secret())
    if principal is None:
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    g.principal = principal
    if "token" in request.args and runtime().tokens is not None:
        rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
        clean = request.path + (f"?{urlencode(rest)}" if rest else "")
        return set_cookie(redirect(clean), request.args["token"])
    return None
