"""Identity, settings, the short sections, actors, fields, statuses, calendars and rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine.authoring.diff import diff_specs
from engine.spec.model import Actor, Rule, RuleAction, Spec, Status


def test_the_approver_and_number_are_compared_key_by_key(r1: Spec):
    ident = r1.identity
    approver = replace(ident.approved_by, name="Budi Hartono, S.Kom", nip="198001012005011001")
    b = replace(
        r1, identity=replace(ident, number="061.1/Dinkominfo/KP/2026", approved_by=approver)
    )
    got = {c.key: c for c in diff_specs(r1, b).changes}
    assert set(got) == {
        ("identity", "changed", "number", ""),
        ("identity", "changed", "approved_by.name", ""),
        ("identity", "changed", "approved_by.nip", ""),
    }
    assert got[("identity", "changed", "approved_by.nip", "")].after == "198001012005011001"


def test_list_sections_report_items_added_and_removed_not_reordered(r1: Spec):
    b = replace(
        r1,
        equipment=("Jaringan internet", "Komputer/laptop"),  # the same, reordered
        qualifications=(*r1.qualifications[:1], "Memahami aplikasi WargaKu"),
        warnings=(),
    )
    keys = diff_specs(r1, b).keys()
    assert keys == {
        ("qualifications", "removed", "Memahami teknik komunikasi yang baik", ""),
        ("qualifications", "added", "Memahami aplikasi WargaKu", ""),
        ("warnings", "removed", r1.warnings[0], ""),
    }


def test_settings(r1: Spec):
    b = replace(r1, performers=("staff",), initial_status="in_progress")
    assert diff_specs(r1, b).keys() == {
        ("settings", "changed", "performers", ""),
        ("settings", "changed", "initial_status", ""),
    }


def test_actors_fields_statuses_and_calendars_by_id_per_attribute(r1: Spec):
    actors = (*r1.actors, Actor("auditor", "Inspektorat"))
    statuses = tuple(
        replace(s, label="Ditutup") if s.id == "done" else s
        for s in r1.statuses
        if s.id != "received"
    ) + (Status("rejected", "Ditolak"),)
    fields = tuple(replace(f, personal=True) if f.id == "location" else f for f in r1.fields)
    cal = replace(r1.calendars[0], collective_leave=(date(2026, 12, 24),))
    b = replace(r1, actors=actors, statuses=statuses, fields=fields, calendars=(cal,))
    result = diff_specs(r1, b)
    got = {c.key: c for c in result.changes}
    assert set(got) == {
        ("actors", "added", "auditor", ""),
        ("statuses", "removed", "received", ""),
        ("statuses", "added", "rejected", ""),
        ("statuses", "changed", "done", "label"),
        ("fields", "changed", "location", "personal"),
        ("calendars", "changed", "working", "collective_leave"),
    }
    assert got[("calendars", "changed", "working", "collective_leave")].after == ["2026-12-24"]
    assert got[("statuses", "changed", "done", "label")].before == "Selesai"
    text = result.to_text()
    assert "+ auditor: Inspektorat\n" in text
    assert "~ done label: Selesai -> Ditutup" in text
    assert "~ location personal: no -> yes" in text


def test_rules_are_matched_by_id_whichever_file_holds_them(r1: Spec):
    (ruleset,) = r1.rulesets
    rules = tuple(
        replace(r, then=(*r.then, RuleAction("escalate", {"to": "team_leader"})))
        if r.id == "auto-close"
        else replace(r, source="another-file")
        for r in ruleset.rules
        if r.id != "monev-to-agencies"
    ) + (Rule("new-rule", {"event": "replied"}, (RuleAction("notify", {"to": "staff"}),)),)
    templates = {**ruleset.templates, "extra": "Teks ${ticket_id}"}
    del templates["monev_report"]
    b = replace(
        r1,
        rulesets=(replace(ruleset, id="renamed", rules=rules, templates=templates),),
    )
    got = {c.key: c for c in diff_specs(r1, b).changes}
    assert set(got) == {
        ("rules", "changed", "auto-close", "then"),
        ("rules", "removed", "monev-to-agencies", ""),
        ("rules", "added", "new-rule", ""),
        ("templates", "added", "extra", ""),
        ("templates", "removed", "monev_report", ""),
    }
    then = got[("rules", "changed", "auto-close", "then")].after
    assert then[-1] == {"escalate": {"to": "team_leader"}}
