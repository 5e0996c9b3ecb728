"""Conditions as a civil servant reads them: the SOP's field labels and Indonesian words, on the
paper form (a kelengkapan item needed only sometimes) and the flow diagram's branch labels."""

from __future__ import annotations

from pathlib import Path

from api.web.flow import flow_chart
from engine.authoring.form import render_form
from engine.spec.expression import build_condition
from engine.spec.labels import condition_words
from engine.spec.load import load_revision

ROOT = Path(__file__).resolve().parents[3]
DESK = ROOT / "tests/sops/sop/incoming-letter-desk/v1.yaml"
SEED = ROOT / "sop/surabaya-complaints/r1.yaml"


def test_conditions_read_with_labels_and_indonesian_words() -> None:
    seed = load_revision(SEED)
    words = [
        condition_words(seed, build_condition(doc))
        for doc in (
            {"field": "channel", "equals": "wargaku"},
            {"field": "channel", "in": ["wargaku", "media_sosial"]},
            {"field": "category", "is_set": True},
            {"not": {"field": "topic", "is_not_set": True}},
            {"any": [{"field": "channel", "not_equals": "wargaku"}, {"data": "x", "gt": 2}]},
        )
    ]
    assert words == [
        "Channel = wargaku",
        "Channel salah satu dari wargaku, media_sosial",
        f"{seed.field_def('category').label} diisi",
        f"bukan ({seed.field_def('topic').label} kosong)",
        "Channel ≠ wargaku atau x > 2",
    ]


def test_the_form_says_when_a_kelengkapan_item_is_needed() -> None:
    desk = load_revision(DESK, ROOT / "tests/sops/rules")
    label = desk.field_def("disposition").label
    text = render_form(desk, width=400)
    assert f"- Buku ekspedisi (jika {label} = teruskan)" in text


def test_the_flow_diagram_labels_branches_in_the_sops_words() -> None:
    desk = load_revision(DESK, ROOT / "tests/sops/rules")
    chart = flow_chart(desk).text
    label = desk.field_def("disposition").label
    assert f"{label} = teruskan" in chart
    assert "selain itu" in chart and "otherwise" not in chart
