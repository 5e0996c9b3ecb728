"""The HTTP API: `create_app(config=None)` builds the Flask app (see api.app, api.config)."""

from api.app import create_app

__all__ = ["create_app"]
