"""What the store writes: each entry chained to the one before by hash, with its decision
records (the rules that fired, what they saw, personal fields masked)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.core.model import LogEntry, RuleFiring
from engine.spec.catalog import load_catalog
from engine.store import Store, codec
from engine.store.chain import GENESIS, canonical, entry_hash
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT

from .conftest import SOP, Seeded, rows


def test_each_entry_links_to_the_previous_one_of_its_ticket(store, seeded: Seeded):
    for ticket_id in seeded.ids:
        prev = GENESIS
        for row in rows(store, ticket_id):
            assert row.prev_hash == prev
            assert row.entry_hash == entry_hash(codec.decode(LogEntry, row.entry), prev)
            prev = row.entry_hash
    heads = {rows(store, t)[0].entry_hash for t in seeded.ids}
    assert len(heads) == 3  # the same first step on three tickets still hashes apart


def test_the_hash_is_sha256_of_sorted_compact_json_with_utc_times(store, seeded: Seeded):
    row = rows(store, seeded.done)[0]  # created on Monday at 09:00 in Surabaya
    entry = dict(row.entry)
    entry["at"] = datetime.fromisoformat(entry["at"]).astimezone(UTC).isoformat()
    entry["at"] = entry["at"].replace("+00:00", "Z")
    text = json.dumps(
        {"entry": entry, "prev": GENESIS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert hashlib.sha256(text.encode()).hexdigest() == row.entry_hash
    assert entry["at"] == "2025-01-06T02:00:00Z"
    assert entry["spec_hash"] == row.spec_hash and len(row.spec_hash) == 64


def test_the_same_moment_in_another_zone_hashes_the_same():
    at = datetime(2025, 1, 6, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    assert (
        canonical({"at": at})
        == canonical({"at": at.astimezone(UTC)})
        == ('{"at":"2025-01-06T02:00:00Z"}')
    )


def test_rules_that_fired_are_kept_with_the_inputs_they_read(store, seeded: Seeded):
    entries = [codec.decode(LogEntry, r.entry) for r in rows(store, seeded.late)]
    firings = {f.rule: (e, f) for e in entries for f in e.rules}
    entry, late = firings["first-response-late"]
    assert entry.event == "deadline" and entry.spec_hash == entries[0].spec_hash
    assert late.trigger == "deadline:await_agency_response"
    assert late.actions == ("notify", "start_timer")
    assert late.inputs == {"trigger": "deadline", "name": "await_agency_response"}
    _, reminder = firings["first-response-reminder"]
    assert reminder.inputs == {"trigger": "timer", "name": "first_response_reminder", "count": 0}
    assert reminder.reason == "timer:first_response_reminder and count 0 < 1"


def _with_probe_rule(tmp_path: Path) -> Path:
    """The seed SOP with one more rule, reading a personal field and an ordinary one."""
    shutil.copytree(ROOT / "sop" / SOP, tmp_path / "sop" / SOP)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    rules = tmp_path / "rules" / "surabaya-complaints-r1.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + """
  - id: probe-reads-a-personal-field
    when:
      event: accept
      if: {all: [{field: reporter_name, is_set: true}, {field: channel, equals: instagram}]}
    then:
      - notify: {to: staff, template: remind_first_response}
""",
        encoding="utf-8",
    )
    return tmp_path


def test_personal_fields_a_rule_read_are_masked_in_its_decision_record(database, tmp_path):
    root = _with_probe_rule(tmp_path)
    catalog = load_catalog(root / "sop", root / "rules")
    store: Store = database.open()
    try:
        service = TicketService(catalog, store, ManualClock(MONDAY))
        made = service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="op")
        result = service.post_event(made.id, "accept", "staff", {}, user="op")
        (firing,) = result.log[0].rules
        stored = rows(store, made.id)[1].entry["rules"]
    finally:
        store.close()
    assert firing == RuleFiring(
        rule="probe-reads-a-personal-field",
        trigger="event:accept",
        actions=("notify",),
        reason="event:accept and (field.reporter_name '***' (is set) "
        "and field.channel 'instagram' = 'instagram')",
        inputs={
            "trigger": "event",
            "name": "accept",
            "field.reporter_name": "***",
            "field.channel": "instagram",
        },
    )
    assert stored == [codec.encode(firing)]
    assert OTHER_CHANNEL["reporter_name"] not in json.dumps(stored)
