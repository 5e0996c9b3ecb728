"""A row's sign-offs in `sop diff`: one added or removed, a performer, words or time limit
changed, or their order changed, each shows under its step like any other part of it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.authoring.diff import diff_specs
from engine.authoring.diff_render import render_text
from engine.spec.durations import parse_duration
from engine.spec.load import load_revision
from engine.spec.model import SignOff, Spec
from tests.support.seed import ROOT

PERMIT = ROOT / "tests" / "sops" / "sop" / "practice-permit" / "v1.yaml"
SEKDA = SignOff("sekda", "kepala", "Paraf Sekretaris", "sekda_initialled")


@pytest.fixture(scope="module")
def v1() -> Spec:
    return load_revision(PERMIT)


def _with_signoffs(spec: Spec, signoffs: tuple[SignOff, ...]) -> Spec:
    steps = tuple(replace(s, signoffs=signoffs) if s.id == "approve" else s for s in spec.steps)
    return replace(spec, revision="v2", steps=steps)


def _changes(a: Spec, b: Spec) -> list[tuple[str, str, object, object, str]]:
    return [
        (c.kind, c.attribute, c.before, c.after, c.note)
        for c in diff_specs(a, b).changes
        if c.section == "steps"
    ]


def test_an_unchanged_chain_is_no_change(v1: Spec) -> None:
    assert _changes(v1, _with_signoffs(v1, v1.step("approve").signoffs)) == []


def test_a_sign_off_added_and_one_removed(v1: Spec) -> None:
    kasi, kabid, kepala = v1.step("approve").signoffs
    b = _with_signoffs(v1, (kasi, kepala, SEKDA))
    assert [c[:2] for c in _changes(v1, b)] == [
        ("removed", "signoffs.kabid"),
        ("added", "signoffs.sekda"),
    ]
    added = _changes(v1, b)[1][3]
    assert added == {
        "performer": "kepala",
        "text": "Paraf Sekretaris",
        "event": "sekda_initialled",
        "time_limit": None,
        "reject": [],
    }
    text = render_text(diff_specs(v1, b))
    assert "  step 2 (approve)\n" in text
    assert "+ sign-off sekda: performer: kepala; text: Paraf Sekretaris" in text
    assert "- sign-off kabid: performer: kabid" in text


def test_a_performer_time_limit_or_reject_changed(v1: Spec) -> None:
    kasi, kabid, kepala = v1.step("approve").signoffs
    b = _with_signoffs(
        v1,
        (
            replace(kasi, time_limit=parse_duration("2 hours")),
            replace(kabid, performer="kepala", reject=()),
            replace(kepala, text="Tanda tangan Sekretaris Daerah"),
        ),
    )
    changes = _changes(v1, b)
    assert [c[:2] for c in changes] == [
        ("changed", "signoffs.kasi.time_limit"),
        ("changed", "signoffs.kabid.performer"),
        ("changed", "signoffs.kabid.reject"),
        ("changed", "signoffs.kepala.text"),
    ]
    assert changes[0][4] == "tighter"
    assert changes[1][2:4] == ("kabid", "kepala")
    text = render_text(diff_specs(v1, b))
    assert "~ sign-off kasi time limit: 4 hours -> 2 hours, tighter" in text
    assert "~ sign-off kabid performer: kabid -> kepala" in text
    assert "~ sign-off kabid reject: sent_back -> none" in text


def test_the_order_of_the_chain(v1: Spec) -> None:
    kasi, kabid, kepala = v1.step("approve").signoffs
    changes = _changes(v1, _with_signoffs(v1, (kabid, kasi, kepala)))
    assert changes == [
        ("changed", "signoffs.order", ["kasi", "kabid", "kepala"], ["kabid", "kasi", "kepala"], "")
    ]
