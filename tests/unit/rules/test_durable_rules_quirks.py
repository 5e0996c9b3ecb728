"""How the adapter holds durable_rules: one ruleset per build, a fresh session per call,
every result returned to the call that asked, and no way for the library to take the
process down."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import threading
from typing import Any

from engine.core.rules_engine import SEEN_ACTION, RulesEngine
from engine.spec.model import Spec
from tests.support.seed import ROOT
from tests.unit.rules.rules_helpers import expected, fact, tiny_spec

NAG_RULES = [
    {
        "id": "late",
        "when": {"deadline": "intake"},
        "then": [{"start_timer": {"name": "nag", "every": "1 hour"}}],
    },
    {
        "id": "nag-early",
        "when": {"timer": "nag", "count": {"lt": 3}},
        "then": [{"notify": {"to": "boss", "template": "late"}}],
    },
    {
        "id": "nag-even",
        "when": {"timer": "nag", "if": {"data": "parity", "equals": "even"}},
        "then": [{"notify": {"to": "clerk", "template": "late"}}],
    },
    {
        "id": "nag-late",
        "when": {"timer": "nag", "count": {"gte": 3}},
        "then": [{"escalate": {"to": "boss", "template": "late"}}],
    },
    {
        "id": "poke-web",
        "when": {"event": "poke", "if": {"field": "channel", "equals": "web"}},
        "then": [{"set_status": {"status": "open"}}],
    },
]


def _facts(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind = rnd.choice(["timer", "timer", "deadline", "event"])
        name = {"timer": "nag", "deadline": "intake", "event": "poke"}[kind]
        out.append(
            fact(
                kind,
                name,
                count=i % 7,
                field={"channel": rnd.choice(["web", "sms"])},
                data={"parity": "even" if i % 2 == 0 else "odd", "i": i},
            )
        )
    return out


def _check(engine: RulesEngine, facts: list[dict[str, Any]], errors: list[str]) -> None:
    try:
        for f in facts:
            got = engine.evaluate(f)
            want = expected(engine.compiled.rules, f)
            if [m.rule_id for m in got] != want:
                errors.append(f"{f}: got {[m.rule_id for m in got]}, want {want}")
            for m in got:  # the reason quotes this fact's own count, not another call's
                if "count" in m.reason and f"count {f['count']} " not in m.reason:
                    errors.append(f"{f}: reason {m.reason!r} is another call's")
    except Exception as exc:  # a thread's failure must fail the test, not vanish
        errors.append(repr(exc))


def test_twenty_thousand_facts_each_answered_to_the_call_that_posted_it() -> None:
    engine = RulesEngine.build(tiny_spec(NAG_RULES, revision="many"))
    errors: list[str] = []
    _check(engine, _facts(8000, seed=1), errors)  # on this thread
    threads = [
        threading.Thread(target=_check, args=(engine, _facts(3000, seed=10 + k), errors))
        for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # every session was dropped: the ruleset never nears its 1024 live sessions
    assert engine.evaluate(fact("timer", "nag", count=9, data={"parity": "even"}))


def test_two_specs_side_by_side_do_not_interfere(seed: Spec) -> None:
    seed_engine = RulesEngine.build(seed)
    tiny_engine = RulesEngine.build(tiny_spec(NAG_RULES, revision="side"))
    seed_facts = [fact("timer", "follow_up_reminder", count=i % 3) for i in range(1500)]
    seed_facts += [fact("deadline", "second_notification"), fact("event", "poke")]
    tiny_facts = _facts(1500, seed=7)
    errors: list[str] = []
    runs = [
        threading.Thread(target=_check, args=(seed_engine, seed_facts, errors)),
        threading.Thread(target=_check, args=(tiny_engine, tiny_facts, errors)),
    ]
    for t in runs:
        t.start()
    _check(seed_engine, tiny_facts[:300], errors)  # the tiny SOP's facts mean nothing here
    for t in runs:
        t.join()
    assert errors == []
    assert [m.rule_id for m in seed_engine.evaluate(fact("deadline", "intake"))] == []
    assert [m.rule_id for m in tiny_engine.evaluate(fact("deadline", "intake"))] == ["late"]


def test_each_build_of_a_revision_registers_a_name_of_its_own() -> None:
    # durable_rules can neither re-register nor drop a name: building the same revision again
    # (two services in one process, a test) must not collide with the first build.
    spec = tiny_spec(NAG_RULES[:2], revision="again")
    builds = [RulesEngine.build(spec) for _ in range(3)]
    tag = f"tiny@again#{spec.content_hash[:12]}"
    assert [e.name for e in builds] == ["tiny@again", tag, f"{tag}.2"]
    for engine in builds:
        assert [m.rule_id for m in engine.evaluate(fact("timer", "nag"))] == ["nag-early"]


def test_the_seed_is_registered_under_its_sop_and_revision(seed: Spec) -> None:
    assert RulesEngine.build(seed).name.startswith("surabaya-complaints@r1")


def test_the_same_key_with_other_content_gets_its_own_ruleset() -> None:
    one = RulesEngine.build(tiny_spec(NAG_RULES[:1], revision="twice"))
    two = RulesEngine.build(tiny_spec(NAG_RULES[:2], revision="twice"))
    assert one.name == "tiny@twice"
    assert two.name.startswith("tiny@twice#")
    assert [m.rule_id for m in one.evaluate(fact("deadline", "intake"))] == ["late"]
    assert [m.rule_id for m in two.evaluate(fact("deadline", "intake"))] == ["late"]
    assert [m.rule_id for m in one.evaluate(fact("timer", "nag"))] == []
    assert [m.rule_id for m in two.evaluate(fact("timer", "nag"))] == ["nag-early"]


def test_the_durable_definition_uses_no_in_and_starts_every_rule_positively(seed: Spec) -> None:
    rules = [
        {
            "id": "in",
            "when": {
                "event": "poke",
                "if": {"not": {"field": "channel", "not_in": ["web", "sms"]}},
            },
            "then": [{"set_status": {"status": "open"}}],
        },
    ]
    for engine in (
        RulesEngine.build(seed),
        RulesEngine.build(tiny_spec(rules, revision="def")),
    ):
        text = json.dumps(engine.definition)
        assert "$in" not in text and "$not" not in text
        for name, rule in engine.definition.items():
            if name == SEEN_ACTION:
                continue
            (only,) = rule["all"]
            first, second = only["m"]["$and"][:2]
            assert first == {"v0": "s:" + engine.compiled.rules[int(name[1:])].trigger}
            assert list(second) == ["v1"]
        # the library edited a deep copy, not ours: every rule still names its action
        assert all("run" in rule for rule in engine.definition.values())


def test_unmatched_facts_on_fresh_rulesets_do_not_crash_the_process() -> None:
    # durable_rules frees uninitialised pointers when a session that ran no action is
    # deleted; this sequence aborted the interpreter before the `seen` rule existed.
    script = textwrap.dedent(
        """
        from engine.core.rules_engine import RulesEngine
        from tests.unit.rules.rules_helpers import fact, tiny_spec
        for k in range(20):
            rules = [{"id": "r", "when": {"timer": "nag", "count": {"gt": 2}},
                      "then": [{"start_timer": {"name": "nag", "after": "1 hour"}}]}]
            engine = RulesEngine.build(tiny_spec(rules, revision=f"fresh{k}"))
            for n in range(5):
                assert [m.rule_id for m in engine.evaluate(fact("timer", "nag", count=n))] == (
                    ["r"] if n > 2 else [])
        print("survived")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert (run.returncode, run.stdout.strip()) == (0, "survived"), run.stderr[-2000:]
