"""The settings `create_app` reads: defaults, then the environment, then the caller's mapping.

SOP_ROOT            folder of SOP revisions (env SOP_ROOT; default: the repo's bundled sop/)
SOP_RULES_DIR       folder of rules files (env SOP_RULES_DIR; default: rules/ beside SOP_ROOT)
SOP_DATA_DIR        where the SQLite file lives (env SOP_DATA_DIR; default ./data)
SOP_DATABASE_URL    a SQLAlchemy URL (env DATABASE_URL); default sqlite in SOP_DATA_DIR
SOP_CLOCK           "system" or "manual" (env SOP_CLOCK); manual enables POST /v1/clock
SOP_CLOCK_START     ISO time a manual clock starts at (default: now)
SOP_DEV             True: no authentication (set only by `sop serve --dev`, never from env)
SOP_TOKENS_FILE     the tokens file (env SOP_TOKENS_FILE), see api/auth.py
SOP_TOKENS          token entries given inline (tests), same shape as the file's `tokens:`
SOP_NOTIFY_CONFIG   the notifier's channel configuration (env SOP_NOTIFY_CONFIG)
SOP_INIT            True: begin an empty store where the data folder lost its database (env
                    SOP_INIT=1, `sop serve --init`); without it such a start is refused
SOP_READY_MIN_FREE_MB   /v1/health/ready fails below this much free disk in the SQLite file's
                    folder (env SOP_READY_MIN_FREE_MB; default 100)
SOP_READY_SWEEP_AGE seconds since the sweeper's last finished pass after which
                    /v1/health/ready fails (env SOP_READY_SWEEP_AGE; default 60)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SOP_ROOT = REPO_ROOT / "sop"
SQLITE_FILE = "sop.db"

ENV = {
    "SOP_ROOT": "SOP_ROOT",
    "SOP_RULES_DIR": "SOP_RULES_DIR",
    "SOP_DATA_DIR": "SOP_DATA_DIR",
    "SOP_DATABASE_URL": "DATABASE_URL",
    "SOP_CLOCK": "SOP_CLOCK",
    "SOP_TOKENS_FILE": "SOP_TOKENS_FILE",
    "SOP_NOTIFY_CONFIG": "SOP_NOTIFY_CONFIG",
    "SOP_INIT": "SOP_INIT",
    "SOP_READY_MIN_FREE_MB": "SOP_READY_MIN_FREE_MB",
    "SOP_READY_SWEEP_AGE": "SOP_READY_SWEEP_AGE",
}

DEFAULTS: dict[str, Any] = {
    "SOP_ROOT": str(BUNDLED_SOP_ROOT),
    "SOP_RULES_DIR": None,
    "SOP_DATA_DIR": "./data",
    "SOP_DATABASE_URL": None,
    "SOP_CLOCK": "system",
    "SOP_CLOCK_START": None,
    "SOP_DEV": False,
    "SOP_TOKENS_FILE": None,
    "SOP_TOKENS": None,
    "SOP_NOTIFY_CONFIG": None,
    "SOP_INIT": False,
    "SOP_READY_MIN_FREE_MB": 100.0,
    "SOP_READY_SWEEP_AGE": 60.0,
}
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


class ConfigError(ValueError):
    """The server cannot start with these settings; the message says what to change."""


def settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    out = dict(DEFAULTS)
    out.update({key: env[name] for key, name in ENV.items() if env.get(name)})
    out.update({k: v for k, v in (overrides or {}).items() if v is not None or k not in out})
    if out["SOP_CLOCK"] not in ("system", "manual"):
        raise ConfigError(f"clock must be 'system' or 'manual', not {out['SOP_CLOCK']!r}")
    out["SOP_INIT"] = _flag("SOP_INIT", out["SOP_INIT"])
    for key in ("SOP_READY_MIN_FREE_MB", "SOP_READY_SWEEP_AGE"):
        out[key] = _non_negative(key, out[key])
    return out


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigError(f"{key} must be 1 or 0 (true or false), not {value!r}")


def _non_negative(key: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number < float("inf"):
        raise ConfigError(f"{key} must be a number of at least 0, not {value!r}")
    return number


def database_url(cfg: Mapping[str, Any]) -> str:
    if cfg.get("SOP_DATABASE_URL"):
        return str(cfg["SOP_DATABASE_URL"])
    # The folder is made (or refused, in a line) by `Store.open`, not here.
    data_dir = Path(cfg.get("SOP_DATA_DIR") or "./data").expanduser().resolve()
    return f"sqlite:///{data_dir / SQLITE_FILE}"
