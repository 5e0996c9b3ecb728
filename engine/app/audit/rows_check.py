"""Compare the rows the store holds for some tickets with the rows a replay of their logs wrote.

    compare_rows(stored, replayed, ticket_ids, personal) -> list[Problem]

`stored` and `replayed` are connections to two stores (the one checked, and the scratch one
`engine.app.audit.rebuild` replayed the logs into); `personal` maps each ticket to the personal
fields of its SOP (their values are masked in the report). Per ticket and table, each row is
found by its key within the ticket and compared column by column:

    differs   a stored column holds another value than the replay gives
    missing   the replay writes a row the store does not hold (it was deleted)
    extra     the store holds a row the replay does not write (it was added)

What is compared, and what is left out because it is not derived from the log:

    tickets        every column but `updated` (the wall-clock time of the write) and
                   `external_ref` (given when the ticket was opened; not in its log); the JSON
                   record key by key
    ticket_runs    each finished step run of the ticket, key by key
    ticket_scopes  the value of each scope field
    deadlines      each pending deadline's due time (not `checked`: the sweeper's bookkeeping)
    step_runs      every column of each visit
    outbox         each notification of the ticket: recipient, channel, scope and its whole
                   payload (not the delivery columns: status, attempts, errors, times)

Values are shown as a reader may see them: a personal field's value as `***`, a notification's
text by its sha256 (it may quote personal data), long values cut.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from engine.app.audit.chain_check import Problem
from engine.core.masking import MASK
from engine.store.tables import (
    DeadlineRow,
    OutboxRow,
    StepRunRow,
    TicketRow,
    TicketRunRow,
    TicketScopeRow,
)

__all__ = ["TABLES", "compare_row", "compare_rows", "shown"]

MAX_PATHS = 5  # differing keys of one JSON column reported per row
MAX_SHOWN = 80  # characters of a value shown in a report


class _Table:
    """How one table's rows of a ticket are keyed and compared."""

    def __init__(
        self, table: Table, ticket: str, key: Sequence[str], columns: Sequence[str]
    ) -> None:
        self.table, self.ticket, self.key, self.columns = table, ticket, tuple(key), columns

    @property
    def name(self) -> str:
        return self.table.name

    def rows(self, conn: Connection, ticket_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """(ticket id, key) -> the compared columns, for these tickets."""
        col = self.table.c
        stmt = select(
            col[self.ticket], *(col[k] for k in self.key), *(col[c] for c in self.columns)
        )
        stmt = stmt.where(col[self.ticket].in_(ticket_ids))
        out: dict[str, dict[str, Any]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row in conn.execute(stmt.order_by(*(col[k] for k in self.key))):
            values = row._mapping
            key = ":".join(str(values[k]) for k in self.key)
            n = seen[(values[self.ticket], key)] = seen.get((values[self.ticket], key), 0) + 1
            if n > 1:  # the same key twice (a deadline written twice): keep both, apart
                key = f"{key}#{n}"
            out[f"{values[self.ticket]}\0{key}"] = {c: values[c] for c in self.columns}
        return out


TABLES = (
    _Table(
        TicketRow.__table__,  # type: ignore[arg-type]
        "id",
        (),
        (
            "sop_id",
            "revision",
            "spec_hash",
            "state",
            "status",
            "breached",
            "version",
            "created",
            "closed",
            "record",
        ),
    ),  # fmt: skip
    _Table(TicketRunRow.__table__, "ticket_id", ("visit",), ("run",)),  # type: ignore[arg-type]
    _Table(TicketScopeRow.__table__, "ticket_id", ("name",), ("value",)),  # type: ignore[arg-type]
    _Table(DeadlineRow.__table__, "ticket_id", ("kind", "name"), ("due",)),  # type: ignore[arg-type]
    _Table(
        StepRunRow.__table__,  # type: ignore[arg-type]
        "ticket_id",
        ("visit",),
        tuple(c.name for c in StepRunRow.__table__.columns if c.name not in ("ticket_id", "visit")),
    ),
    _Table(
        OutboxRow.__table__,  # type: ignore[arg-type]
        "ticket_id",
        ("notification_id",),
        ("to_actor", "channel", "scope_name", "scope_value", "payload"),
    ),
)


def compare_rows(
    stored: Connection,
    replayed: Connection,
    ticket_ids: Sequence[str],
    personal: Mapping[str, Collection[str]],
) -> list[Problem]:
    problems: list[Problem] = []
    if not ticket_ids:
        return problems
    for table in TABLES:
        held, made = table.rows(stored, ticket_ids), table.rows(replayed, ticket_ids)
        for where in sorted(held.keys() | made.keys()):
            ticket_id, _, key = where.partition("\0")
            fields = personal.get(ticket_id, ())
            problems += compare_row(
                table.name, ticket_id, key or None, held.get(where), made.get(where), fields
            )
    return problems


def compare_row(
    table: str,
    ticket_id: str,
    key: str | None,
    held: Mapping[str, Any] | None,
    made: Mapping[str, Any] | None,
    personal: Collection[str],
) -> list[Problem]:
    def problem(kind: str, message: str, column: str | None = None, a: Any = None, b: Any = None):
        return Problem(ticket_id, None, kind, message, None, table, key, column, a, b)

    what = f"{table} row {key}" if key else f"{table} row"
    if held is None:
        return [problem("missing", f"the log gives a {what} the store does not hold: deleted")]
    if made is None:
        return [problem("extra", f"the store holds a {what} the log does not give: added")]
    out: list[Problem] = []
    for column in held:
        a, b = held[column], made[column]
        if _same(a, b):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for path, x, y in list(_paths(a, b, column))[:MAX_PATHS]:
                x, y = shown(path, x, personal), shown(path, y, personal)
                message = f"{path} is {x!r} in the store, but the log gives {y!r}"
                out.append(problem("differs", message, path, x, y))
            continue
        x, y = shown(column, a, personal), shown(column, b, personal)
        message = f"{column} is {x!r} in the store, but the log gives {y!r}"
        out.append(problem("differs", message, column, x, y))
    return out


def _paths(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Where two JSON values differ: (dotted path, one value, the other)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(a.keys() | b.keys(), key=str):
            yield from _paths(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _paths(x, y, f"{path}[{i}]")
    elif not _same(a, b):
        yield path, a, b


def _same(a: Any, b: Any) -> bool:
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(_norm(a) == _norm(b))


def _norm(value: Any) -> Any:
    """JSON and column values compared as what they mean: a time as its instant."""
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(UTC) if moment.tzinfo else moment
    return value


def shown(path: str, value: Any, personal: Collection[str]) -> Any:
    """A value as the report shows it (see the module's docstring)."""
    leaf = path.rsplit(".", 1)[-1]
    parent = path.rsplit(".", 2)[-2] if path.count(".") >= 1 else ""
    if parent in ("fields", "data") and leaf in personal and value not in (None, "", [], {}):
        return MASK
    if leaf == "text" and isinstance(value, str):
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
    if isinstance(value, dict | list):
        value = _masked(value, personal)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = value if isinstance(value, str | int | float | bool) or value is None else str(value)
    if isinstance(text, str) and len(text) > MAX_SHOWN:
        return text[: MAX_SHOWN - 3] + "..."
    return text


def _masked(value: Any, personal: Collection[str]) -> Any:
    """A JSON value with personal fields (under `fields` or `data`) masked, texts hashed."""
    if isinstance(value, list):
        return [_masked(v, personal) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k in ("fields", "data") and isinstance(v, dict):
            out[k] = {f: shown(f"{k}.{f}", x, personal) for f, x in v.items()}
        elif k == "text":
            out[k] = shown("text", v, personal)
        else:
            out[k] = _masked(v, personal)
    return out
