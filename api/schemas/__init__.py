"""Marshmallow schemas: request bodies are loaded through them, responses dumped through them,
and `api.views.openapi` builds the OpenAPI document from the same classes."""
