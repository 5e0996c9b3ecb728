"""Step 16 of the seed: the monthly monitoring report to every agency, as a periodic job."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.core.schedule import periodic_due, run_periodic
from tests.support.seed import WIB


def test_each_ended_month_is_due_once_with_the_steps_time_limit(seed_rev):
    since = datetime(2025, 1, 15, tzinfo=WIB)
    runs = periodic_due(seed_rev, {}, datetime(2025, 3, 2, 8, 0, tzinfo=WIB), since)
    # January started before `since`: only whole periods from then on; February ended.
    assert [(r.step, r.period) for r in runs] == [("monev_report", "2025-02")]
    run = runs[0]
    assert run.end == datetime(2025, 3, 1, tzinfo=WIB)
    # 1 working day from Saturday 1 March 2025 00:00: Monday 3 March counts, due Tuesday 00:00
    assert run.due == datetime(2025, 3, 4, tzinfo=WIB)
    again = periodic_due(seed_rev, {"monev_report": run.end}, run.end + timedelta(days=10), since)
    assert again == []


def test_a_long_outage_catches_up_every_missed_month(seed_rev):
    since = datetime(2025, 1, 1, tzinfo=WIB)
    runs = periodic_due(seed_rev, {}, datetime(2025, 6, 10, tzinfo=WIB), since)
    assert [r.period for r in runs] == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]


def test_the_report_goes_to_each_agency_once_with_stable_ids(seed_rev):
    (run,) = periodic_due(
        seed_rev, {}, datetime(2025, 2, 3, tzinfo=WIB), datetime(2025, 1, 1, tzinfo=WIB)
    )
    notes = run_periodic(seed_rev, run, ["DINKES", "DSDABM", "DINKES"], run.end)
    assert [(n.to, n.scope) for n in notes] == [("agency", "DINKES"), ("agency", "DSDABM")]
    assert notes[0].text == "Laporan monev pengaduan masyarakat untuk DINKES, periode 2025-01."
    assert [n.id for n in run_periodic(seed_rev, run, ["DSDABM", "DINKES"], run.end)] == [
        n.id for n in notes
    ]
