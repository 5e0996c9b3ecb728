"""Hot write-path statements compiled once per dialect and run on the DBAPI cursor.

    STMT = Prepared(insert(EventRow), keys=("ticket_id", "seq", ...))
    STMT.run(conn, rows)          rows: dicts with exactly `keys` (one or many)
    QUERY = Prepared(select(...).where(... == bindparam("id")), keys=("id",))
    QUERY.rows(conn, {"id": ...}) -> [tuple, ...]   the columns read back as SQLAlchemy would
    with savepoint(conn, "name"): ...      undone alone if the block raises
    execute_plain(conn, "BEGIN IMMEDIATE")  a statement without parameters

SQLAlchemy's per-execution work (cache key, execution context, result object) cost more than
SQLite's own execution of these small statements. A `Prepared` compiles its statement once per
dialect, binds values through the same type processors SQLAlchemy would use (JSON, `UtcDateTime`),
in the dialect's parameter style (qmark on SQLite, pyformat on psycopg), and runs it with
`executemany` on the connection's DBAPI cursor, inside the connection's transaction. DBAPI errors
are raised as SQLAlchemy's (`sqlalchemy.exc.IntegrityError`, ...), as `Connection.execute` would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["Prepared", "execute_plain", "savepoint"]

# sql, positional, (key, name, bind processor) per parameter, result processors. A key of None:
# a value fixed in the statement (a subquery's LIMIT 1), held as the name's processed value.
_Plan = tuple[str, bool, tuple[tuple[str | None, str, Any], ...], tuple[Any, ...]]


def _bound(binds: tuple[tuple[str | None, str, Any], ...], values: Mapping[str, Any]) -> list[Any]:
    return [p if k is None else values[k] if p is None else p(values[k]) for k, _, p in binds]


class Prepared:
    def __init__(self, stmt: ClauseElement, keys: Sequence[str]) -> None:
        self.stmt, self.keys = stmt, tuple(keys)
        self._plans: dict[str, _Plan] = {}

    def _plan(self, conn: Connection) -> _Plan:
        dialect = conn.dialect
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = cast(
                SQLCompiler,
                self.stmt.compile(
                    dialect=dialect, column_keys=list(self.keys), for_executemany=True
                ),
            )
            processors = compiled._bind_processors  # the processors `Connection.execute` applies
            key_of: dict[str, str | None] = {}
            fixed: dict[str, Any] = {}
            for bind, name in compiled.bind_names.items():
                if bind.key in self.keys:
                    key_of[name] = bind.key
                elif bind.value is not None and bind.callable is None:  # a literal: LIMIT 1
                    key_of[name] = None
                    convert: Any = processors.get(name)
                    fixed[name] = bind.value if convert is None else convert(bind.value)
            if sorted(k for k in key_of.values() if k) != sorted(self.keys):
                raise ValueError(f"statement binds {sorted(key_of)}, not {self.keys}")
            order = compiled.positiontup if compiled.positional else list(key_of)
            results = tuple(
                column.type._cached_result_processor(dialect, None)
                for column in compiled._result_columns
            )
            plan = (
                compiled.string,
                bool(compiled.positional),
                tuple(
                    (key_of[n], n, fixed[n] if key_of[n] is None else processors.get(n))
                    for n in order or ()
                ),
                results,
            )
            self._plans[dialect.name] = plan
        return plan

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query once; its rows, each column read as `Connection.execute` reads it."""
        sql, positional, binds, results = self._plan(conn)
        bound = _bound(binds, values)
        params: Any = (
            tuple(bound)
            if positional
            else {n: v for (_, n, _), v in zip(binds, bound, strict=True)}
        )
        with _cursor(conn, sql, params) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not any(results):
            return [tuple(row) for row in fetched]
        return [
            tuple(v if p is None else p(v) for p, v in zip(results, row, strict=True))
            for row in fetched
        ]

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute once per row (all in one `executemany`); returns the rows affected."""
        sql, positional, binds, _ = self._plan(conn)
        params: list[Any]
        if positional:
            params = [tuple(_bound(binds, row)) for row in rows]
        else:
            names = [n for _, n, _ in binds]
            params = [dict(zip(names, _bound(binds, row), strict=True)) for row in rows]
        with _cursor(conn, sql, params) as cursor:
            if len(params) == 1:
                cursor.execute(sql, params[0])
            else:
                cursor.executemany(sql, params)
            return int(cursor.rowcount)


@contextmanager
def _cursor(conn: Connection, sql: str, params: Any) -> Iterator[Any]:
    """A DBAPI cursor in the connection's transaction; its errors raised as SQLAlchemy's."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()


@contextmanager
def savepoint(conn: Connection, name: str) -> Iterator[None]:
    """A savepoint of the connection's transaction, on its DBAPI cursor (SQLAlchemy's
    `begin_nested` compiled and ran its two statements for more than the work of a swept
    ticket): released when the block ends; rolled back to, then released, if the block
    raises, and the exception raised on. `name`: a plain identifier, unique among the
    savepoints open on the connection."""
    execute_plain(conn, f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        execute_plain(conn, f"ROLLBACK TO SAVEPOINT {name}")
        execute_plain(conn, f"RELEASE SAVEPOINT {name}")
        raise
    execute_plain(conn, f"RELEASE SAVEPOINT {name}")


def execute_plain(conn: Connection, sql: str) -> None:
    """Run a statement without parameters on the DBAPI cursor; its errors as SQLAlchemy's."""
    with _cursor(conn, sql, ()) as cursor:
        cursor.execute(sql)
