"""The rules layer: a revision's rules compiled to a neutral form, evaluated by one adapter.

    compile_rules(spec) -> CompiledRules          pure; raises SopInvalid with every problem
    rule_problems(spec) -> list[Problem]          the same checks, as a list

Modules: actions (the closed registries), compiled (the neutral form and its semantics),
validate, compile, reasons, adapter (the only module importing durable_rules).
"""

from engine.spec.rules.compile import compile_rules
from engine.spec.rules.compiled import CompiledRules, Match
from engine.spec.rules.validate import rule_problems

__all__ = ["CompiledRules", "Match", "compile_rules", "rule_problems"]
