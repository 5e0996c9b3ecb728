"""The path check (engine/spec/paths.py) on every bundled and test revision: how many (step,
what is known) states it walks and how long it takes, mean and p95 in milliseconds, beside the
whole load of the same revision. Goal: a small share of the load (under 10 ms on the seed).

    .venv/bin/python bench/bench_paths.py [-n 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.spec.load import load_revision  # noqa: E402
from engine.spec.paths import check_paths  # noqa: E402
from engine.spec.report import Report  # noqa: E402

REVISIONS = [
    *sorted(ROOT.glob("sop/*/*.yaml")),
    *sorted(ROOT.glob("tests/sops/sop/*/*.yaml")),
    *sorted(ROOT.glob("tests/revisions/sop/*/*.yaml")),
]
GOAL_MS = 10.0


def measure(fn: object, n: int) -> dict[str, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    return {
        "mean_ms": round(statistics.fmean(ordered), 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="runs per revision (default 200)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rows = []
    for path in REVISIONS:
        spec = load_revision(path)  # warm up too: imports, holidays, time-zone data
        report = Report(str(path))
        states = check_paths(spec, report)
        rows.append(
            {
                "revision": str(path.relative_to(ROOT)),
                "steps": len(spec.ticket_steps),
                "states": states,
                "problems": len(report.problems),
                "check": measure(lambda spec=spec: check_paths(spec, Report("")), args.n),
                "load": measure(lambda path=path: load_revision(path), max(1, args.n // 4)),
            }
        )
    if args.json:
        print(json.dumps({"runs": args.n, "goal_ms": GOAL_MS, "revisions": rows}, indent=2))
        return
    print(f"path check, {args.n} runs per revision (load: {max(1, args.n // 4)} runs)")
    for row in rows:
        check, load = row["check"], row["load"]
        print(
            f"{row['revision']:<48} {row['steps']:>2} steps {row['states']:>5} states   "
            f"check mean {check['mean_ms']:6.2f} ms p95 {check['p95_ms']:6.2f} ms   "
            f"load mean {load['mean_ms']:6.2f} ms"
        )
    seed = next(r for r in rows if r["revision"].startswith("sop/surabaya-complaints"))
    mean = seed["check"]["mean_ms"]
    print(f"goal: seed under {GOAL_MS:.0f} ms -> {'met' if mean < GOAL_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
