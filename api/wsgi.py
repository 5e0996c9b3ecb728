"""The WSGI entry for production servers: `gunicorn -w 4 -b 0.0.0.0:8000 api.wsgi:app`.

Settings come from the environment (see api.config): DATABASE_URL (PostgreSQL for several
processes), SOP_TOKENS_FILE (required: there is no dev mode here), SOP_ROOT, SOP_RULES_DIR,
SOP_NOTIFY_CONFIG; behind a TLS proxy SOP_TRUSTED_PROXIES, and SOP_WEB_SESSION_KEY when the
workers do not share one data folder (docs/operations.md). Each worker process runs its own
sweeper and notifier threads unless SOP_BACKGROUND=0 (then run `sop sweep` from cron and one
`sop serve` or worker with them on); on PostgreSQL, SKIP LOCKED keeps them from doing the
same deadline or notification twice.
Do not use gunicorn's --preload: threads started before the fork do not survive it.
"""

from __future__ import annotations

import os

from api.bootstrap import create_app
from api.workers import Workers

app = create_app({"SOP_DEV": False})

if os.environ.get("SOP_BACKGROUND", "1") != "0":
    Workers(app.extensions["sop"]).start()
