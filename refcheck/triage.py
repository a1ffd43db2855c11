"""How much a finding counts when manuscripts are ranked for the desk.

The batch triage score and the annotated copy's "start here" summary both weigh a
finding by its severity and by how often its rule is right; both read the weights
here, so the Word summary and the batch report can never rank differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: What one finding of each severity adds to the triage score, before its rule's
#: precision: an error (a citation with no reference, a broken list) stops a
#: manuscript; info is a note (a summary section, a list cited only in floats).
SEVERITY_WEIGHTS = {"error": 3.0, "warning": 1.0, "info": 0.25}
#: The triage score is per 1,000 words of text, with this many words at least.
MIN_WORDS = 1000


def triage_score(findings: Iterable[Any], words: int, precision: Callable[[str, str], float]) -> float:
    """Expected real problems per 1,000 words (see refcheck.batch's docstring for why)."""
    total = sum(SEVERITY_WEIGHTS[f.severity.value] * precision(f.code, f.severity.value) for f in findings)
    return round(1000 * total / max(words, MIN_WORDS), 2)


def rule_precision(code: str, severity: str) -> float:
    """:meth:`Rule.precision_for` of the rule with ``code``; the prior for an unknown code."""
    from refcheck.plugins import all_rules
    from refcheck.rule import PRIOR

    for cls in all_rules():
        if cls.code == code:
            return cls.precision_for(severity)
    return PRIOR
