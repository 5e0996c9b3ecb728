"""Catching a ticket up: what the sweeper, the scenario runner and the replay all rely on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.core import CompiledRevision, catch_up, compile_revision, new_ticket
from engine.core.model import Ticket
from engine.errors import EventNotAllowed
from tests.support.seed import MONDAY
from tests.unit.rules.rules_helpers import tiny_spec

NAG = [
    {
        "id": "late",
        "when": {"deadline": "intake"},
        "then": [{"start_timer": {"name": "nag", "every": "1 hour"}}],
    },
    {
        "id": "nag",
        "when": {"timer": "nag"},
        "then": [{"notify": {"to": "boss", "template": "late"}}],
    },
]
GIVE_UP = {  # `done` is not allowed at intake: the third reminder is refused
    "id": "give-up",
    "when": {"timer": "nag", "count": {"gte": 2}},
    "then": [{"fire": {"event": "done"}}],
}
DUE = MONDAY + timedelta(days=1)  # intake's 1 working day


@pytest.fixture(scope="module")
def nag() -> CompiledRevision:
    return compile_revision(tiny_spec(NAG, revision="catch-up"))


def opened(rev: CompiledRevision) -> Ticket:
    return new_ticket(rev, "C-1", {}, MONDAY).ticket


def applied(caught) -> list[tuple[str, datetime]]:
    return [(o.log[0].event, o.log[0].at) for o in caught.outcomes]


def test_each_due_event_is_applied_at_its_own_time_and_what_it_starts_is_asked_for(nag):
    caught = catch_up(nag, opened(nag), DUE + timedelta(hours=3, minutes=30), most=100)
    # the deadline starts the timer; catching up finds it due and fires it, every hour
    assert applied(caught) == [
        ("deadline", DUE),
        ("timer", DUE + timedelta(hours=1)),
        ("timer", DUE + timedelta(hours=2)),
        ("timer", DUE + timedelta(hours=3)),
    ]
    assert caught.ticket == caught.outcomes[-1].ticket
    assert (caught.refused, caught.error, caught.capped) == (None, None, False)


def test_nothing_due_is_nothing_applied(nag):
    ticket = opened(nag)
    caught = catch_up(nag, ticket, DUE - timedelta(minutes=1), most=100)
    assert (caught.ticket, caught.outcomes, caught.combined()) == (ticket, (), None)


def test_the_cap_stops_it_and_a_second_call_carries_on_where_it_stopped(nag):
    until = DUE + timedelta(hours=3, minutes=30)
    whole = catch_up(nag, opened(nag), until, most=100)
    first = catch_up(nag, opened(nag), until, most=2)
    assert first.capped and len(first.outcomes) == 2
    rest = catch_up(nag, first.ticket, until, most=100)
    assert not rest.capped
    assert applied(first) + applied(rest) == applied(whole)
    assert rest.ticket == whole.ticket


def test_a_refused_event_stops_it_and_is_returned_with_what_came_before():
    rev = compile_revision(tiny_spec([*NAG, GIVE_UP], revision="give-up"))
    caught = catch_up(rev, opened(rev), DUE + timedelta(hours=5), most=100)
    assert [e for e, _ in applied(caught)] == ["deadline", "timer", "timer"]
    assert caught.refused is not None and caught.refused.occurred_at == DUE + timedelta(hours=3)
    assert isinstance(caught.error, EventNotAllowed)
    assert caught.ticket == caught.outcomes[-1].ticket  # the refused event changed nothing


def test_combined_is_one_outcome_for_one_transaction(nag):
    caught = catch_up(nag, opened(nag), DUE + timedelta(hours=2, minutes=30), most=100)
    combined = caught.combined()
    assert combined is not None
    assert combined.ticket == caught.ticket
    assert combined.log == tuple(e for o in caught.outcomes for e in o.log)
    assert [n.rule for n in combined.notifications] == ["nag", "nag"]
    assert combined.deadlines == caught.outcomes[-1].deadlines


def test_without_notifications_it_decides_the_same_and_writes_no_message(nag):
    """What the replay asks for (`notify=False`): the same tickets and log, no reminders."""
    until = DUE + timedelta(hours=3, minutes=30)
    told = catch_up(nag, opened(nag), until, most=100)
    quiet = catch_up(nag, opened(nag), until, most=100, notify=False)
    assert len([n for o in told.outcomes for n in o.notifications]) == 3
    assert [n for o in quiet.outcomes for n in o.notifications] == []
    assert quiet.ticket == told.ticket
    assert [o.log for o in quiet.outcomes] == [o.log for o in told.outcomes]
