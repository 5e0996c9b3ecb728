"""Each revision is compiled once (its Machine and its durable_rules ruleset) and held by the
service's resolver by content hash: not per event, not per ticket, not again on a reload."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.app.service import TicketService
from engine.errors import StoredRevisionMismatch
from engine.spec.catalog import Catalog
from engine.store.tables import RevisionRow

from .conftest import SOP


def test_tickets_of_one_revision_share_its_one_compiled_form(service, catalog, new):
    first, second = new(), new()
    rev = service.revision_for(first.ticket)
    assert rev.spec is catalog.get(SOP)
    assert service.revision_for(second.ticket) is rev
    assert service.compiled(catalog.get(SOP)) is rev
    service.post_event(first.id, "accept", "staff", {}, user=None)
    assert service.revision_for(service.get_ticket(first.id).ticket) is rev


def test_a_reload_of_the_same_files_compiles_nothing_again(service, catalog, new):
    made = new()
    rev = service.revision_for(made.ticket)
    service.use_catalog(catalog)
    assert service.revision_for(made.ticket) is rev


def test_a_revision_rebuilt_from_its_stored_texts_is_compiled_once(service, store, clock, new):
    first, second = new(), new()
    blank = TicketService(Catalog(), store, clock)  # loads no file: reads the stored texts
    rebuilt = blank.revision_for(first.ticket)
    assert rebuilt is not service.revision_for(first.ticket)
    assert rebuilt.content_hash == first.ticket.spec_hash
    assert blank.revision_for(second.ticket) is rebuilt
    assert blank.get_ticket(second.id).allowed_events == ("accept",)


STEP_1 = "accept: {by: [staff], to: monitor_channels,"


@pytest.mark.parametrize(
    "edited",
    [
        "accept: {by: [staff, agency], to: monitor_channels,",  # still loads: hashes otherwise
        "accept: {by: [staff], to: check_authority,",  # skips steps 2-4: no longer loads
    ],
)
def test_a_stored_revision_text_changed_in_the_database_is_refused_not_used(
    service, store, clock, new, edited
):
    """The store keeps each revision's text by its hash: a text edited there must neither
    decide nor describe the tickets pinned to that hash."""
    made = new()
    with store.write() as tx:
        text = tx.conn.scalar(select(RevisionRow.text))
        assert STEP_1 in text
        tx.conn.execute(update(RevisionRow).values(text=text.replace(STEP_1, edited)))
    blank = TicketService(Catalog(), store, clock)  # loads no file: reads the stored texts
    with pytest.raises(StoredRevisionMismatch, match="changed in the database") as refused:
        blank.get_ticket(made.id)
    assert f"{SOP}@r1 (hash {made.ticket.spec_hash[:12]})" in refused.value.message
    with pytest.raises(StoredRevisionMismatch):
        blank.post_event(made.id, "accept", "agency", {}, user="agency-1")
    assert service.get_ticket(made.id).version == made.version  # nothing was written
