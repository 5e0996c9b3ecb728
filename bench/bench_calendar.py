"""Time WorkCalendar.add / elapsed / shift_for_pause on the seed SOP's calendar.

Run: .venv/bin/python bench/bench_calendar.py   (prints microseconds per call)
"""

from __future__ import annotations

import random
import time
import timeit
from datetime import UTC, datetime, timedelta

from engine.core.calendar import WorkCalendar
from engine.spec.model import Calendar, Duration

CAL = Calendar(id="working", holidays_country="ID", holidays_categories=("public", "government"))


def per_call_us(fn, number: int = 20_000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    t0 = time.perf_counter()
    cal = WorkCalendar(CAL)
    built = time.perf_counter() - t0
    start = datetime(2025, 3, 27, 8, tzinfo=UTC)
    t0 = time.perf_counter()
    cal.add(start, Duration(1, "working_days"))
    first = time.perf_counter() - t0
    print(f"build WorkCalendar (holidays for one year): {built * 1e3:8.2f} ms")
    print(f"first add (loads the year's holidays):      {first * 1e3:8.2f} ms")

    rng = random.Random(1)
    starts = [start + timedelta(seconds=rng.randrange(2 * 365 * 86400)) for _ in range(1000)]
    for s in starts:  # load every year once, as a running service would have
        cal.add(s, Duration(300, "working_days"))
    it = iter(starts * 200)
    cases = {
        "add 24 hours": lambda: cal.add(next(it), Duration(24, "hours")),
        "add 7 calendar_days": lambda: cal.add(next(it), Duration(7, "calendar_days")),
        "add 1 working_day": lambda: cal.add(next(it), Duration(1, "working_days")),
        "add 3 working_days": lambda: cal.add(next(it), Duration(3, "working_days")),
        "add 250 working_days": lambda: cal.add(next(it), Duration(250, "working_days")),
        "elapsed working_days (~1 month)": lambda: cal.elapsed(
            s := next(it), s + timedelta(days=30), "working_days"
        ),
        "shift_for_pause working_days": lambda: cal.shift_for_pause(
            (s := next(it)) + timedelta(days=5),
            s,
            s + timedelta(days=3),
            "working_days",
        ),
        "for_spec (cached lookup)": lambda: WorkCalendar.for_spec(CAL),
    }
    for name, fn in cases.items():
        it = iter(starts * 200)
        print(f"{name:34s} {per_call_us(fn):8.2f} us/call")


if __name__ == "__main__":
    main()
