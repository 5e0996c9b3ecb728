"""Third-party browser files the pages use, served by the app itself (never from a CDN).

They are not kept in git nor under api/: `make mermaid` (api/web/fetch-mermaid.sh) fetches
mermaid.min.js from the npm registry into `.cache/web-vendor/` at the repository's root, or
into the folder the environment variable SOP_WEB_VENDOR names. A wheel built where it was
fetched carries it in `api/web/third_party/` (setup.py's build step), used when installed.

    GET /web/vendor/<file>      the file, public like the other static files
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Response, send_from_directory

from api.web import bp
from api.web.headers import allow_inline_styles

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGED = Path(__file__).resolve().parent / "third_party"
MERMAID = "mermaid.min.js"
MAX_AGE = 7 * 86400


def vendor_dir() -> Path:
    if os.environ.get("SOP_WEB_VENDOR"):
        return Path(os.environ["SOP_WEB_VENDOR"])
    return PACKAGED if (PACKAGED / MERMAID).is_file() else REPO_ROOT / ".cache" / "web-vendor"


def mermaid_available() -> bool:
    return (vendor_dir() / MERMAID).is_file()


def mermaid_on_page() -> bool:
    """Whether this page draws its diagram: when the script is installed, the page's policy
    lets mermaid style the SVG it draws inline (api/web/headers.py)."""
    if mermaid_available():
        allow_inline_styles()
        return True
    return False


@bp.get("/web/vendor/<path:filename>")
def vendor(filename: str) -> Response:
    return send_from_directory(vendor_dir(), filename, max_age=MAX_AGE)
