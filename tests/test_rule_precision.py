"""The per-rule precision the triage score weighs findings by: declared in one place."""

from __future__ import annotations

from refcheck.engine import all_rules
from refcheck.model import Severity
from refcheck.rule import PRIOR, Rule
from refcheck.rule_precision import BY_RULE, BY_RULE_SEVERITY


def test_measured_table_names_real_rules_with_probabilities() -> None:
    codes = {cls.code for cls in all_rules()}
    assert set(BY_RULE) <= codes and {c for c, _ in BY_RULE_SEVERITY} <= codes
    assert all(0 < v < 1 for v in [*BY_RULE.values(), *BY_RULE_SEVERITY.values()])
    assert all(sev in {s.value for s in Severity} for _, sev in BY_RULE_SEVERITY)


def test_precision_is_declared_else_measured_else_the_prior() -> None:
    rules = {cls.code: cls for cls in all_rules()}
    code, sev = next(iter(BY_RULE_SEVERITY))
    assert rules[code].precision_for(sev) == BY_RULE_SEVERITY[(code, sev)]
    assert rules[code].precision_for(Severity(sev)) == BY_RULE_SEVERITY[(code, sev)]
    # a severity the labels never saw: the rule's overall value
    unseen = next(s for s in ("error", "warning", "info") if (code, s) not in BY_RULE_SEVERITY)
    assert rules[code].precision_for(unseen) == BY_RULE[code]

    class Declared(Rule):
        code, name, precision = "ZZ001", "declared", 0.9

    class Unmeasured(Rule):
        code, name = "ZZ002", "unmeasured"

    assert Declared.precision_for("warning") == 0.9
    assert Unmeasured.precision_for("warning") == PRIOR
