"""Opening the database: SQLite by default, PostgreSQL (psycopg 3) when the URL says so.

    make_engine(url, *, schema=None) -> sqlalchemy.Engine
    upgrade(engine) -> None           apply every Alembic migration not yet applied
    existing_engine(url) -> Engine    an engine on a store as it is: nothing created or upgraded
                                      (`read_only=True`: an SQLite file opened read-only)
    sqlite_url(path) -> str           the URL of an SQLite file

SQLite: the file is opened in WAL mode with a busy timeout, foreign keys on and
`synchronous=NORMAL` (a killed process loses no committed transaction; only an OS crash or power
loss can lose the last few). pysqlite's own transaction handling is switched off so that
SQLAlchemy's BEGIN is real; a write transaction takes the write lock at once
(`BEGIN IMMEDIATE`, see `WRITE`), so two writers queue on the busy timeout instead of failing
with "database is locked" when a read lock cannot be upgraded.

PostgreSQL: `postgresql://...` is driven by psycopg 3. `schema` puts every table in that schema
(via search_path; tests use a fresh random schema per run).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from engine.errors import StoreUnavailable

__all__ = ["WRITE", "existing_engine", "make_engine", "sqlite_url", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# Execution options of a write transaction: `with engine.connect().execution_options(**WRITE)`.
WRITE = {"sqlite_begin": "IMMEDIATE"}
_MIGRATE_LOCK = 7_460_301  # pg_advisory_xact_lock key: one migrator at a time
_upgrade_lock = threading.Lock()


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    if url.startswith("postgres://"):  # the short form some hosts hand out
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, **kwargs)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres_engine(parsed, schema, **kwargs)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}; "
        "use sqlite:///path/to/file.db or postgresql://host:port/database"
    )


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if not memory:
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    if memory:  # one shared connection, or every connection would see its own empty database
        kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **kwargs)
    _sqlite_session(engine, wal=not memory)
    return engine


def _sqlite_session(engine: Engine, *, wal: bool) -> None:
    """Each connection's settings, and SQLAlchemy's BEGIN in the mode the caller asks for."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if wal:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_reader(path: Path) -> Engine:
    """The SQLite file opened read-only (`mode=ro`: nothing can be written through it).

    A reader of a WAL database needs its shared-memory file (`-shm`), which SQLite makes beside
    it. In a folder this user cannot write (a copy on read-only media, a mount for auditors) it
    cannot, so the file is opened `immutable` instead: nothing else can be writing it there.
    A non-empty write-ahead log (`-wal`) without its `-shm` holds commits that are not in the
    file yet and that an immutable reader would skip: that is refused, saying what to do.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not os.access(path.parent, os.W_OK):
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        pending = wal.is_file() and wal.stat().st_size > 0
        if pending and not shm.is_file():
            raise StoreUnavailable(
                f"{wal} holds commits not yet in {path.name}, and the folder is read-only: copy "
                f"the folder somewhere writable, or copy it again after `sqlite3 {path.name} "
                "'PRAGMA wal_checkpoint(TRUNCATE)'`"
            )
        if not pending:
            uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    _sqlite_session(engine, wal=False)
    return engine


def _postgres_engine(parsed: Any, schema: str | None, **kwargs: Any) -> Engine:
    if schema is not None:
        if not schema.replace("_", "").isalnum():
            raise ValueError(f"schema name {schema!r} must be letters, digits and underscores")
        args = dict(kwargs.pop("connect_args", {}))
        args["options"] = f"{args.get('options', '')} -csearch_path={schema}".strip()
        kwargs["connect_args"] = args
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **kwargs)
    if schema is not None:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _migrations() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration. Safe to call from several processes at once."""
    cfg = _migrations()
    with _upgrade_lock, engine.connect().execution_options(**WRITE) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def existing_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine on the store at `url` as it is, for commands that only read it.

    Opening a store normally creates a missing SQLite file and migrates the schema: right for
    the server, wrong for a reader given a mistyped path, who would get an empty store and a
    clean report. Here a missing file, a refused connection or a schema that is not at the
    newest migration (a reader would fail later on a missing column) raise `StoreUnavailable`
    with a one-line message, and nothing is written. `read_only`: an SQLite file is opened
    read-only (`_sqlite_reader`), so that it reads where it cannot be written.
    """
    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        raise StoreUnavailable(f"no database at {path}", path=str(path))
    try:
        engine = _sqlite_reader(path) if read_only and path is not None else make_engine(url)
    except ValueError as exc:  # a backend other than SQLite and PostgreSQL
        raise StoreUnavailable(str(exc)) from None
    try:
        _check_current(engine, _parsed(url).render_as_string(hide_password=True))
    except Exception:
        engine.dispose()
        raise
    return engine


def _check_current(engine: Engine, where: str) -> None:
    newest = set(ScriptDirectory.from_config(_migrations()).get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot open the store at {where}: {_first_line(exc)}") from None
    if not current:
        raise StoreUnavailable(f"the database at {where} holds no store (no migration applied)")
    if current != newest:
        raise StoreUnavailable(
            f"the database at {where} is at migration {', '.join(sorted(current))}, not "
            f"{', '.join(sorted(newest))}: upgrade it first (`sop serve` and `sop sweep` do)"
        )


def _sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names; None for an in-memory database or another backend."""
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser()


def _parsed(url: str) -> Any:
    try:
        return make_url(url)
    except SQLAlchemyError:
        raise StoreUnavailable(f"{url!r} is not a database URL") from None


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own reason: SQLAlchemy's message adds the statement and a link below it."""
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__
