"""Compare an `expect` block with the session's ticket: a Mismatch for each check that fails.

Only the checks the author wrote are compared. Notifications are those produced since the
previous `expect` block (every block starts a new window, whether or not it checks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.authoring.scenario.model import (
    DeadlineExpectation,
    Expect,
    NotificationExpectation,
    StepRef,
)
from engine.authoring.scenario.session import Session, show_deadline, show_time
from engine.core import allowed_events, pending_deadlines
from engine.core.model import Deadline, Notification, Ticket
from engine.spec.labels import event_named
from engine.spec.model import END, Spec


@dataclass(frozen=True)
class Mismatch:
    check: str  # the expect key, e.g. "state" or "notifications"
    expected: str
    actual: str
    line: int = 0


def compare(session: Session, ex: Expect) -> list[Mismatch]:
    spec, ticket = session.spec, session.ticket
    assert ticket is not None
    produced = session.take_notifications()
    out: list[Mismatch] = []

    def miss(check: str, expected: Any, actual: Any) -> None:
        out.append(Mismatch(check, str(expected), str(actual), ex.at(check).line))

    if ex.state is not None:
        want = step_id(spec, ex.state)
        if ticket.state != want:
            miss("state", session.show_state(want), session.show_state(ticket.state))
    if ex.status is not None and not _status_matches(spec, ticket.status, ex.status):
        miss("status", ex.status, session.show_status(ticket.status))
    for key, want_value in (ex.fields or {}).items():
        have = ticket.fields.get(key)
        if not _same_value(have, want_value):
            miss("fields", f"{key} = {want_value!r}", f"{key} = {have!r}")
    if ex.notifications is not None:
        missing, extra = _match(ex.notifications, produced)
        if missing or (ex.only_notifications and extra):
            miss(
                "notifications", _list(ex.notifications, _show_wanted), _list(produced, _show_note)
            )
    if ex.no_notifications and produced:
        miss("no_notifications", "no notifications", _list(produced, _show_note))
    pending = pending_deadlines(ticket)
    if ex.deadlines is not None:
        bad = _deadlines_mismatch(spec, ex.deadlines, pending, ex.only_deadlines)
        if bad:
            want = _list(ex.deadlines, lambda d: _show_wanted_deadline(spec, d))
            miss("deadlines", want, _list(pending, lambda d: show_deadline(spec, d)))
    if ex.no_deadlines and pending:
        miss(
            "no_deadlines",
            "no pending deadlines",
            _list(pending, lambda d: show_deadline(spec, d)),
        )
    for ref, results in ex.sla:
        sid = step_id(spec, ref)
        have = sla_results(ticket, sid)
        ok = have == list(results) if len(results) > 1 else bool(have) and have[-1] == results[0]
        if not ok:
            miss("sla", f"{session.show_state(sid)}: {', '.join(results)}", _sla_text(have))
    if ex.paused is not None:
        paused = ticket.active is not None and ticket.active.paused_at is not None
        if paused != ex.paused:
            miss("paused", ex.paused, paused)
    if ex.allowed_events is not None:
        have_events = allowed_events(session.rev, ticket)
        if sorted(have_events) != sorted(ex.allowed_events):
            shown = [event_named(spec, e, ticket.state) for e in have_events]
            miss("allowed_events", ", ".join(ex.allowed_events), ", ".join(shown) or "none")
    if ex.closed is not None and (ticket.closed is not None) != ex.closed:
        miss("closed", ex.closed, ticket.closed is not None)
    return out


def step_id(spec: Spec, ref: StepRef) -> str:
    if isinstance(ref, int):
        return spec.step_by_no(ref).id
    return ref if ref == END else spec.step(ref).id


def sla_results(ticket: Ticket, sid: str) -> list[str]:
    """Each visit's result in order; a visit still running shows breached (its deadline
    passed) or running."""
    have = [str(run.result) for run in ticket.history if run.step == sid]
    if ticket.active is not None and ticket.active.step == sid:
        have.append("breached" if ticket.active.breached_at else "running")
    return have


def _sla_text(have: list[str]) -> str:
    return ", ".join(have) if have else "the step was never visited"


def _status_matches(spec: Spec, status: str | None, want: str) -> bool:
    if status is None:
        return False
    return status == want or spec.status(status).label == want


def _same_value(have: Any, want: Any) -> bool:
    return have == want or (have is not None and str(have) == str(want))


def _note_matches(want: NotificationExpectation, note: Notification) -> bool:
    return (
        want.to == note.to
        and want.template == note.template
        and (want.escalation is None or want.escalation == note.escalation)
        and (want.channel is None or want.channel == note.channel)
        and (want.scope is None or want.scope == note.scope)
        and (want.text_contains is None or want.text_contains in note.text)
    )


def _match(
    wanted: tuple[NotificationExpectation, ...], produced: list[Notification]
) -> tuple[list[NotificationExpectation], list[Notification]]:
    """Pair each wanted notification with a distinct produced one, in order of production."""
    left = list(produced)
    missing = []
    for want in wanted:
        found = next((n for n in left if _note_matches(want, n)), None)
        if found is None:
            missing.append(want)
        else:
            left.remove(found)
    return missing, left


def _deadlines_mismatch(
    spec: Spec, wanted: tuple[DeadlineExpectation, ...], pending: list[Deadline], only: bool
) -> bool:
    left = list(pending)
    for want in wanted:
        name = step_id(spec, want.name) if want.kind == "sla" else want.name
        found = next(
            (
                d
                for d in left
                if d.kind == want.kind
                and d.name == name
                and (want.due is None or d.due == want.due)
            ),
            None,
        )
        if found is None:
            return True
        left.remove(found)
    return only and bool(left)


def _list(items: Any, show: Any) -> str:
    shown = [show(i) for i in items]
    return "; ".join(shown) if shown else "none"


def _show_note(note: Notification) -> str:
    extra = [
        "escalation" if note.escalation else "",
        f"channel={note.channel}" if note.channel else "",
        f"scope={note.scope}" if note.scope else "",
    ]
    tail = ", ".join(e for e in extra if e)
    return f"to {note.to}: {note.template}" + (f" ({tail})" if tail else "")


def _show_wanted(want: NotificationExpectation) -> str:
    extra = [
        "escalation" if want.escalation else "",
        "no escalation" if want.escalation is False else "",
        f"channel={want.channel}" if want.channel else "",
        f"scope={want.scope}" if want.scope else "",
        f"text containing {want.text_contains!r}" if want.text_contains else "",
    ]
    tail = ", ".join(e for e in extra if e)
    return f"to {want.to}: {want.template}" + (f" ({tail})" if tail else "")


def _show_wanted_deadline(spec: Spec, d: DeadlineExpectation) -> str:
    name = step_id(spec, d.name) if d.kind == "sla" else d.name
    what = f"step {name}" if d.kind == "sla" else f"timer {name}"
    return what + (f" due {show_time(spec, d.due)}" if d.due else "")
