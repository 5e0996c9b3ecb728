"""Evaluations/s of RulesEngine.evaluate on the seed's rules, against the bare cost of one
durable_rules post (and one assert_fact) on a trivial ruleset measured in the same run.

    .venv/bin/python bench/bench_rules.py [--rounds 20000]

Last figures (2 shared cores; the load from other work moves them by up to 2x):
    evaluate, a mix of seed facts:          36,800/s (27 us)  quiet; 21,000/s under load
    evaluate, a fact one rule matches:      29,200/s (34 us)  quiet; 15,500/s under load
    evaluate, a fact no rule names:         5,300,000/s (0.2 us: never reaches durable_rules)
    bare assert_fact + delete_state:        67,100/s (15 us)  quiet; 28,000/s under load
    bare post on one live sid:              76,600/s (13 us)
    build: 1.7 ms per revision (compile and register; held by its CompiledRevision).
A matching evaluate costs about 2x a bare post: the `seen` rule's extra action, the typed
message, the reason text. Two threads give no more than one (the GIL; the C engine never
releases it).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from durable import engine as durable_engine  # noqa: E402

from engine.core.rules_engine import RulesEngine  # noqa: E402
from engine.spec.load import load_revision  # noqa: E402
from tests.support.seed import OTHER_CHANNEL, ROUTING  # noqa: E402

FIELDS = {**OTHER_CHANNEL, **ROUTING}


def fact(trigger: str, name: str, state: str, count: int = 0, **data: Any) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "name": name,
        "state": state,
        "actor": "staff",
        "count": count,
        "field": FIELDS,
        "data": data,
    }


# What a ticket's life asks the rules: mostly events no rule names, some that one rule
# answers, timers with their counts, deadlines.
MIX = [
    fact("event", "accept", "receive_inquiry"),
    fact("event", "triage", "check_authority"),
    fact("entered", "check_authority", "check_authority"),
    fact("event", "routed", "route_to_agency"),
    fact("deadline", "await_agency_response", "await_agency_response"),
    fact("timer", "first_response_reminder", "await_agency_response", count=0),
    fact("timer", "first_response_reminder", "await_agency_response", count=1),
    fact("timer", "follow_up_reminder", "follow_up", count=2),
    fact("event", "validated", "validate_follow_up"),
    fact("entered", "second_notification", "second_notification"),
    fact("deadline", "second_notification", "second_notification"),
    fact("event", "replied", "reply", reply_text="ok"),
]


def per_call(fn: Callable[[], Any], rounds: int) -> float:
    t0 = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - t0) / rounds


def evaluate_figures(engine: RulesEngine, rounds: int) -> dict[str, float]:
    cycle = itertools.cycle(MIX)
    hit = fact("timer", "follow_up_reminder", "follow_up", count=2)
    miss = fact("event", "accept", "receive_inquiry")
    return {
        "mix": per_call(lambda: engine.evaluate(next(cycle)), rounds),
        "matching": per_call(lambda: engine.evaluate(hit), rounds),
        "no rule names it": per_call(lambda: engine.evaluate(miss), rounds),
    }


def threaded(engine: RulesEngine, rounds: int, threads: int) -> float:
    def work() -> None:
        cycle = itertools.cycle(MIX)
        for _ in range(rounds // threads):
            engine.evaluate(next(cycle))

    pool = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return (time.perf_counter() - t0) / (rounds // threads * threads)


class _QuietHost(durable_engine.Host):
    def _run(self) -> None:
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return lambda c: None


def bare_figures(rounds: int) -> dict[str, float]:
    host = _QuietHost()
    host.register_rulesets({"bare": {"r": {"all": [{"m": {"k": 1}}], "run": "a"}}})
    sids = itertools.count()

    def post() -> None:
        sid = str(next(sids))
        host.post("bare", {"sid": sid, "k": 1})
        host.delete_state("bare", sid)

    def assert_fact() -> None:
        sid = str(next(sids))
        host.assert_fact("bare", {"sid": sid, "k": 1})
        host.delete_state("bare", sid)

    def post_only() -> None:
        host.post("bare", {"sid": "kept", "k": 1})

    return {
        "post + delete_state": per_call(post, rounds),
        "assert_fact + delete_state": per_call(assert_fact, rounds),
        "post on one live sid": per_call(post_only, rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
    spec = load_revision(ROOT / "sop/surabaya-complaints/r1.yaml")
    t0 = time.perf_counter()
    engine = RulesEngine.build(spec)
    first = time.perf_counter() - t0
    matched = sum(len(engine.evaluate(f)) for f in MIX)

    figures = evaluate_figures(engine, args.rounds)
    two = threaded(engine, args.rounds, 2)
    bare = bare_figures(args.rounds)

    print(
        f"seed rules: {len(engine.compiled.rules)} rules; the mix of {len(MIX)} facts "
        f"matches {matched} rules in all"
    )
    print(f"build: {first * 1e3:.1f} ms (validate, compile, register)")
    for label, secs in figures.items():
        print(f"evaluate ({label}): {1 / secs:,.0f}/s, {secs * 1e6:.1f} us")
    print(f"evaluate (mix, 2 threads): {1 / two:,.0f}/s, {two * 1e6:.1f} us")
    for label, secs in bare.items():
        print(f"bare durable_rules {label}: {1 / secs:,.0f}/s, {secs * 1e6:.1f} us")
    base = bare["assert_fact + delete_state"]
    print(
        f"a matching evaluate costs x{figures['matching'] / base:.1f} a bare assert_fact + delete"
    )


if __name__ == "__main__":
    main()
