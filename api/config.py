"""The settings `create_app` reads: defaults, then the environment, then the caller's mapping.

SOP_ROOT            folder of SOP revisions (env SOP_ROOT; default: the bundled sop/,
                    engine/spec/bundled.py)
SOP_RULES_DIR       folder of rules files (env SOP_RULES_DIR; default: rules/ beside SOP_ROOT)
SOP_DATA_DIR        where the SQLite file lives (env SOP_DATA_DIR; default ./data)
SOP_DATABASE_URL    a SQLAlchemy URL (env DATABASE_URL); default sqlite in SOP_DATA_DIR
SOP_FILES_DIR       where uploaded files live, by content hash (env; default SOP_DATA_DIR/files):
                    one folder shared by every server of one database
SOP_REPORTS_DATABASE_URL  the database the reports read (env; default: SOP_DATABASE_URL's), e.g.
                    a PostgreSQL read replica; while it is down reports answer 503
                    reports_unavailable and everything else works
SOP_CLOCK           "system" or "manual" (env SOP_CLOCK); manual enables POST /v1/clock
SOP_CLOCK_START     ISO time a manual clock starts at (default: now)
SOP_CLOCK_MAX_MOVE  the most one POST /v1/clock may move a manual clock, either way (env
                    SOP_CLOCK_MAX_MOVE; default "400 days"; days, hours or minutes): a move
                    applies everything that fell due on its way, so this bounds one call's work
SOP_DEV             True: no authentication (set only by `sop serve --dev`, never from env)
SOP_TOKENS_FILE     the tokens file (env SOP_TOKENS_FILE), see api/auth.py
SOP_TOKENS          token entries given inline (tests), same shape as the file's `tokens:`
SOP_NOTIFY_CONFIG   the notifier's channel configuration (env SOP_NOTIFY_CONFIG)
SOP_TRUSTED_PROXIES how many reverse proxies in front set X-Forwarded-For/-Proto/-Host
                    (env SOP_TRUSTED_PROXIES; default 0: such headers are ignored). 1 behind
                    one TLS proxy: the web session cookie then gets `Secure` on https.
SOP_WEB_SESSION_HOURS  how long a web sign-in lasts, in hours (env; default 8, at most 720)
SOP_WEB_SESSION_KEY the key that signs web session cookies (env; at least 32 characters).
                    Unset: a random key kept in `<SOP_DATA_DIR>/web-session.key` (made on first
                    start). Every process and machine serving one site needs the same key.
SOP_LOGIN_MAX_FAILURES  wrong passwords in a row that lock a personal account (env; default 5)
SOP_LOGIN_LOCK_MINUTES  how long such an account stays locked, in minutes (env; default 15)
SOP_INIT            True: begin an empty store where the data folder lost its database (env
                    SOP_INIT=1, `sop serve --init`); without it such a start is refused
SOP_READY_MIN_FREE_MB   /v1/health/ready fails below this much free disk in the SQLite file's
                    folder (env SOP_READY_MIN_FREE_MB; default 100)
SOP_READY_SWEEP_AGE seconds since the sweeper's last finished pass after which
                    /v1/health/ready fails (env SOP_READY_SWEEP_AGE; default 60)
SOP_METRICS_AUTH    "public" (default) or "token": GET /metrics then needs an admin token
                    (env SOP_METRICS_AUTH)
SOP_ACCESS_LOG      True: the app writes one `sop.access` log line per request (api.logs;
                    env SOP_ACCESS_LOG=1, `sop serve --access-log`)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.spec import bundled
from engine.store.files import FILES_FOLDER

SQLITE_FILE = "sop.db"

ENV = {
    "SOP_ROOT": "SOP_ROOT",
    "SOP_RULES_DIR": "SOP_RULES_DIR",
    "SOP_DATA_DIR": "SOP_DATA_DIR",
    "SOP_FILES_DIR": "SOP_FILES_DIR",
    "SOP_DATABASE_URL": "DATABASE_URL",
    "SOP_REPORTS_DATABASE_URL": "SOP_REPORTS_DATABASE_URL",
    "SOP_CLOCK": "SOP_CLOCK",
    "SOP_CLOCK_MAX_MOVE": "SOP_CLOCK_MAX_MOVE",
    "SOP_TOKENS_FILE": "SOP_TOKENS_FILE",
    "SOP_NOTIFY_CONFIG": "SOP_NOTIFY_CONFIG",
    "SOP_TRUSTED_PROXIES": "SOP_TRUSTED_PROXIES",
    "SOP_WEB_SESSION_HOURS": "SOP_WEB_SESSION_HOURS",
    "SOP_WEB_SESSION_KEY": "SOP_WEB_SESSION_KEY",
    "SOP_LOGIN_MAX_FAILURES": "SOP_LOGIN_MAX_FAILURES",
    "SOP_LOGIN_LOCK_MINUTES": "SOP_LOGIN_LOCK_MINUTES",
    "SOP_INIT": "SOP_INIT",
    "SOP_READY_MIN_FREE_MB": "SOP_READY_MIN_FREE_MB",
    "SOP_READY_SWEEP_AGE": "SOP_READY_SWEEP_AGE",
    "SOP_METRICS_AUTH": "SOP_METRICS_AUTH",
    "SOP_ACCESS_LOG": "SOP_ACCESS_LOG",
}

DEFAULTS: dict[str, Any] = {
    "SOP_ROOT": str(bundled.sop_root()),
    "SOP_RULES_DIR": None,
    "SOP_DATA_DIR": "./data",
    "SOP_FILES_DIR": None,
    "SOP_DATABASE_URL": None,
    "SOP_REPORTS_DATABASE_URL": None,
    "SOP_CLOCK": "system",
    "SOP_CLOCK_START": None,
    "SOP_CLOCK_MAX_MOVE": "400 days",
    "SOP_DEV": False,
    "SOP_TOKENS_FILE": None,
    "SOP_TOKENS": None,
    "SOP_NOTIFY_CONFIG": None,
    "SOP_TRUSTED_PROXIES": 0,
    "SOP_WEB_SESSION_HOURS": 8,
    "SOP_WEB_SESSION_KEY": None,
    "SOP_LOGIN_MAX_FAILURES": 5,
    "SOP_LOGIN_LOCK_MINUTES": 15.0,
    "SOP_INIT": False,
    "SOP_READY_MIN_FREE_MB": 100.0,
    "SOP_READY_SWEEP_AGE": 60.0,
    "SOP_METRICS_AUTH": "public",
    "SOP_ACCESS_LOG": False,
}
MAX_TRUSTED_PROXIES = 5
MAX_SESSION_HOURS = 720  # 30 days
MIN_SESSION_KEY = 32
SESSION_KEY_FILE = "web-session.key"
METRICS_AUTH = ("public", "token")
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
    out["SOP_TRUSTED_PROXIES"] = _number(
        out, "SOP_TRUSTED_PROXIES", int, 0, MAX_TRUSTED_PROXIES, "proxies"
    )
    out["SOP_WEB_SESSION_HOURS"] = _number(
        out, "SOP_WEB_SESSION_HOURS", float, 0.05, MAX_SESSION_HOURS, "hours"
    )
    out["SOP_LOGIN_MAX_FAILURES"] = _number(out, "SOP_LOGIN_MAX_FAILURES", int, 1, 100, "attempts")
    out["SOP_LOGIN_LOCK_MINUTES"] = _number(
        out, "SOP_LOGIN_LOCK_MINUTES", float, 0.0, 7 * 24 * 60, "minutes"
    )
    key = out["SOP_WEB_SESSION_KEY"]
    if key is not None and len(str(key)) < MIN_SESSION_KEY:
        raise ConfigError(
            f"SOP_WEB_SESSION_KEY must be at least {MIN_SESSION_KEY} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    out["SOP_INIT"] = _flag("SOP_INIT", out["SOP_INIT"])
    out["SOP_ACCESS_LOG"] = _flag("SOP_ACCESS_LOG", out["SOP_ACCESS_LOG"])
    if out["SOP_METRICS_AUTH"] not in METRICS_AUTH:
        raise ConfigError(
            f"SOP_METRICS_AUTH must be 'public' or 'token', not {out['SOP_METRICS_AUTH']!r}"
        )
    for key in ("SOP_READY_MIN_FREE_MB", "SOP_READY_SWEEP_AGE"):
        out[key] = _non_negative(key, out[key])
    return out


def _number(
    cfg: Mapping[str, Any], key: str, kind: type, low: float, high: float, unit: str
) -> Any:
    raw = cfg[key]
    try:
        value = kind(raw)
        if isinstance(raw, bool) or not low <= value <= high:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(
            f"{key} must be a number of {unit} from {low:g} to {high:g}, not {raw!r}"
        ) from None
    return value


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


def files_dir(cfg: Mapping[str, Any]) -> Path:
    """The folder of uploaded files: SOP_FILES_DIR, else `files/` in the data folder."""
    if cfg.get("SOP_FILES_DIR"):
        return Path(cfg["SOP_FILES_DIR"]).expanduser().resolve()
    return Path(cfg.get("SOP_DATA_DIR") or "./data").expanduser().resolve() / FILES_FOLDER


def web_session_key(cfg: Mapping[str, Any]) -> bytes:
    """The key signing web session cookies: the setting, else the data folder's key file (made
    once, readable by its owner only; linked into place whole, so workers starting together
    agree on one)."""
    if cfg.get("SOP_WEB_SESSION_KEY"):
        return str(cfg["SOP_WEB_SESSION_KEY"]).encode("utf-8")
    path = Path(cfg.get("SOP_DATA_DIR") or "./data").expanduser().resolve() / SESSION_KEY_FILE
    try:
        if not path.exists():
            _make_key_file(path)
        key = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the web session key in {path}: {exc.strerror}; "
            "set SOP_WEB_SESSION_KEY or make the data folder writable"
        ) from None
    if len(key) < MIN_SESSION_KEY:
        raise ConfigError(
            f"{path} holds no usable key (fewer than {MIN_SESSION_KEY} characters); "
            "delete it to have a new one made (this signs every browser out)"
        )
    return key.encode("ascii")


def _make_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
