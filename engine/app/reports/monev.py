"""The monev (monitoring and evaluation) report of one SOP over a period, computed in SQL.

    monev_report(store, spec, first_day, end_day, *, scope=None, now) -> MonevReport
    period_bounds(spec, first_day, end_day) -> (start, end)     the local days as UTC instants
    month_of(spec, when) -> (first_day, end_day)                the calendar month `when` is in

The period is [first_day, end_day) in the time zone of the SOP's default calendar. Every
figure comes from GROUP BY queries; no ticket is loaded into Python. The step_runs queries
read a covering index in their GROUP BY's order (engine.store.tables: SQLite would sort
every row otherwise) and check the period on each entry:

- tickets received / closed: `tickets` (created / closed in the period), grouped by the
  ticket's value of the report's scope field (`ticket_scopes`);
- per step: `step_runs` (engine.app.reports.step_runs) - runs entered (started in the period),
  loops (a ticket's 2nd and later visit to a step), runs finished, finished within the time
  limit, and the event that finished them;
- per step, the median and 90th percentile of the time taken, in the step's own unit: on
  PostgreSQL `percentile_cont(p) WITHIN GROUP (ORDER BY elapsed)`; SQLite has no percentile
  aggregate, so the elapsed times alone are fetched, in the order of the finished runs' groups
  (step, scope value, unit, finishing event) and sorted within each by the index they are read
  from; the group sizes come from the counts query, so no key travels with each value. Each
  group's percentiles are read off by position (p x (n - 1), interpolated linearly, as
  percentile_cont does), the whole's after joining a step's groups. Window functions
  (ROW_NUMBER() / COUNT(*) OVER a partition) gave the same numbers in 11 s for a year of
  830,000 runs; sorting the rows in the database (ORDER BY step, scope, unit, elapsed over a
  period-ordered index) in 3.5 s for the whole report; this, about 1 s (bench_monev.py);
- notifications per rule (and how many were escalations): `outbox` rows of the SOP's tickets,
  by the notification's own time (`payload.created`, the service clock's time; the row's
  `created` column is the wall-clock time of the write).

The whole SOP's percentiles are computed over all its runs (percentiles do not add up: on
PostgreSQL by their own query); its counts are the sums of the counts per scope value, since
a ticket has one scope value at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, case, distinct, func, select
from sqlalchemy.sql.elements import ColumnElement

from engine.app.reports.model import MonevReport, NotificationCount, Section, StepFigures
from engine.app.reports.source import ReportSource
from engine.app.reports.step_runs import report_scope_field, run_target, step_unit
from engine.errors import Conflict, InvalidData, UnknownRevision
from engine.spec.model import Spec, Step
from engine.store import Store
from engine.store.tables import OutboxRow, StepRunRow, TicketRow, TicketScopeRow

if TYPE_CHECKING:
    from engine.app.service import TicketService

__all__ = ["PERCENTILES", "month_of", "monev_for", "monev_report", "period_bounds"]

PERCENTILES = PCTS = (0.5, 0.9)
MAX_DAYS = 3700  # about ten years: a longer period is almost certainly a typo
_NOT_COUNTS = ("median", "p90", "finished_by")
Key = tuple[str, str | None]  # (step id, scope value)
Timing = tuple[Key, str, list[float]]  # key, unit, [median, p90]
Group = tuple[str, str | None, str, int]  # step, scope value, unit, runs with an elapsed time


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
    start, end = datetime.combine(first_day, time(), zone), datetime.combine(end_day, time(), zone)
    for name, bound in (("from", start), ("to", end)):
        try:
            bound.astimezone(UTC)  # as the store compares it
        except OverflowError:
            raise InvalidData(
                f"the period from {first_day} to {end_day} reaches outside the years 0001-9999 "
                "in UTC",
                errors={name: ["outside the years 0001-9999 in UTC"]},
            ) from None
    return start, end


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
        total, parts = _Queries(tx.conn, spec.sop_id, field, start, end, scope).build(spec)
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
        total=total,
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

    def build(self, spec: Spec) -> tuple[Section, list[Section]]:
        """The whole (or the one scope value asked for) and each scope value. Counts are
        queried once, grouped by scope value, and added up for the whole: a ticket has one
        scope value at a time. Percentiles do not add up: the whole gets its own query."""
        received, closed = self._tickets()
        notes = self._notifications()
        steps, whole_steps = self._steps(spec)
        total = Section(
            scope=self.scope,
            tickets_received=sum(received.values()),
            tickets_closed=sum(closed.values()),
            steps=_complete(spec, whole_steps.values()),
            notifications=_summed(notes.values()),
        )
        if self.field is None or self.scope is not None:
            return total, []
        values = set(received) | set(closed) | {v for _, v in steps} | set(notes)
        parts = []
        for value in sorted(values, key=lambda v: (v is None, v or "")):
            figures = [s for (_, v), s in steps.items() if v == value]
            parts.append(
                Section(
                    scope=value,
                    tickets_received=received.get(value, 0),
                    tickets_closed=closed.get(value, 0),
                    steps=_complete(spec, figures),
                    notifications=tuple(notes.get(value, ())),
                )
            )
        return total, parts

    # -- tickets ------------------------------------------------------------------------------

    def _ticket_scope(self) -> Any:
        return (
            select(TicketScopeRow.ticket_id, TicketScopeRow.value)
            .where(TicketScopeRow.name == (self.field or ""))
            .subquery()
        )

    def _tickets(self) -> tuple[dict[str | None, int], dict[str | None, int]]:
        scopes = self._ticket_scope()
        out = []
        for column in (TicketRow.created, TicketRow.closed):
            stmt = (
                select(scopes.c.value, func.count())
                .select_from(TicketRow)
                .outerjoin(scopes, scopes.c.ticket_id == TicketRow.id)
                .where(
                    TicketRow.sop_id == self.sop_id,
                    column >= self.start,
                    column < self.end,
                    *self._scope_filter(scopes.c.value),
                )
                .group_by(scopes.c.value)
            )
            out.append({r[0]: int(r[1]) for r in self.conn.execute(stmt)})
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

    def _steps(self, spec: Spec) -> tuple[dict[Key, StepFigures], dict[Key, StepFigures]]:
        """Figures per (step, scope value), and per step for the whole."""
        parts: dict[Key, dict[str, Any]] = defaultdict(dict)
        keys: list[Any] = [StepRunRow.step, StepRunRow.scope_value]
        loop = StepRunRow.attempt > 1
        entered = select(
            *keys,
            func.count(),
            func.count(distinct(StepRunRow.ticket_id)),
            func.sum(case((loop, 1), else_=0)),
            func.count(distinct(case((loop, StepRunRow.ticket_id)))),
        ).where(*self._runs(StepRunRow.started))
        for r in self.conn.execute(entered.group_by(*keys)):
            parts[(r[0], r[1])].update(
                entered=r[2], tickets_entered=r[3], reentered=r[4] or 0, tickets_reentered=r[5]
            )
        limited = StepRunRow.due.is_not(None)
        groups: list[Any] = [*keys, StepRunRow.unit, StepRunRow.by_event]
        finished = select(
            *groups,
            func.count(),
            func.sum(case((limited, 1), else_=0)),
            func.sum(case((and_(limited, StepRunRow.result == "met"), 1), else_=0)),
            func.count(StepRunRow.elapsed),
        ).where(*self._runs(StepRunRow.finished))
        timed: list[Group] = []  # (step, scope value, unit, runs with an elapsed time), in order
        for r in self.conn.execute(finished.group_by(*groups).order_by(*groups)):
            f = parts[(r[0], r[1])]
            by = f.setdefault("finished_by", {})
            by[r[3] or ""] = by.get(r[3] or "", 0) + r[4]  # an event may span two units
            for name, value in (("finished", r[4]), ("with_limit", r[5]), ("met", r[6])):
                f[name] = f.get(name, 0) + (value or 0)
            timed.append((r[0], r[1], r[2], int(r[7])))
        whole: dict[Key, dict[str, Any]] = defaultdict(dict)
        for (step_id, _), values in parts.items():
            into = whole[(step_id, None)]
            for name, value in values.items():
                if name == "finished_by":
                    events = into.setdefault("finished_by", {})
                    for event, count in value.items():
                        events[event] = events.get(event, 0) + count
                else:
                    into[name] = into.get(name, 0) + value
        for found, timings in zip((parts, whole), self._percentiles(timed), strict=True):
            for k, unit, pcts in timings:
                if unit == step_unit(spec, k[0]) or "unit" not in found[k]:
                    found[k].update(unit=unit, median=pcts[0], p90=pcts[1])
        return (
            {k: _figures(spec, k[0], v) for k, v in parts.items()},
            {k: _figures(spec, k[0], v) for k, v in whole.items()},
        )

    def _percentiles(self, timed: list[Group]) -> tuple[list[Timing], list[Timing]]:
        """(step, scope value) and (step, None) -> unit, [median, p90] of `elapsed`."""
        if self.postgres:
            return self._percentile_cont(StepRunRow.scope_value), self._percentile_cont(None)
        return self._sorted_percentiles(timed)

    def _conds(self) -> list[ColumnElement[bool]]:
        return [*self._runs(StepRunRow.finished), StepRunRow.elapsed.is_not(None)]

    def _percentile_cont(self, by: Any) -> list[Timing]:
        keys: list[Any] = [StepRunRow.step, StepRunRow.unit] + ([by] if by is not None else [])
        pcts = [func.percentile_cont(p).within_group(StepRunRow.elapsed) for p in PERCENTILES]
        stmt = select(*keys, *pcts).where(*self._conds()).group_by(*keys)
        n = len(keys)
        return [
            ((r[0], r[2] if by is not None else None), r[1], [float(v) for v in r[n:]])
            for r in self.conn.execute(stmt)
        ]

    def _sorted_percentiles(self, timed: list[Group]) -> tuple[list[Timing], list[Timing]]:
        """SQLite has no percentile aggregate: the elapsed times alone come back in the order
        of `timed` (the finished runs' groups: step, scope value, unit, finishing event, with
        their sizes, from the same snapshot), sorted within each group by the index they are
        read from, so no key travels with each value; each (step, scope value, unit) merges
        its events' runs, the whole each step's scope values, and the percentiles are read off
        by position, as percentile_cont does."""
        keys = (StepRunRow.step, StepRunRow.scope_value, StepRunRow.unit, StepRunRow.by_event)
        stmt = select(StepRunRow.elapsed).where(*self._conds()).order_by(*keys, StepRunRow.elapsed)
        result = self.conn.execute(stmt)
        # The DBAPI cursor's own rows: SQLite returns REALs as floats, and building a SQLAlchemy
        # row per value took twice as long as fetching them all (830,000 for a year).
        values = [row[0] for row in result.cursor.fetchall()]
        result.close()
        if len(values) != sum(n for *_, n in timed):
            raise Conflict("the step runs changed while the report was read: ask again")
        parts: dict[tuple[str, str | None, str], list[float]] = {}
        at = 0
        for step, scope, unit, n in timed:
            parts.setdefault((step, scope, unit), []).extend(values[at : at + n])
            at += n
        whole: dict[tuple[str, str], list[float]] = defaultdict(list)
        part_timings: list[Timing] = []
        for (step, scope, unit), runs in parts.items():
            if not runs:
                continue
            runs.sort()  # a few sorted runs (one per event): merged in linear time
            part_timings.append(((step, scope), unit, [_percentile(runs, p) for p in PCTS]))
            whole[(step, unit)].extend(runs)
        whole_timings: list[Timing] = []
        for (step, unit), runs in whole.items():
            runs.sort()
            whole_timings.append(((step, None), unit, [_percentile(runs, p) for p in PCTS]))
        return part_timings, whole_timings

    # -- notifications ------------------------------------------------------------------------

    def _notifications(self) -> dict[str | None, list[NotificationCount]]:
        scopes = self._ticket_scope()
        created = OutboxRow.payload["created"].as_string()
        rule = OutboxRow.payload["rule"].as_string()
        escalation = OutboxRow.payload["escalation"].as_boolean()
        keys: list[Any] = [scopes.c.value, rule, escalation]
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
            out[r[0]].append(NotificationCount(str(r[1]), bool(r[2]), int(r[3])))
        for items in out.values():
            items.sort(key=lambda c: (c.escalation, c.rule))
        return out


def _summed(groups: Iterable[list[NotificationCount]]) -> tuple[NotificationCount, ...]:
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for items in groups:
        for n in items:
            counts[(n.rule, n.escalation)] += n.count
    ordered = sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    return tuple(NotificationCount(rule, esc, count) for (rule, esc), count in ordered)


def _iso(moment: datetime) -> str:
    """The service clock writes UTC times; their ISO text sorts in time order."""
    return moment.astimezone(UTC).isoformat()


def _percentile(values: list[float], p: float) -> float:
    """Of sorted `values`, with linear interpolation between the closest ranks, as
    PostgreSQL's percentile_cont: position p x (n - 1)."""
    pos = (len(values) - 1) * p
    low = int(pos)
    frac = pos - low
    if frac == 0 or low + 1 >= len(values):
        return float(values[low])
    return float(values[low]) + (float(values[low + 1]) - float(values[low])) * frac


def _figures(spec: Spec, step_id: str, values: dict[str, Any]) -> StepFigures:
    try:
        step, signoff = run_target(spec, step_id)  # a step, or one of its sign-offs
        no, activity, limit = step.no, step.activity, step.time_limit
        if signoff is not None:
            activity, limit = signoff.text, signoff.time_limit
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


def _steps(spec: Spec) -> tuple[Step, ...]:
    return spec.ticket_steps


def _complete(spec: Spec, figures: Iterable[StepFigures]) -> tuple[StepFigures, ...]:
    """Every ticket step of `spec` in order (zeros where nothing happened), then steps only
    older revisions have."""
    found = {f.id: f for f in figures}
    names = [n for s in _steps(spec) for n in (s.id, *(f"{s.id}.{o.id}" for o in s.signoffs))]
    out = [found.pop(n) if n in found else _figures(spec, n, {}) for n in names]
    return tuple(out) + tuple(sorted(found.values(), key=lambda f: f.id))


def monev_for(
    service: TicketService,
    sop_id: str,
    first_day: date | None = None,
    end_day: date | None = None,
    *,
    scope: str | None = None,
    source: ReportSource | None = None,
) -> MonevReport:
    """The report as the service sees it: the service's clock is `now`; the period defaults
    to the current month; the revision in force on the period's last day (or now, if that is
    earlier) gives the steps and their order (the latest revision, if none was in force).
    `source`: where its rows are read (a read replica); the service's store by default."""
    now = service.clock.now()
    spec = _in_force(service, sop_id, now)
    if first_day is None or end_day is None:
        month = month_of(spec, now)
        first_day, end_day = first_day or month[0], end_day or month[1]
    _, end = period_bounds(spec, first_day, end_day)
    spec = _in_force(service, sop_id, min(end - timedelta(microseconds=1), now))
    with (source or ReportSource(service.store)).reading() as store:
        return monev_report(store, spec, first_day, end_day, scope=scope, now=now)


def _in_force(service: TicketService, sop_id: str, at: datetime) -> Spec:
    try:
        return service.catalog.effective(sop_id, at)
    except UnknownRevision:
        return service.catalog.get(sop_id)
