"""The rules layer: a revision's rules compiled to a neutral form, evaluated by one adapter.

    compile_rules(spec) -> CompiledRules          pure; raises SopInvalid with every problem
    rule_problems(spec) -> list[Problem]          the checks `sop validate` makes, as a list

Modules: actions (the closed registries), compiled (the neutral form), validate (a Spec's
rules through engine.spec.rules_check), compile, reasons. Conditions are engine.spec.expression
trees, meaning engine.spec.semantics; the adapter is engine.core.rules_engine.
"""

from engine.spec.rules.compile import compile_rules
from engine.spec.rules.compiled import CompiledRules, Match
from engine.spec.rules.validate import rule_problems

__all__ = ["CompiledRules", "Match", "compile_rules", "rule_problems"]
