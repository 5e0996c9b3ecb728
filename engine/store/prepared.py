"""Hot write-path statements compiled once per dialect and run on the DBAPI cursor.

    STMT = Prepared(insert(EventRow), keys=("ticket_id", "seq", ...))
    STMT.run(conn, rows)          rows: dicts with exactly `keys` (one or many)

SQLAlchemy's per-execution work (cache key, execution context, result object) cost more than
SQLite's own execution of these small statements. A `Prepared` compiles its statement once per
dialect, binds values through the same type processors SQLAlchemy would use (JSON, `UtcDateTime`),
in the dialect's parameter style (qmark on SQLite, pyformat on psycopg), and runs it with
`executemany` on the connection's DBAPI cursor, inside the connection's transaction. DBAPI errors
are raised as SQLAlchemy's (`sqlalchemy.exc.IntegrityError`, ...), as `Connection.execute` would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["Prepared"]

_Plan = tuple[
    str, bool, tuple[tuple[str, str, Any], ...]
]  # sql, positional, (key, name, processor)


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
            key_of = {name: bind.key for bind, name in compiled.bind_names.items()}
            if sorted(key_of.values()) != sorted(self.keys):
                raise ValueError(f"statement binds {sorted(key_of.values())}, not {self.keys}")
            order = compiled.positiontup if compiled.positional else list(key_of)
            processors = compiled._bind_processors  # the processors `Connection.execute` applies
            plan = (
                compiled.string,
                bool(compiled.positional),
                tuple((key_of[n], n, processors.get(n)) for n in order or ()),
            )
            self._plans[dialect.name] = plan
        return plan

    def run(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute once per row (all in one `executemany`); returns the rows affected."""
        sql, positional, binds = self._plan(conn)
        params: list[Any]
        if positional:
            params = [
                tuple(row[k] if p is None else p(row[k]) for k, _, p in binds) for row in rows
            ]
        else:
            params = [{n: row[k] if p is None else p(row[k]) for k, n, p in binds} for row in rows]
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if len(params) == 1:
                cursor.execute(sql, params[0])
            else:
                cursor.executemany(sql, params)
            return int(cursor.rowcount)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from exc
        finally:
            cursor.close()
