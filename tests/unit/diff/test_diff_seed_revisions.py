"""r1 -> r2 of the seed: each change the second revision makes, and nothing else."""

from __future__ import annotations

import json

from engine.authoring.diff import diff_specs
from engine.spec.model import Spec

NEW_LAW = "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi"

# Exactly what tests/revisions/sop/surabaya-complaints/r2.yaml's header says it changes.
R1_TO_R2 = {
    ("identity", "changed", "revised", ""),
    ("identity", "changed", "effective", ""),
    ("legal_basis", "added", NEW_LAW, ""),
    ("steps", "changed", "follow_up", "time_limit"),
    ("steps", "changed", "validate", "performers"),
    ("steps", "changed", "validate", "events.validated.by"),
    ("steps", "added", "weekly_overdue_review", ""),
    ("rules", "removed", "follow-up-reminder", ""),
    ("rules", "changed", "follow-up-escalation", "when"),
    ("templates", "changed", "remind_follow_up", ""),
    ("templates", "changed", "escalate_follow_up", ""),
}


def _by_key(result):
    return {c.key: c for c in result.changes}


def test_r1_to_r2_lists_each_change_of_the_second_revision_and_nothing_else(r1: Spec, r2: Spec):
    result = diff_specs(r1, r2)
    assert result.keys() == R1_TO_R2
    assert len(result.changes) == len(R1_TO_R2)  # no record twice


def test_the_changed_values_are_those_of_the_files(r1: Spec, r2: Spec):
    got = _by_key(diff_specs(r1, r2))
    revised = got[("identity", "changed", "revised", "")]
    assert (revised.before, revised.after) == (None, "2025-12-01")
    effective = got[("identity", "changed", "effective", "")]
    assert (effective.before, effective.after) == ("2023-08-31", "2026-01-01")
    limit = got[("steps", "changed", "follow_up", "time_limit")]
    assert limit.before["text"] == "3 working days"
    assert limit.after["text"] == "2 working days"
    assert limit.note == "tighter"
    assert limit.label == "step 9 (follow_up)"
    performers = got[("steps", "changed", "validate", "performers")]
    assert (performers.before, performers.after) == (["staff"], ["team_leader"])
    by = got[("steps", "changed", "validate", "events.validated.by")]
    assert (by.before, by.after) == (["staff"], ["team_leader"])
    added = got[("steps", "added", "weekly_overdue_review", "")]
    assert added.after["no"] == 17 and added.after["performers"] == ["team_leader"]
    when = got[("rules", "changed", "follow-up-escalation", "when")]
    assert when.before == {"timer": "follow_up_reminder", "count": {"gte": 1}}
    assert when.after == {"timer": "follow_up_reminder"}


def test_a_revision_compared_with_itself_has_no_changes(r1: Spec, r2: Spec):
    for spec in (r1, r2):
        result = diff_specs(spec, spec)
        assert result.changes == ()
        assert "no changes" in result.to_text()
        assert "**No changes.**" in result.to_markdown()
        assert result.to_json()["changes"] == []


def test_the_reverse_diff_mirrors_every_change(r1: Spec, r2: Spec):
    back = _by_key(diff_specs(r2, r1))
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    assert set(back) == {(s, flip[k], subj, attr) for s, k, subj, attr in R1_TO_R2}
    assert back[("steps", "changed", "follow_up", "time_limit")].note == "looser"


def test_the_reports_say_what_changed_in_words(r1: Spec, r2: Spec):
    result = diff_specs(r1, r2)
    text = result.to_text()
    assert "surabaya-complaints@r1 -> surabaya-complaints@r2" in text
    assert "step 9 (follow_up)\n    ~ time limit: 3 working days -> 2 working days, tighter" in text
    assert "~ performers: staff -> team_leader" in text
    assert f"+ {NEW_LAW}" in text
    assert "\x1b[" not in text  # plain unless asked for colour
    assert "\x1b[" in result.to_text(color=True)
    md = result.to_markdown()
    assert "## Legal basis" in md and "### step 9 (follow_up)" in md
    assert "- **changed** time limit: 3 working days -> 2 working days, tighter" in md
    assert "- **removed** `follow-up-reminder`" in md
    doc = json.loads(json.dumps(result.to_json()))
    assert doc["from"]["revision"] == "r1" and doc["to"]["revision"] == "r2"
    assert doc["to"]["rulesets"] == ["surabaya-complaints-r2"]
    assert doc["summary"] == {
        "identity": 2,
        "legal_basis": 1,
        "steps": 4,
        "rules": 2,
        "templates": 2,
    }
    assert doc["impact"] is None
