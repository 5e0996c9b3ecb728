"""The monev (monitoring and evaluation) report of one SOP over a period, computed in SQL.

    monev_report(store, spec, first_day, end_day, *, scope=None, now) -> MonevReport
    period_bounds(spec, first_day, end_day) -> (start, end)     the local days as UTC instants
    month_of(spec, when) -> (first_day, end_day)                the calendar month `when` is in

The period is [first_day, end_day) in the time zone of the SOP's default calendar. Every
figure comes from GROUP BY queries over indexed ranges; no ticket is loaded into Python:

- tickets received / closed: `tickets` (created / closed in the period), grouped by the
  ticket's value of the report's scope field (`ticket_scopes`);
- per step: `step_runs` (engine.reports.step_runs) - runs entered (started in the period),
  loops (a ticket's 2nd and later visit to a step), runs finished, finished within the time
  limit, and the event that finished them;
- per step, the median and 90th percentile of the time taken, in the step's own unit: on
  PostgreSQL `percentile_cont(p) WITHIN GROUP (ORDER BY elapsed)`; on SQLite, which has no
  percentile aggregate, window functions number each group's rows in order of elapsed
  (`ROW_NUMBER() OVER (PARTITION BY ... ORDER BY elapsed)`, `COUNT(*) OVER (...)`) and the
  query returns only the two rows around each percentile's position (p x (n - 1)), which are
  interpolated linearly, as percentile_cont does; both give the same numbers;
- notifications per rule (and how many were escalations): `outbox` rows of the SOP's tickets,
  by the notification's own time (`payload.created`, the service clock's time; the row's
  `created` column is the wall-clock time of the write).

The whole-SOP section is computed by its own queries (percentiles do not add up); the counts
per scope value add up to it, since a ticket has one scope value at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Integer, and_, case, distinct, func, select
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import InvalidData, UnknownRevision
from engine.reports.model import MonevReport, NotificationCount, Section, StepFigures
from engine.reports.step_runs import report_scope_field, step_unit
from engine.reports.tables import StepRunRow
from engine.spec.model import Spec
from engine.store import Store
from engine.store.tables import OutboxRow, TicketRow, TicketScopeRow

if TYPE_CHECKING:
    from engine.service import TicketService

__all__ = ["PERCENTILES", "month_of", "monev_for", "monev_report", "period_bounds"]

PERCENTILES = PCTS = (0.5, 0.9)
MAX_DAYS = 3700  # about ten years: a longer period is almost certainly a typo
_NOT_COUNTS = ("median", "p90", "finished_by")
Key = tuple[str, str | None]  # (step id, scope value)


def period_bounds(spec: Spec, first_day: date, end_day: date) -> tuple[datetime, datetime]:
    if end_day <= first_day:
        raise InvalidData(
            f"the period must end after it starts: from {first_day} to {end_day} "
            "(`to` is the day after the last day counted)",
            errors={"to": ["must be after `from`"]},
        )
    if (end_day - first_day).days > MAX_DAYS:
        raise InvalidData(
            f"the period from {first_day} to {end_day} is longer than {MAX_DAYS} days",
            errors={"to": [f"at most {MAX_DAYS} days after `from`"]},
        )
    zone = ZoneInfo(spec.calendar().time_zone)
    return datetime.combine(first_day, time(), zone), datetime.combine(end_day, time(), zone)


def month_of(spec: Spec, when: datetime) -> tuple[date, date]:
    day = when.astimezone(ZoneInfo(spec.calendar().time_zone)).date().replace(day=1)
    return day, (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def monev_report(
    store: Store,
    spec: Spec,
    first_day: date,
    end_day: date,
    *,
    scope: str | None = None,
    now: datetime,
) -> MonevReport:
    """The report of `spec.sop_id` (every revision's tickets; `spec` gives the steps and their
    order) for [first_day, end_day); `scope`: only tickets with that scope value."""
    start, end = period_bounds(spec, first_day, end_day)
    field = report_scope_field(spec)
    with store.read() as tx:
        q = _Queries(tx.conn, spec.sop_id, field, start, end, scope)
        total = q.section(None, spec, whole=True)
        parts = q.sections(spec) if field and scope is None else []
    return MonevReport(
        sop_id=spec.sop_id,
        revision=spec.revision,
        scope_field=field,
        time_zone=spec.calendar().time_zone,
        first_day=first_day,
        end_day=end_day,
        start=start,
        end=end,
        generated=now,
        total=replace(total, scope=scope),
        scopes=tuple(parts),
    )


class _Queries:
    def __init__(
        self,
        conn: Connection,
        sop_id: str,
        field: str | None,
        start: datetime,
        end: datetime,
        scope: str | None,
    ) -> None:
        self.conn, self.sop_id, self.field = conn, sop_id, field
        self.start, self.end, self.scope = start, end, scope
        self.postgres = conn.dialect.name == "postgresql"

    # -- assembling ---------------------------------------------------------------------------

    def section(self, value: str | None, spec: Spec, *, whole: bool) -> Section:
        by = None if whole else StepRunRow.scope_value
        received, closed = self._tickets(whole)
        steps = self._steps(spec, by)
        notes = self._notifications(whole)
        return Section(
            scope=value,
            tickets_received=received.get(None, 0),
            tickets_closed=closed.get(None, 0),
            steps=_complete(spec, steps.values()),
            notifications=tuple(notes.get(None, ())),
        )

    def sections(self, spec: Spec) -> list[Section]:
        received, closed = self._tickets(False)
        steps = self._steps(spec, StepRunRow.scope_value)
        notes = self._notifications(False)
        values = set(received) | set(closed) | {v for _, v in steps} | set(notes)
        out = []
        for value in sorted(values, key=lambda v: (v is None, v or "")):
            figures = [s for (_, v), s in steps.items() if v == value]
            out.append(
                Section(
                    scope=value,
                    tickets_received=received.get(value, 0),
                    tickets_closed=closed.get(value, 0),
                    steps=_complete(spec, figures),
                    notifications=tuple(notes.get(value, ())),
                )
            )
        return out

    # -- tickets ------------------------------------------------------------------------------

    def _ticket_scope(self) -> Any:
        return (
            select(TicketScopeRow.ticket_id, TicketScopeRow.value)
            .where(TicketScopeRow.name == (self.field or ""))
            .subquery()
        )

    def _tickets(self, whole: bool) -> tuple[dict[str | None, int], dict[str | None, int]]:
        scopes = self._ticket_scope()
        value = None if whole else scopes.c.value
        out = []
        for column in (TicketRow.created, TicketRow.closed):
            cols: list[Any] = [func.count()]
            stmt = (
                select(*([value] if value is not None else []), *cols)
                .select_from(TicketRow)
                .outerjoin(scopes, scopes.c.ticket_id == TicketRow.id)
                .where(
                    TicketRow.sop_id == self.sop_id,
                    column >= self.start,
                    column < self.end,
                    *self._scope_filter(scopes.c.value),
                )
            )
            if value is not None:
                stmt = stmt.group_by(value)
                out.append({r[0]: int(r[1]) for r in self.conn.execute(stmt)})
            else:
                out.append({None: int(self.conn.scalar(stmt) or 0)})
        return out[0], out[1]

    def _scope_filter(self, column: Any) -> list[ColumnElement[bool]]:
        return [] if self.scope is None else [column == self.scope]

    # -- steps --------------------------------------------------------------------------------

    def _runs(self, column: Any) -> list[ColumnElement[bool]]:
        return [
            StepRunRow.sop_id == self.sop_id,
            column >= self.start,
            column < self.end,
            *self._scope_filter(StepRunRow.scope_value),
        ]

    def _steps(self, spec: Spec, by: Any) -> dict[Key, StepFigures]:
        figures: dict[Key, dict[str, Any]] = defaultdict(dict)
        keys: list[Any] = [StepRunRow.step] + ([by] if by is not None else [])

        def key(row: Any) -> Key:
            return (row[0], row[1] if by is not None else None)

        n = len(keys)
        loop = StepRunRow.attempt > 1
        entered = select(
            *keys,
            func.count(),
            func.count(distinct(StepRunRow.ticket_id)),
            func.sum(case((loop, 1), else_=0)),
            func.count(distinct(case((loop, StepRunRow.ticket_id)))),
        ).where(*self._runs(StepRunRow.started))
        for r in self.conn.execute(entered.group_by(*keys)):
            figures[key(r)].update(
                entered=r[n], tickets_entered=r[n + 1], reentered=r[n + 2] or 0,
                tickets_reentered=r[n + 3],
            )  # fmt: skip
        limited = StepRunRow.due.is_not(None)
        finished = select(
            *keys,
            func.count(),
            func.sum(case((limited, 1), else_=0)),
            func.sum(case((and_(limited, StepRunRow.result == "met"), 1), else_=0)),
        ).where(*self._runs(StepRunRow.finished))
        for r in self.conn.execute(finished.group_by(*keys)):
            figures[key(r)].update(finished=r[n], with_limit=r[n + 1] or 0, met=r[n + 2] or 0)
        by_event = select(*keys, StepRunRow.by_event, func.count()).where(
            *self._runs(StepRunRow.finished)
        )
        for r in self.conn.execute(by_event.group_by(*keys, StepRunRow.by_event)):
            figures[key(r)].setdefault("finished_by", {})[r[n] or ""] = r[n + 1]
        for k, (unit, values) in self._percentiles(keys, by).items():
            if unit == step_unit(spec, k[0]) or "unit" not in figures[k]:
                figures[k].update(unit=unit, median=values[0], p90=values[1])
        return {k: _figures(spec, k[0], v) for k, v in figures.items()}

    def _percentiles(self, keys: list[Any], by: Any) -> dict[Key, tuple[str, list[float]]]:
        conds = [*self._runs(StepRunRow.finished), StepRunRow.elapsed.is_not(None)]
        groups = [*keys, StepRunRow.unit]
        n = len(keys)
        out: dict[Key, tuple[str, list[float]]] = {}
        if self.postgres:
            stmt = (
                select(
                    *groups,
                    *(
                        func.percentile_cont(p).within_group(StepRunRow.elapsed)
                        for p in PERCENTILES
                    ),
                )
                .where(*conds)
                .group_by(*groups)
            )
            for r in self.conn.execute(stmt):
                k = (r[0], r[1] if by is not None else None)
                out[k] = (r[n], [float(v) for v in r[n + 1 :]])
            return out
        return self._window_percentiles(groups, conds, by)

    def _window_percentiles(
        self, groups: list[Any], conds: list[ColumnElement[bool]], by: Any
    ) -> dict[Key, tuple[str, list[float]]]:
        ranked = (
            select(
                *(g.label(f"g{i}") for i, g in enumerate(groups)),
                StepRunRow.elapsed.label("v"),
                (
                    func.row_number().over(partition_by=groups, order_by=StepRunRow.elapsed) - 1
                ).label("i"),
                func.count().over(partition_by=groups).label("n"),
            )
            .where(*conds)
            .subquery()
        )
        cols = [ranked.c[f"g{i}"] for i in range(len(groups))]
        picks: list[Any] = []
        for p in PERCENTILES:
            lo = func.cast((ranked.c.n - 1) * p, Integer)
            picks.append(func.max(case((ranked.c.i == lo, ranked.c.v))))
            picks.append(func.max(case((ranked.c.i == lo + 1, ranked.c.v))))
        stmt = select(*cols, ranked.c.n, *picks).group_by(*cols, ranked.c.n)
        out: dict[Key, tuple[str, list[float]]] = {}
        g = len(groups)
        for r in self.conn.execute(stmt):
            count = int(r[g])
            values = []
            for j, p in enumerate(PERCENTILES):
                low, high = r[g + 1 + 2 * j], r[g + 2 + 2 * j]
                values.append(_interpolate(count, p, low, high))
            k = (r[0], r[1] if by is not None else None)
            out[k] = (r[g - 1], values)
        return out

    # -- notifications ------------------------------------------------------------------------

    def _notifications(self, whole: bool) -> dict[str | None, list[NotificationCount]]:
        scopes = self._ticket_scope()
        value = None if whole else scopes.c.value
        created = OutboxRow.payload["created"].as_string()
        rule = OutboxRow.payload["rule"].as_string()
        escalation = OutboxRow.payload["escalation"].as_boolean()
        keys: list[Any] = ([value] if value is not None else []) + [rule, escalation]
        stmt = (
            select(*keys, func.count())
            .select_from(OutboxRow)
            .join(TicketRow, TicketRow.id == OutboxRow.ticket_id)
            .outerjoin(scopes, scopes.c.ticket_id == TicketRow.id)
            .where(
                TicketRow.sop_id == self.sop_id,
                created >= _iso(self.start),
                created < _iso(self.end),
                *self._scope_filter(scopes.c.value),
            )
            .group_by(*keys)
        )
        out: dict[str | None, list[NotificationCount]] = defaultdict(list)
        for r in self.conn.execute(stmt):
            v, rest = (r[0], r[1:]) if value is not None else (None, r)
            out[v].append(NotificationCount(str(rest[0]), bool(rest[1]), int(rest[2])))
        for items in out.values():
            items.sort(key=lambda c: (c.escalation, c.rule))
        return out


def _iso(moment: datetime) -> str:
    """The service clock writes UTC times; their ISO text sorts in time order."""
    return moment.astimezone(UTC).isoformat()


def _interpolate(n: int, p: float, low: float | None, high: float | None) -> float | None:
    if low is None:
        return None
    pos = (n - 1) * p
    frac = pos - int(pos)
    if high is None or frac == 0:
        return float(low)
    return float(low) + (float(high) - float(low)) * frac


def _figures(spec: Spec, step_id: str, values: dict[str, Any]) -> StepFigures:
    try:
        step = spec.step(step_id)
        no, activity, limit = step.no, step.activity, step.time_limit
    except KeyError:  # a step of an older revision only
        no, activity, limit = 0, step_id, None
    values = dict(values)
    unit = values.pop("unit", None) or step_unit(spec, step_id)
    counts = {
        k: int(v or 0) for k, v in values.items() if k not in ("median", "p90", "finished_by")
    }
    return StepFigures(
        no=no,
        id=step_id,
        activity=activity,
        unit=unit,
        time_limit=str(limit) if limit is not None else None,
        median=values.get("median"),
        p90=values.get("p90"),
        finished_by=dict(sorted(values.get("finished_by", {}).items())),
        **counts,
    )


def _complete(spec: Spec, figures: Iterable[StepFigures]) -> tuple[StepFigures, ...]:
    """Every ticket step of `spec` in order (zeros where nothing happened), then steps only
    older revisions have."""
    found = {f.id: f for f in figures}
    out = [found.pop(s.id, None) or _figures(spec, s.id, {}) for s in spec.ticket_steps]
    return tuple(out) + tuple(sorted(found.values(), key=lambda f: f.id))


def monev_for(
    service: TicketService,
    sop_id: str,
    first_day: date | None = None,
    end_day: date | None = None,
    *,
    scope: str | None = None,
) -> MonevReport:
    """The report as the service sees it: the service's clock is `now`; the period defaults
    to the current month; the revision in force on the period's last day (or now, if that is
    earlier) gives the steps and their order (the latest revision, if none was in force)."""
    now = service.clock.now()
    spec = _in_force(service, sop_id, now)
    if first_day is None or end_day is None:
        month = month_of(spec, now)
        first_day, end_day = first_day or month[0], end_day or month[1]
    _, end = period_bounds(spec, first_day, end_day)
    spec = _in_force(service, sop_id, min(end - timedelta(microseconds=1), now))
    return monev_report(service.store, spec, first_day, end_day, scope=scope, now=now)


def _in_force(service: TicketService, sop_id: str, at: datetime) -> Spec:
    try:
        return service.catalog.effective(sop_id, at)
    except UnknownRevision:
        return service.catalog.get(sop_id)
