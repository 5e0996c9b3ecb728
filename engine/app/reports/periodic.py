"""Periodic steps run by the sweeper: each period that ended gets the notifications of its
`schedule:` rules (e.g. the seed's step 16, the monthly monev report to every agency) put in
the outbox, once.

    PeriodicJobs(service).run_once(now) -> int      notifications queued

For each SOP, the revision in force now names the periodic steps; `engine.core.schedule`
says which periods are due after the last one run (the `periodic_runs` table keeps, per SOP and
step, every period run). A step that never ran starts from the period of the SOP's first ticket,
so a fresh install does not send reports for years before it had data. Each notification to a
scoped actor (one per scope value that has tickets of the SOP) carries that value's monev
report of the period as text; a notification to anyone else carries the whole SOP's.

The period's row and its notifications commit in one transaction; the row's primary key keeps
two sweepers (or two processes) from running one period twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from engine.app.reports.monev import monev_report
from engine.app.reports.render import section_text
from engine.app.reports.step_runs import report_scope_field
from engine.core.model import Notification
from engine.core.revision import CompiledRevision
from engine.core.schedule import PeriodicRun, periodic_due, run_periodic
from engine.errors import SopError
from engine.spec.model import Spec
from engine.store.tables import PeriodicRunRow, TicketRow, TicketScopeRow

if TYPE_CHECKING:
    from engine.app.service import TicketService

log = logging.getLogger(__name__)

__all__ = ["PeriodicJobs"]


class PeriodicJobs:
    def __init__(self, service: TicketService) -> None:
        self.service = service

    def run_once(self, now: datetime | None = None) -> int:
        now = now or self.service.clock.now()
        queued = 0
        for sop_id in self.service.catalog.sop_ids():
            try:
                spec = self.service.catalog.effective(sop_id, now)
            except SopError:
                continue  # no revision in force yet
            if any(s.periodic for s in spec.steps):
                queued += self._run_sop(self.service.compiled(spec), now)
        return queued

    def _run_sop(self, rev: CompiledRevision, now: datetime) -> int:
        spec = rev.spec
        with self.service.store.read() as tx:
            last = dict(
                tx.conn.execute(
                    select(PeriodicRunRow.step, func.max(PeriodicRunRow.end))
                    .where(PeriodicRunRow.sop_id == spec.sop_id)
                    .group_by(PeriodicRunRow.step)
                ).all()
            )
            first = tx.conn.scalar(
                select(func.min(TicketRow.created)).where(TicketRow.sop_id == spec.sop_id)
            )
        if first is None:
            return 0
        queued = 0
        for run in periodic_due(rev, last, now, _period_floor(spec, first)):
            if self.service.stopping.is_set():  # the process stops: the rest on the next start
                break
            try:
                queued += self._run(rev, run, now)
            except SopError as exc:
                log.error("%s: periodic step %s, %s: %s", spec.key, run.step, run.period, exc)
        return queued

    def _run(self, rev: CompiledRevision, run: PeriodicRun, now: datetime) -> int:
        spec = rev.spec
        notes = run_periodic(rev, run, self._scope_values(spec), now)
        notes = [self._with_report(spec, run, note, now) for note in notes]
        scope_fields = {a.id: a.scope_field for a in spec.actors if a.scope_field}
        row = {
            "sop_id": spec.sop_id,
            "step": run.step,
            "period": run.period,
            "revision": spec.revision,
            "start": run.start,
            "end": run.end,
            "ran": now,
            "notifications": len(notes),
        }
        with self.service.store.write() as tx:
            try:
                with tx.conn.begin_nested():
                    tx.conn.execute(insert(PeriodicRunRow).values(row))
            except IntegrityError:
                return 0  # another worker ran this period
            tx.enqueue(notes, scope_fields, now)
        log.info(
            "%s: step %s for %s: %d notification(s)", spec.key, run.step, run.period, len(notes)
        )
        return len(notes)

    def _scope_values(self, spec: Spec) -> list[str]:
        field = report_scope_field(spec)
        if field is None:
            return []
        with self.service.store.read() as tx:
            return list(
                tx.conn.scalars(
                    select(TicketScopeRow.value)
                    .join(TicketRow, TicketRow.id == TicketScopeRow.ticket_id)
                    .where(TicketRow.sop_id == spec.sop_id, TicketScopeRow.name == field)
                    .distinct()
                )
            )

    def _with_report(
        self, spec: Spec, run: PeriodicRun, note: Notification, now: datetime
    ) -> Notification:
        zone = ZoneInfo(spec.calendar().time_zone)
        first, end = run.start.astimezone(zone).date(), run.end.astimezone(zone).date()
        report = monev_report(self.service.store, spec, first, end, scope=note.scope, now=now)
        title = f"{spec.identity.name} ({spec.sop_id}), {first.isoformat()} .. {end.isoformat()}"
        return replace(note, text=f"{note.text}\n\n{section_text(report.total, title)}")


def _period_floor(spec: Spec, first_ticket: datetime) -> datetime:
    """The Monday on or before the first of the month of the SOP's first ticket: the day, week
    and month periods that hold that ticket all start on or after it."""
    zone = ZoneInfo(spec.calendar().time_zone)
    first = first_ticket.astimezone(zone).date().replace(day=1)
    monday = first - timedelta(days=first.weekday())
    return datetime.combine(monday, time(), zone)
