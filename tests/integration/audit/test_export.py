"""`sop audit export`: the log as XES and OCEL 2.0, case = ticket, activity = SOP step."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.app.audit import export_log
from engine.app.service import TicketService
from engine.cli import main
from engine.store import Store
from tests.support import groups

from .conftest import SOP, Seeded

XES = "{http://www.xes-standard.org/}"


def finished_steps(service: TicketService, ids: list[str]) -> set[str]:
    """The steps the tickets finished, from their own records: "<no>. <id>"."""
    return {
        f"{run.no}. {run.step}"
        for ticket_id in ids
        for run in service.get_ticket(ticket_id).ticket.history
    }


def sop_steps(service: TicketService) -> set[str]:
    spec = service.catalog.effective(SOP, datetime.now(UTC))
    return {f"{step.no}. {step.id}" for step in spec.steps}


def xes_text(store: Store, **options) -> str:
    out = io.StringIO()
    export_log(store, "xes", out, **options)
    return out.getvalue()


def attrs(element: ET.Element) -> dict[str, tuple[str, str]]:
    """An XES element's attributes: key -> (type, value)."""
    return {
        child.get("key", ""): (child.tag.removeprefix(XES), child.get("value", ""))
        for child in element
        if child.get("key")
    }


def test_xes_has_the_standard_structure_and_one_trace_per_ticket(store, service, seeded: Seeded):
    root = ET.fromstring(xes_text(store))
    assert root.tag == f"{XES}log" and root.get("xes.version") == "1849-2016"
    prefixes = {e.get("prefix") for e in root.findall(f"{XES}extension")}
    assert prefixes == {"concept", "time", "org", "lifecycle"}
    assert root.find(f"{XES}classifier").get("keys") == "concept:name"
    traces = root.findall(f"{XES}trace")
    # The fresh ticket has finished no step yet: it has nothing to mine.
    assert [attrs(t)["concept:name"][1] for t in traces] == [seeded.done, seeded.late]
    names = set()
    for trace in traces:
        assert attrs(trace)["sop:id"] == ("string", SOP)
        times = []
        for event in trace.findall(f"{XES}event"):
            a = attrs(event)
            names.add(a["concept:name"][1])
            assert a["lifecycle:transition"] == ("string", "complete")
            assert a["sop:revision"] == ("string", "r1") and len(a["sop:spec_hash"][1]) == 64
            kind, stamp = a["time:timestamp"]
            assert kind == "date" and stamp.endswith("Z")
            times.append(datetime.fromisoformat(stamp))
            assert a["org:resource"][0] == "string"
        assert times == sorted(times)
    assert names == finished_steps(service, seeded.ids)
    assert names <= sop_steps(service)


def test_xes_events_carry_the_actor_time_and_sla_of_the_step(store, service, seeded: Seeded):
    root = ET.fromstring(xes_text(store))
    trace = root.findall(f"{XES}trace")[0]
    first = attrs(trace.findall(f"{XES}event")[0])
    history = service.get_ticket(seeded.done).ticket.history
    assert first["concept:name"][1] == f"{history[0].no}. {history[0].step}"
    assert first["org:resource"] == ("string", "staff")
    assert first["sop:event"] == ("string", history[0].by_event)
    assert datetime.fromisoformat(first["time:timestamp"][1]) == history[0].finished
    assert first["sop:sla"] == ("string", history[0].result)


def test_all_events_adds_the_entries_that_finish_no_step_by_event_name(store, seeded):
    root = ET.fromstring(xes_text(store, all_events=True))
    traces = root.findall(f"{XES}trace")
    assert len(traces) == 3
    names = {attrs(e)["concept:name"][1] for t in traces for e in t.findall(f"{XES}event")}
    assert {"created", "deadline", "timer"} <= names


def test_exporting_one_sop_leaves_the_others_out(store, seeded):
    root = ET.fromstring(xes_text(store, sop_id="another-sop"))
    assert root.findall(f"{XES}trace") == []
    assert len(ET.fromstring(xes_text(store, sop_id=SOP)).findall(f"{XES}trace")) == 2


def test_ocel_relates_each_step_event_to_its_ticket_actor_and_revision(
    store, service, seeded: Seeded
):
    out = io.StringIO()
    counts = export_log(store, "ocel", out)
    data = json.loads(out.getvalue())
    assert {t["name"] for t in data["objectTypes"]} == {"ticket", "actor", "revision"}
    assert {t["name"] for t in data["eventTypes"]} == finished_steps(service, seeded.ids)
    objects = {o["id"]: o for o in data["objects"]}
    assert {i for i, o in objects.items() if o["type"] == "ticket"} == {seeded.done, seeded.late}
    assert len(data["events"]) == counts.events and counts.traces == 2
    for event in data["events"]:
        related = {r["qualifier"]: objects[r["objectId"]] for r in event["relationships"]}
        assert related["case"]["type"] == "ticket"
        assert related["resource"]["type"] == "actor"
        revision = {a["name"]: a["value"] for a in related["decided by"]["attributes"]}
        assert revision["revision"] == "r1" and revision["sop_id"] == SOP
        assert datetime.fromisoformat(event["time"]).tzinfo is not None


def test_the_export_command_writes_a_file(database, store, seeded, tmp_path: Path):
    target = tmp_path / "log.xes"
    args = ["audit", "export", "--format", "xes", "--out", str(target)]
    result = CliRunner().invoke(main, [*args, "--database-url", database.reader_url])
    assert result.exit_code == 0, result.output
    assert "of 2 ticket(s) to" in result.output
    assert ET.parse(target).getroot().tag == f"{XES}log"


# -- read by pm4py (optional: `pip install -e '.[audit]'`) -------------------------------------


@pytest.fixture
def pm4py(monkeypatch: pytest.MonkeyPatch):
    groups.PM4PY.require()
    import pm4py as module
    from pm4py.util import constants

    # Its hints about faster optional backends are warnings, which this suite turns into errors.
    monkeypatch.setattr(constants, "SHOW_INTERNAL_WARNINGS", False)
    return module


def test_pm4py_reads_the_xes_and_discovers_the_sop_s_steps(
    pm4py, store, service, seeded: Seeded, tmp_path: Path
):
    path = tmp_path / "log.xes"
    path.write_text(xes_text(store), encoding="utf-8")
    log = pm4py.read_xes(str(path))
    steps = finished_steps(service, seeded.ids)
    assert set(log["concept:name"]) == steps
    assert set(log["case:concept:name"]) == {seeded.done, seeded.late}
    assert set(log["org:resource"]) == {"staff", "agency"}
    net, _, _ = pm4py.discover_petri_net_inductive(log)
    assert {t.label for t in net.transitions if t.label} == steps
    _, start, _ = pm4py.discover_dfg(log)
    assert set(start) == {"1. receive_inquiry"}


def test_pm4py_reads_the_ocel(pm4py, store, service, seeded: Seeded, tmp_path: Path):
    path = tmp_path / "log.jsonocel"
    with path.open("w", encoding="utf-8") as out:
        export_log(store, "ocel", out)
    ocel = pm4py.read_ocel2_json(str(path))
    assert set(ocel.events["ocel:activity"]) == finished_steps(service, seeded.ids)
    assert set(ocel.objects["ocel:type"]) == {"ticket", "actor", "revision"}
