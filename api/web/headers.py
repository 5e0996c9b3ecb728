"""The Content-Security-Policy of the pages (api.bootstrap adds nosniff, DENY framing and the
Referrer-Policy to every answer).

Nothing is loaded from elsewhere and no page has an inline script (web.js is the only script,
mermaid.min.js is served by the app), so scripts are `'self'` only. Styles too, except on a page
that draws the flow diagram: mermaid (and d3 under it) writes `style` attributes and a `<style>`
element into the SVG it draws, which no hash or nonce can cover, so that page calls
`allow_inline_styles()`. Inline styles cannot run code; every value on the pages is still
autoescaped.
"""

from __future__ import annotations

from flask import g
from werkzeug.wrappers import Response

_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
STRICT = "; ".join(_POLICY)
INLINE_STYLES = STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def allow_inline_styles() -> None:
    g.inline_styles = True


def content_security_policy(resp: Response) -> Response:
    if "Content-Security-Policy" in resp.headers:  # a file served as is keeps its sandbox
        return resp
    resp.headers["Content-Security-Policy"] = INLINE_STYLES if g.get("inline_styles") else STRICT
    return resp
