"""Load and validate the seed revision (YAML reader, structure, cross-references, flow, its rules
file, the frozen Spec) N times; print mean, p50 and p95 in milliseconds. Goal: under 50 ms.

    .venv/bin/python bench/bench_load.py [-n 200] [--json]
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
from engine.spec.validate import check_revision_file  # noqa: E402
from engine.spec.yaml_safe import read_yaml  # noqa: E402

SEED = ROOT / "sop/surabaya-complaints/r1.yaml"
GOAL_MS = 50.0


def measure(fn: object, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean_ms": round(statistics.fmean(ordered), 3),
        "p50_ms": round(ordered[len(ordered) // 2], 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="runs (default 200)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    load_revision(SEED)  # warm up: imports, the holidays package, time-zone data
    figures = {
        "load_revision (all checks + Spec)": summary(measure(lambda: load_revision(SEED), args.n)),
        "  of which: YAML reader only": summary(measure(lambda: read_yaml(SEED), args.n)),
        "  of which: every check, no Spec": summary(
            measure(lambda: check_revision_file(SEED), args.n)
        ),
    }
    if args.json:
        print(json.dumps({"runs": args.n, "goal_ms": GOAL_MS, "figures": figures}, indent=2))
        return
    print(f"seed revision {SEED.relative_to(ROOT)} and its rules file, {args.n} runs")
    for name, fig in figures.items():
        print(
            f"{name:<36} mean {fig['mean_ms']:7.2f} ms   p50 {fig['p50_ms']:7.2f} ms"
            f"   p95 {fig['p95_ms']:7.2f} ms"
        )
    mean = figures["load_revision (all checks + Spec)"]["mean_ms"]
    print(f"goal: under {GOAL_MS:.0f} ms -> {'met' if mean < GOAL_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
