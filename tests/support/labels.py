"""The seed with Indonesian labels on two events, for the tests of where labels are shown."""

from __future__ import annotations

from pathlib import Path

from tests.support.seed import ROOT

SEED = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
RULES = ROOT / "rules" / "surabaya-complaints-r1.yaml"
LABELS = {"entered": "Data dimasukkan", "routed": "Diteruskan ke OPD"}


def labelled_seed(tmp: Path) -> Path:
    """`<tmp>/sop` and `<tmp>/rules`: the seed with LABELS, its `routed_to_agency` template
    naming the event."""
    (tmp / "sop/surabaya-complaints").mkdir(parents=True)
    (tmp / "rules").mkdir()
    text = SEED.read_text()
    for name, label in LABELS.items():
        old = f"      {name}: {{by:"
        assert old in text
        text = text.replace(old, f"      {name}: {{label: {label}, by:", 1)
    (tmp / "sop/surabaya-complaints/r1.yaml").write_text(text)
    rules = RULES.read_text().replace("disalurkan kepada", "(${event_label}) disalurkan kepada")
    (tmp / "rules/surabaya-complaints-r1.yaml").write_text(rules)
    return tmp / "sop"
