"""One blueprint per resource, all mounted under /v1 by `api.bootstrap.create_app`."""
