"""`sop audit verify` replays each ticket's log and finds every row edited beside it: the ticket's
record, its finished runs, its scope rows, deadlines, step_runs and outbox notifications, the
periodic runs, and a stored revision's text. Each difference is located by ticket, table, row
and column."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select, update

from engine.app.audit import verify_store
from engine.app.sweeper import Sweeper
from engine.cli import main
from engine.core.masking import MASK
from engine.store import Store
from engine.store.tables import (
    DeadlineRow,
    OutboxRow,
    PeriodicRunRow,
    RevisionRow,
    StepRunRow,
    TicketRow,
    TicketRunRow,
    TicketScopeRow,
)
from tests.support.seed import WIB

from .conftest import Seeded, append_forged


def where(store: Store) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """(ticket, table, row key, column, kind) of every problem, in report order."""
    return [(p.ticket_id, p.table, p.key, p.column, p.kind) for p in verify_store(store).problems]


def execute(store: Store, *statements: Any) -> None:
    with store.write() as tx:
        for stmt in statements:
            tx.conn.execute(stmt)


def scalar(store: Store, stmt: Any) -> Any:
    with store.read() as tx:
        return tx.conn.execute(stmt).first()


def test_a_store_written_by_the_service_replays_clean(store, seeded: Seeded):
    report = verify_store(store)
    assert report.ok, [p.format() for p in report.problems]
    assert (report.tickets, report.replayed, report.revisions) == (3, 3, 1)


def test_an_edited_ticket_record_is_found_by_key(store, seeded: Seeded):
    record = scalar(store, select(TicketRow.record).where(TicketRow.id == seeded.done)).record
    fields = {**record["fields"], "category": "Lainnya", "reporter_name": "Orang Lain"}
    execute(
        store,
        update(TicketRow)
        .where(TicketRow.id == seeded.done)
        .values(record={**record, "fields": fields}, status="Selesai"),
    )
    problems = verify_store(store).problems
    found = {(p.ticket_id, p.table, p.column, p.kind): (p.stored, p.replayed) for p in problems}
    assert found[(seeded.done, "tickets", "record.fields.category", "differs")] == (
        "Lainnya",
        "Infrastruktur",
    )
    # A personal field's values are not repeated in the report.
    assert found[(seeded.done, "tickets", "record.fields.reporter_name", "differs")] == (
        MASK,
        MASK,
    )
    assert (seeded.done, "tickets", "status", "differs") in found
    assert {p.ticket_id for p in problems} == {seeded.done}
    assert "Orang Lain" not in str([p.as_data() for p in problems])


def test_an_edited_or_deleted_finished_run_is_found(store, seeded: Seeded):
    # The runs a ticket finished are stored apart from its record, once each: an edit of one
    # (a breached step made "met") or its deletion is found as any other row's.
    first = scalar(
        store,
        select(TicketRunRow.run).where(
            TicketRunRow.ticket_id == seeded.done, TicketRunRow.visit == 0
        ),
    ).run
    execute(
        store,
        update(TicketRunRow)
        .where(TicketRunRow.ticket_id == seeded.done, TicketRunRow.visit == 0)
        .values(run={**first, "result": "breached"}),
        delete(TicketRunRow).where(TicketRunRow.ticket_id == seeded.done, TicketRunRow.visit == 1),
    )
    found = where(store)
    assert (seeded.done, "ticket_runs", "0", "run.result", "differs") in found
    assert (seeded.done, "ticket_runs", "1", None, "missing") in found
    assert {ticket for ticket, *_ in found} == {seeded.done}


def test_a_scope_row_added_or_changed_is_found(store, seeded: Seeded):
    """The scope rows are what an agency's list shows: a row added would show it a ticket."""
    execute(
        store,
        insert(TicketScopeRow).values(ticket_id=seeded.fresh, name="agency", value="DSDABM"),
        update(TicketScopeRow)
        .where(TicketScopeRow.ticket_id == seeded.done)
        .values(value="DPRKPP"),
    )
    assert where(store) == [
        (seeded.done, "ticket_scopes", "agency", "value", "differs"),
        (seeded.fresh, "ticket_scopes", "agency", None, "extra"),
    ]


def test_a_deadline_moved_or_deleted_is_found(store, seeded: Seeded):
    due = scalar(store, select(DeadlineRow.due).where(DeadlineRow.ticket_id == seeded.done)).due
    execute(
        store,
        update(DeadlineRow)
        .where(DeadlineRow.ticket_id == seeded.done)
        .values(due=due + timedelta(days=30)),
        delete(DeadlineRow).where(DeadlineRow.ticket_id == seeded.late),
    )
    problems = verify_store(store).problems
    assert [(p.ticket_id, p.table, p.key, p.column, p.kind) for p in problems] == [
        (seeded.done, "deadlines", "sla:await_confirmation", "due", "differs"),
        (seeded.late, "deadlines", "timer:first_response_reminder", None, "missing"),
    ]
    assert problems[0].replayed == due.isoformat().replace("+00:00", "Z")


def test_an_edited_step_run_is_found(store, seeded: Seeded):
    """A late step made to read as met in the monev report."""
    breached = scalar(
        store,
        select(StepRunRow.visit).where(
            StepRunRow.ticket_id == seeded.late, StepRunRow.breached.is_(True)
        ),
    ).visit
    execute(
        store,
        update(StepRunRow)
        .where(StepRunRow.ticket_id == seeded.late, StepRunRow.visit == breached)
        .values(breached=False),
    )
    problems = verify_store(store).problems
    assert [(p.ticket_id, p.table, p.key, p.column, p.stored, p.replayed) for p in problems] == [
        (seeded.late, "step_runs", str(breached), "breached", False, True)
    ]


def test_an_outbox_notification_edited_deleted_or_added_is_found(store, seeded: Seeded):
    with store.read() as tx:
        notes = tx.conn.execute(
            select(OutboxRow.notification_id, OutboxRow.payload)
            .where(OutboxRow.ticket_id == seeded.late)
            .order_by(OutboxRow.id)
        ).all()
    assert len(notes) >= 2
    edited, deleted = notes[0], notes[1]
    execute(
        store,
        update(OutboxRow)
        .where(OutboxRow.notification_id == edited.notification_id)
        .values(payload={**edited.payload, "text": "Abaikan pengaduan ini"}),
        delete(OutboxRow).where(OutboxRow.notification_id == deleted.notification_id),
        insert(OutboxRow).values(
            notification_id="forged-1",
            ticket_id=seeded.fresh,
            to_actor="agency",
            payload={**edited.payload, "id": "forged-1", "ticket_id": seeded.fresh},
            next_attempt_at=datetime(2025, 1, 6, tzinfo=WIB),
            created=datetime(2025, 1, 6, tzinfo=WIB),
        ),
    )
    problems = verify_store(store).problems
    assert sorted((p.ticket_id, p.key, p.column, p.kind) for p in problems) == sorted(
        [
            (seeded.late, edited.notification_id, "payload.text", "differs"),
            (seeded.late, deleted.notification_id, None, "missing"),
            (seeded.fresh, "forged-1", None, "extra"),
        ]
    )
    text = next(p for p in problems if p.kind == "differs")
    # Texts are shown by their hash: a notification may quote personal data.
    assert str(text.stored).startswith("sha256:") and str(text.replayed).startswith("sha256:")


def test_an_edited_stored_revision_text_is_found_and_its_tickets_are_not_replayed(
    store, seeded: Seeded
):
    row = scalar(store, select(RevisionRow.spec_hash, RevisionRow.text))
    edited = row.text + "\n# edited in the database\n"
    execute(
        store, update(RevisionRow).where(RevisionRow.spec_hash == row.spec_hash).values(text=edited)
    )
    report = verify_store(store)
    (problem,) = report.problems
    assert (problem.kind, problem.table, problem.key) == (
        "revision",
        "revisions",
        row.spec_hash[:12],
    )
    assert "changed in the database" in problem.message
    assert "3 ticket(s) on it were not replayed" in problem.message
    assert report.replayed == 0


def test_a_log_whose_revision_decides_otherwise_is_reported_where_it_parts(store, seeded: Seeded):
    """A chain rewritten whole (fresh hashes) can still not hold what the revision decides: an
    event its step does not accept is found at its position by the replay."""
    seq = append_forged(
        store, seeded.fresh, event="validated", actor="staff", data={}, to_state="end"
    )
    assert verify_store(store, chain_only=True).ok  # the chain alone holds
    problems = verify_store(store).problems
    assert [(p.ticket_id, p.seq, p.kind) for p in problems] == [(seeded.fresh, seq, "replay")]
    assert "'validated'" in problems[0].message and "does not replay" in problems[0].message


# -- periodic runs ------------------------------------------------------------------------------


@pytest.fixture
def reported(service, clock, seeded: Seeded) -> Seeded:
    """January's monev report sent (step 16): a periodic run and its notifications."""
    clock.set(datetime(2025, 2, 1, 0, 5, tzinfo=WIB))
    Sweeper(service).run_once()
    with service.store.read() as tx:
        assert tx.conn.execute(select(PeriodicRunRow)).all()
    return seeded


def test_periodic_runs_and_their_notifications_verify_clean(store, reported: Seeded):
    report = verify_store(store)
    assert report.ok, [p.format() for p in report.problems]
    assert report.periodic_runs == 1


def test_a_periodic_notification_deleted_or_a_run_edited_is_found(store, reported: Seeded):
    with store.read() as tx:
        (note,) = tx.conn.execute(
            select(OutboxRow.notification_id, OutboxRow.payload).where(OutboxRow.ticket_id == "")
        ).all()
    execute(
        store,
        update(PeriodicRunRow).values(start=datetime(2024, 12, 1, tzinfo=WIB)),
        update(OutboxRow)
        .where(OutboxRow.notification_id == note.notification_id)
        .values(payload={**note.payload, "to": "team_leader"}),
    )
    key = "surabaya-complaints/monev_report/2025-01"
    assert where(store) == [
        ("", "periodic_runs", key, "start", "differs"),
        ("", "outbox", note.notification_id, "payload.to", "differs"),
    ]
    execute(store, delete(OutboxRow).where(OutboxRow.notification_id == note.notification_id))
    assert ("", "periodic_runs", key, "notifications", "differs") in where(store)


# -- the command --------------------------------------------------------------------------------


def test_the_command_names_table_row_and_column(database, store, seeded: Seeded):
    execute(
        store,
        update(TicketScopeRow).where(TicketScopeRow.ticket_id == seeded.done).values(value="X"),
    )
    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", database.reader_url])
    assert result.exit_code == 1, result.output
    assert (
        f"{seeded.done} ticket_scopes[agency].value: differs: value is 'X' in the store, "
        "but the log gives 'DSDABM'" in result.output
    )
    assert "replayed 3" in result.output


def test_a_notification_masked_with_an_earlier_personal_value_replays_clean(store, service, clock):
    """The service masks, in what it sends, a personal value the log held before (a name
    corrected since): the replay saves its notifications the same way."""
    from tests.support.seed import OTHER_CHANNEL, ROUTING

    from .conftest import SOP, TO_ROUTING

    fields = {**OTHER_CHANNEL, "complaint_text": "Saya Budi Santoso, jalan berlubang"}
    made = service.create_ticket(SOP, fields, actor="staff", user="operator-1")
    for type_, actor, data in TO_ROUTING:
        if type_ == "entered":
            data = {**ROUTING, "reporter_name": "Budi Hartono"}
        clock.advance(timedelta(minutes=30))
        service.post_event(made.id, type_, actor, data, user=f"{actor}-1")
    with store.read() as tx:
        texts = tx.conn.scalars(
            select(OutboxRow.payload["text"].as_string()).where(OutboxRow.ticket_id == made.id)
        ).all()
    assert any("Saya ***, jalan berlubang" in t for t in texts)  # the earlier name, masked
    report = verify_store(store)
    assert report.ok, [p.format() for p in report.problems]
