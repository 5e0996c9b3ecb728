"""The HTTP API: `create_app(config=None)` builds the Flask app (see api.bootstrap, api.config)."""

from api.bootstrap import create_app

__all__ = ["create_app"]
