"""A ticket's place on the flow diagram (issue 13, item 6): its current step and the steps it
already ran are marked; the SOP page's chart stays plain."""

from __future__ import annotations

from pathlib import Path

from api.web.flow import MARKS, flow_chart, node_id
from engine.spec.load import load_revision

SEED = Path(__file__).resolve().parents[3] / "sop/surabaya-complaints/r1.yaml"


def _classes(text: str) -> dict[str, str]:
    """node id -> the class its `class` line gives it."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "class":
            for node in parts[1].split(","):
                out[node] = parts[2]
    return out


def test_the_current_step_and_the_steps_run_are_marked() -> None:
    spec = load_revision(SEED)
    first, second, third = (s.id for s in spec.steps[:3])
    chart = flow_chart(spec, current=third, visited=[first, second])
    classes = _classes(chart.text)
    assert classes[node_id(third)] == "current"
    assert classes[node_id(first)] == classes[node_id(second)] == "visited"
    later = [node_id(s.id) for s in spec.steps[3:]]
    assert all(classes.get(n, "").startswith("p") for n in later if n in classes)
    assert "classDef current fill:" in chart.text and "classDef visited fill:" in chart.text
    assert MARKS == {"current": "langkah sekarang", "visited": "sudah dilalui"}


def test_a_step_run_again_is_marked_current_not_visited() -> None:
    spec = load_revision(SEED)
    first = spec.steps[0].id
    classes = _classes(flow_chart(spec, current=first, visited=[first]).text)
    assert classes[node_id(first)] == "current"


def test_the_sop_page_chart_is_unmarked() -> None:
    text = flow_chart(load_revision(SEED)).text
    assert "current" not in text and "visited" not in text
    assert set(_classes(text).values()) - {"terminal"} <= {f"p{i}" for i in range(20)}
