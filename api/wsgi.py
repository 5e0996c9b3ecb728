"""The WSGI entry for production servers: `gunicorn -w 3 -b 0.0.0.0:8000 api.wsgi:app`.

Settings come from the environment (see api.config): DATABASE_URL (PostgreSQL for several
processes), SOP_TOKENS_FILE (required: there is no dev mode here), SOP_ROOT, SOP_RULES_DIR,
SOP_NOTIFY_CONFIG; behind a TLS proxy SOP_TRUSTED_PROXIES, and SOP_WEB_SESSION_KEY when the
workers do not share one data folder (docs/operations.md). `sop serve` runs the same app under
gunicorn with nothing to write; this module is for a gunicorn command line of your own.

As under `sop serve`, the sweeper and notifier run in one worker process of those sharing the
data folder, the one holding its background lock (api/placement.py); another takes over when
it dies. SOP_BACKGROUND=0 runs none here (then `sop sweep` from cron and one process that
notifies). Do not use gunicorn's --preload: threads started before the fork do not survive it.
"""

from __future__ import annotations

import os
import sys

from api.bootstrap import create_app
from api.config import ConfigError
from api.placement import Placement, lock_path
from api.workers import Workers
from engine.errors import SopError

# gunicorn halts (instead of starting the worker again and again) on a worker exiting with 3.
BOOT_ERROR = 3

try:
    app = create_app({"SOP_DEV": False})
except (ConfigError, SopError, OSError) as exc:  # what to fix, in a line (no traceback)
    print(f"sop: cannot start: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(BOOT_ERROR) from None

placement: Placement | None = None
if os.environ.get("SOP_BACKGROUND", "1") != "0":
    placement = Placement(lock_path(app.config), Workers(app.extensions["sop"]))
    placement.begin()
