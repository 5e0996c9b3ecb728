"""Opening the database: SQLite by default, PostgreSQL (psycopg 3) when the URL says so.

    make_engine(url, *, schema=None, access="rwc") -> sqlalchemy.Engine
    upgrade(engine) -> None           apply every Alembic migration not yet applied
    existing_engine(url, read_only=False) -> Engine   a store as it is: nothing created or
                                      upgraded (`read_only`: an SQLite file opened read-only)
    current_heads(conn), newest_heads()   the migrations applied, and the newest ones
    sqlite_url(path) -> str           the URL of an SQLite file

`access` (SQLite files only) is how each connection opens the file: "rwc" may create it (the
default), "rw" only opens it (a server's store: a connection made after the file was removed
fails instead of making an empty one), "ro" reads it, and "immutable" reads a copy in a
read-only folder that holds no write-ahead log (SQLite then takes no locks and makes no files).

SQLite: the file is opened in WAL mode with a busy timeout, foreign keys on and
`synchronous=NORMAL` (a killed process loses no committed transaction; only an OS crash or power
loss can lose the last few). pysqlite's own transaction handling is switched off so that
SQLAlchemy's BEGIN is real; a write transaction takes the write lock at once
(`BEGIN IMMEDIATE`, see `WRITE`), so two writers queue on the busy timeout instead of failing
with "database is locked" when a read lock cannot be upgraded.

PostgreSQL: `postgresql://...` is driven by psycopg 3. `schema` puts every table in that schema
(via search_path; tests use a fresh random schema per run). A connection gives up after
`CONNECT_TIMEOUT_S` (a `connect_timeout` in the URL overrides it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from engine.errors import StoreUnavailable
from engine.store.prepared import execute_plain

__all__ = [
    "WRITE",
    "current_heads",
    "existing_engine",
    "first_line",
    "make_engine",
    "newest_heads",
    "shown",
    "sqlite_file",
    "sqlite_url",
    "upgrade",
]

Access = Literal["rwc", "rw", "ro", "immutable"]
_URI_MODE = {
    "rwc": "mode=rwc",
    "rw": "mode=rw",
    "ro": "mode=ro",
    "immutable": "mode=ro&immutable=1",
}

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# PostgreSQL: how long a new connection may take. Without it, a database host that drops
# packets (down, firewalled, failed over) held each request and the sweeper for the OS's TCP
# timeout (minutes) instead of answering 503 store_unavailable.
CONNECT_TIMEOUT_S = 10
# Execution options of a write transaction: `with engine.connect().execution_options(**WRITE)`.
WRITE = {"sqlite_begin": "IMMEDIATE"}
_VERSION_TABLE = "alembic_version"  # Alembic's record of the migrations applied
_MIGRATE_LOCK = 7_460_301  # pg_advisory_xact_lock key: one migrator at a time
_upgrade_lock = threading.Lock()


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def make_engine(
    url: str, *, schema: str | None = None, access: Access = "rwc", **kwargs: Any
) -> Engine:
    if url.startswith("postgres://"):  # the short form some hosts hand out
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, access, **kwargs)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres_engine(parsed, schema, **kwargs)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}; "
        "use sqlite:///path/to/file.db or postgresql://host:port/database"
    )


def _sqlite_engine(url: str, access: Access, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    path = Path(os.path.abspath(Path(parsed.database or "").expanduser()))
    if not memory and access == "rwc":
        path.parent.mkdir(parents=True, exist_ok=True)
    if memory:  # one shared connection, or every connection would see its own empty database
        kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **kwargs)
    writes = access in ("rwc", "rw")

    if not memory:

        @event.listens_for(engine, "do_connect")
        def _as_uri(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
            cargs[0] = sqlite_uri(path, access)  # the file named, opened the way `access` says
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory and writes:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # on the DBAPI cursor: through `exec_driver_sql` it took 50 µs, twice per event
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        execute_plain(conn, f"BEGIN {mode}")

    return engine


def sqlite_uri(path: Path, access: Access) -> str:
    """The SQLite URI of `path` opened as `access` says (the path percent-encoded)."""
    return f"file:{quote(str(path))}?{_URI_MODE[access]}"


def _postgres_engine(parsed: Any, schema: str | None, **kwargs: Any) -> Engine:
    if schema is not None:
        if not schema.replace("_", "").isalnum():
            raise ValueError(f"schema name {schema!r} must be letters, digits and underscores")
        args = dict(kwargs.pop("connect_args", {}))
        args["options"] = f"{args.get('options', '')} -csearch_path={schema}".strip()
        kwargs["connect_args"] = args
    args = dict(kwargs.pop("connect_args", {}))
    args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
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
    read-only, so a copy in a read-only folder (or on read-only media) can be read too;
    otherwise it is opened for writing, never created (`sop notifications retry`).
    """
    path = sqlite_file(url)
    access: Access = "ro" if read_only else "rw"
    if path is not None:
        if not path.is_file():
            raise StoreUnavailable(f"no database at {path}", path=str(path))
        if read_only:
            access = _read_access(path)
    try:
        engine = make_engine(url, access=access)
    except ValueError as exc:  # a backend other than SQLite and PostgreSQL
        raise StoreUnavailable(str(exc)) from None
    try:
        _check_current(engine, shown(url))
    except Exception:
        engine.dispose()
        raise
    return engine


def _read_access(path: Path) -> Access:
    """How to read the SQLite file at `path` without writing anything: "ro", or "immutable"
    when reading it read-only fails for want of a writable folder (SQLite makes the
    write-ahead log's index, `-shm`, beside the file) and no write-ahead log holds
    transactions the file lacks; otherwise `StoreUnavailable` says what to do."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
        return "ro"
    except sqlite3.Error as exc:
        reason = first_line(exc)
    if not os.access(path, os.R_OK):
        raise StoreUnavailable(
            f"cannot read the database {path}: permission denied; run as a user who may read "
            "it, or read a copy"
        )
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreUnavailable(
            f"cannot read the database {path} ({reason}): its folder is read-only and its "
            f"write-ahead log {wal.name} has transactions the file lacks; copy the folder "
            f'somewhere writable, or copy the database with `sqlite3 {path} ".backup '
            'copy.db"`'
        )
    return "immutable"


@cache
def newest_heads() -> frozenset[str]:
    """The newest migration(s) this code knows (read from the migration scripts once)."""
    return frozenset(ScriptDirectory.from_config(_migrations()).get_heads())


def current_heads(conn: Connection) -> frozenset[str]:
    """The migration(s) the database on `conn` is at; empty when it holds no store. (Read
    directly: Alembic's MigrationContext logs two lines each time, and readiness asks often.)"""
    if not inspect(conn).has_table(_VERSION_TABLE):
        return frozenset()
    return frozenset(conn.scalars(text(f"SELECT version_num FROM {_VERSION_TABLE}")))


def _check_current(engine: Engine, where: str) -> None:
    newest = newest_heads()
    try:
        with engine.connect() as conn:
            current = current_heads(conn)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot open the store at {where}: {first_line(exc)}") from None
    if not current:
        raise StoreUnavailable(f"the database at {where} holds no store (no migration applied)")
    if current != newest:
        raise StoreUnavailable(
            f"the database at {where} is at migration {', '.join(sorted(current))}, not "
            f"{', '.join(sorted(newest))}: upgrade it first (`sop serve` and `sop sweep` do)"
        )


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names; None for an in-memory database or another backend."""
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(os.path.abspath(Path(parsed.database or "").expanduser()))


def shown(url: str) -> str:
    """The URL as a message may show it: its password hidden."""
    return str(_parsed(url).render_as_string(hide_password=True))


def _parsed(url: str) -> Any:
    try:
        return make_url(url)
    except SQLAlchemyError:
        raise StoreUnavailable(f"{url!r} is not a database URL") from None


def first_line(exc: BaseException) -> str:
    """The driver's own reason: SQLAlchemy's message adds the statement and a link below it."""
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__
