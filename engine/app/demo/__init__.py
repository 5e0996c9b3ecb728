"""`sop demo`: a realistic data set, made through the ticket service as real use would make it.

    values = DemoValues.load(sop_root / sop_id / "demo" / "values.yaml")    (values.py)
    summary = load_demo(service, clock, {sop_id: values}, tickets=300, start=..., end=...)

Tickets open over a stretch of a manual clock and move by the SOP's own events, chosen by the
explorer's plan (engine/authoring/explore/plan.py): every branch it can take is taken early,
then moves are drawn at random; some waits run past a time limit, so the sweeper fires the
deadlines and the rules they start; a ticket still moving at the end stays open (run.py).
Nothing of a particular SOP is named here: its field values come from its `demo/values.yaml`.
"""

from engine.app.demo.run import DemoSummary, load_demo
from engine.app.demo.values import DemoValues, values_file

__all__ = ["DemoSummary", "DemoValues", "load_demo", "values_file"]
