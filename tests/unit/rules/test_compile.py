"""Compiling rules to the neutral form: the seed's rules against a golden copy, and the
condition vocabulary's shapes."""

from __future__ import annotations

from engine.spec.model import Spec
from engine.spec.rules import compile_rules
from engine.spec.rules.compiled import All, AnyOf, Cmp, Not
from tests.unit.rules.rules_helpers import tiny_spec

# What rules/surabaya-complaints-r1.yaml compiles to. A change here is a change of behaviour:
# update it only on purpose, with the rules file.
SEED_GOLDEN = [
    {
        "index": 0,
        "id": "notify-agency-on-routing",
        "trigger": "event",
        "name": "routed",
        "filters": [],
        "if": None,
        "then": [{"notify": {"to": "agency", "template": "routed_to_agency"}}],
    },
    {
        "index": 1,
        "id": "first-response-late",
        "trigger": "deadline",
        "name": "await_agency_response",
        "filters": [],
        "if": None,
        "then": [
            {"notify": {"to": "agency", "template": "remind_first_response"}},
            {
                "start_timer": {
                    "name": "first_response_reminder",
                    "every": "1 working day",
                    "step": "await_agency_response",
                }
            },
        ],
    },
    {
        "index": 2,
        "id": "first-response-reminder",
        "trigger": "timer",
        "name": "first_response_reminder",
        "filters": [["count", "lt", 1]],
        "if": None,
        "then": [{"notify": {"to": "agency", "template": "remind_first_response"}}],
    },
    {
        "index": 3,
        "id": "first-response-escalation",
        "trigger": "timer",
        "name": "first_response_reminder",
        "filters": [["count", "gte", 1]],
        "if": None,
        "then": [
            {"notify": {"to": "agency", "template": "remind_first_response"}},
            {"escalate": {"to": "team_leader", "template": "escalate_first_response"}},
        ],
    },
    {
        "index": 4,
        "id": "follow-up-late",
        "trigger": "deadline",
        "name": "follow_up",
        "filters": [],
        "if": None,
        "then": [
            {"notify": {"to": "agency", "template": "remind_follow_up"}},
            {
                "start_timer": {
                    "name": "follow_up_reminder",
                    "every": "1 working day",
                    "step": "follow_up",
                }
            },
        ],
    },
    {
        "index": 5,
        "id": "follow-up-reminder",
        "trigger": "timer",
        "name": "follow_up_reminder",
        "filters": [["count", "lt", 1]],
        "if": None,
        "then": [{"notify": {"to": "agency", "template": "remind_follow_up"}}],
    },
    {
        "index": 6,
        "id": "follow-up-escalation",
        "trigger": "timer",
        "name": "follow_up_reminder",
        "filters": [["count", "gte", 1]],
        "if": None,
        "then": [
            {"notify": {"to": "agency", "template": "remind_follow_up"}},
            {"escalate": {"to": "team_leader", "template": "escalate_follow_up"}},
        ],
    },
    {
        "index": 7,
        "id": "ask-reporter-for-info",
        "trigger": "event",
        "name": "info_requested",
        "filters": [],
        "if": None,
        "then": [
            {"notify": {"to": "reporter", "template": "info_request", "channel_field": "channel"}}
        ],
    },
    {
        "index": 8,
        "id": "ask-agency-to-correct",
        "trigger": "event",
        "name": "substance_not_ok",
        "filters": [],
        "if": None,
        "then": [{"notify": {"to": "agency", "template": "correction_request"}}],
    },
    {
        "index": 9,
        "id": "tell-reporter-result",
        "trigger": "event",
        "name": "validated",
        "filters": [],
        "if": None,
        "then": [
            {
                "notify": {
                    "to": "reporter",
                    "template": "follow_up_result",
                    "channel_field": "channel",
                }
            }
        ],
    },
    {
        "index": 10,
        "id": "no-confirmation",
        "trigger": "deadline",
        "name": "await_confirmation",
        "filters": [],
        "if": None,
        "then": [{"fire": {"event": "no_confirmation"}}],
    },
    {
        "index": 11,
        "id": "send-second-notification",
        "trigger": "entered",
        "name": "second_notification",
        "filters": [],
        "if": None,
        "then": [{"notify": {"to": "reporter", "template": "second_notification"}}],
    },
    {
        "index": 12,
        "id": "auto-close",
        "trigger": "deadline",
        "name": "second_notification",
        "filters": [],
        "if": None,
        "then": [
            {"fire": {"event": "confirmation_period_ended"}},
            {"fire": {"event": "close", "actor": "system"}},
        ],
    },
    {
        "index": 13,
        "id": "reply-on-channel",
        "trigger": "event",
        "name": "replied",
        "filters": [],
        "if": None,
        "then": [
            {"notify": {"to": "reporter", "template": "result_reply", "channel_field": "channel"}}
        ],
    },
    {
        "index": 14,
        "id": "monev-to-agencies",
        "trigger": "schedule",
        "name": "monev_report",
        "filters": [],
        "if": None,
        "then": [{"notify": {"to": "agency", "template": "monev_report"}}],
    },
]


def test_seed_rules_compile_to_the_golden_structure(seed: Spec) -> None:
    assert compile_rules(seed).as_data() == SEED_GOLDEN


def test_compiling_is_pure_and_repeatable(seed: Spec) -> None:
    assert compile_rules(seed) == compile_rules(seed)
    assert compile_rules(seed).key == "surabaya-complaints@r1"
    assert compile_rules(seed).content_hash == seed.content_hash


RICH_RULE = {
    "id": "rich",
    "when": {
        "timer": "nag",
        "count": {"gte": 2},
        "actor": "boss",
        "state": "review",
        "if": {
            "all": [
                {"field": "channel", "in": ["web", "sms"]},
                {"not": {"data": "reason", "equals": "spam"}},
                {"any": [{"field": "priority", "gt": 3}, {"field": "urgent", "is_set": True}]},
                {"field": "note", "not_in": ["x", "y"]},
            ]
        },
    },
    "then": [
        {"start_timer": {"name": "nag", "every": "2 hours"}},
        {"notify": {"to": "boss", "template": "late"}},
    ],
}


def test_filters_and_condition_compile_to_tests_on_the_fact() -> None:
    (rule,) = compile_rules(tiny_spec([RICH_RULE])).rules
    assert (rule.trigger, rule.name) == ("timer", "nag")
    assert rule.filters == (
        Cmp("count", "gte", 2),
        Cmp("actor", "equals", "boss"),
        Cmp("state", "equals", "review"),
    )
    assert rule.condition == All(
        (
            Cmp("field", "in", ("web", "sms"), "channel"),
            Not(Cmp("data", "equals", "spam", "reason")),
            AnyOf((Cmp("field", "gt", 3, "priority"), Cmp("field", "is_set", None, "urgent"))),
            Cmp("field", "not_in", ("x", "y"), "note"),
        )
    )
    # The whole test always starts with the trigger and name: never only negative tests.
    assert rule.test.items[:2] == (Cmp("trigger", "equals", "timer"), Cmp("name", "equals", "nag"))
    assert [a.kind for a in rule.actions] == ["start_timer", "notify"]


def test_rules_keep_file_order_across_rulesets(seed: Spec) -> None:
    compiled = compile_rules(seed)
    assert [r.id for r in compiled.rules] == [r.id for r in seed.rules]
    assert [r.index for r in compiled.rules] == list(range(len(seed.rules)))
