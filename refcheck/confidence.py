"""How sure refcheck is of one finding: ``high``, ``medium`` or ``low``.

An editor reading 40 comments needs to know which to trust first, and a CI gate
should not fail on a guess.  A finding's confidence is made of two measured or
observable things, never of a rule author's optimism:

1. **The rule's measured precision at the finding's severity**
   (:meth:`refcheck.rule.Rule.precision_for`: the blind editor labels of the
   precision benchmark, written to ``refcheck/rule_precision.py`` by
   ``benchmarks/rule_weights.py``; a rule nobody measured counts as 0.5, "as likely
   right as wrong").  Severity matters: an info-level RC401 in a summary section is
   right far less often than a warning one.
2. **The strength of this finding's own evidence**, one step up or down
   (:data:`EVIDENCE_STEP`): three promotional words stacked in one sentence say more
   than one; a reference whose title shares a single term with nothing in the text
   says less than one with four; an out-of-order citation that only breaks the
   "figure references last" convention is weaker than one that breaks the numbering.
   A rule (a plugin's too) may state it directly as ``data["evidence"] = "strong"``
   or ``"weak"``; the built-in rules' signals are read from the data they already
   attach (:func:`evidence_strength`), so no rule had to change.

3. **A pattern** (claim rules only, :func:`claim_pattern`): one step up when the
   manuscript's claim findings are many (three or more, over two per 1,000 words).

``score = precision + EVIDENCE_STEP × (strength + pattern)``, then ``high`` at
:data:`HIGH_AT` or more ("right at least three times in four"), ``low`` below
:data:`LOW_BELOW` ("right less than two times in five"), ``medium`` between.
Since session 4 the measured precisions include 118 published manuscripts refcheck
had not been tuned on, where the claim rules were right about a third of the time
(RC301 0.32, RC402 0.19, RC403 0.32 at warning): a lone claim finding in a sound
manuscript is now low and hidden by default, while the same findings in a manuscript
full of them (the example) are shown — all of the example's editor-true findings but
one RC402 note without strong evidence (``benchmarks/precision/run.py`` prints it;
tests/test_confidence.py holds it).  Also below the line: RC101's own info notes (a
journal's alphabetical or legend numbering), and weak evidence on a middling rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from refcheck.model import Finding, Manuscript
    from refcheck.rule import Rule


class Confidence(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 0, "medium": 1, "high": 2}[self.value]


NAMES = tuple(c.value for c in Confidence)
DEFAULT_MIN = Confidence.MEDIUM
HIGH_AT = 0.75
LOW_BELOW = 0.40
EVIDENCE_STEP = 0.15
#: A reference whose title the parser only guessed (title-first, 0.6) is weak ground
#: for saying it does not fit: the "title" may be the authors or the journal.
_GUESSED_TITLE = 0.7


def band(score: float) -> Confidence:
    """The confidence a score falls in (see the module docstring for the cut points)."""
    if score >= HIGH_AT:
        return Confidence.HIGH
    if score < LOW_BELOW:
        return Confidence.LOW
    return Confidence.MEDIUM


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (list, tuple, set, frozenset)) else 0


def _terms_strength(counts: list[int]) -> int:
    """RC201/RC202: the foreign title terms behind the verdict; the weakest reference decides."""
    if not counts:
        return 0
    weakest = min(counts)
    return 1 if weakest >= 3 else (-1 if weakest <= 1 else 0)


def evidence_strength(f: Finding, manuscript: Manuscript | None = None) -> int:
    """−1 (weak), 0 (as usual for its rule) or +1 (strong) for one finding.

    ``data["evidence"]`` set by the rule wins; otherwise the built-in rules' own data:
    RC301 stacked or three or more promotional words (+1); RC201/RC202 three or more
    foreign title terms (+1), one (−1), or a reference title that was only guessed
    (−1); RC402 a section with four or more claims and none cited (+1); RC101 an
    order broken only by the float-references-last convention (−1).
    """
    data: Mapping[str, Any] = f.data or {}
    stated = data.get("evidence")
    if stated in ("strong", "weak"):
        return 1 if stated == "strong" else -1
    code = f.code
    if code in ("RC201", "RC202") and manuscript is not None:
        for n in f.references:
            ref = manuscript.reference(n)
            if ref is not None and ref.title and ref.confidence < _GUESSED_TITLE:
                return -1
    if code == "RC301":
        return 1 if data.get("stacked") or _count(data.get("words")) >= 3 else 0
    if code == "RC201":
        return _terms_strength([_count(data.get("foreign_terms"))]) if "foreign_terms" in data else 0
    if code == "RC202":
        mismatched = data.get("mismatched")
        if isinstance(mismatched, Mapping):
            return _terms_strength([_count(v.get("foreign_terms")) for v in mismatched.values()
                                    if isinstance(v, Mapping) and "foreign_terms" in v])
        return 0
    if code == "RC402":
        claims, cited = data.get("claims"), data.get("cited")
        return 1 if isinstance(claims, int) and claims >= 4 and cited == 0 else 0
    if code == "RC101":
        return -1 if data.get("convention") else 0
    return 0


#: The claim rules (RC3xx, RC4xx).  One such finding in a sound manuscript is usually
#: wrong: on published reviews and articles refcheck had not seen, blind editors
#: judged about a third of them worth sending (benchmarks/precision, session 4).  Many
#: in one manuscript are a pattern — what padded or unsupported writing looks like —
#: and each is then more often right, as RC201/RC202 require a pattern before speaking.
PATTERN_FAMILIES = ("RC3", "RC4")
#: A pattern: at least PATTERN_MIN claim warnings and more than PATTERN_PER_1000 per
#: 1,000 words — twice the most the precision benchmark allows a published manuscript
#: (1 per 1,000).  Measured: its 159 published manuscripts have at most 1.3 (two
#: findings in a 1,500-word piece); the example review 6.
PATTERN_MIN = 3
PATTERN_PER_1000 = 2.0


def claim_pattern(manuscript: Manuscript | None, findings: Sequence[Finding]) -> bool:
    """Do the manuscript's claim warnings form a pattern (see :data:`PATTERN_MIN`)?"""
    if manuscript is None:
        return False
    from refcheck.model import BlockKind, Severity

    n = sum(1 for f in findings if f.code.startswith(PATTERN_FAMILIES) and f.severity.rank >= Severity.WARNING.rank)
    if n < PATTERN_MIN:
        return False
    words = sum(len(b.text.split()) for b in manuscript.blocks if b.kind is not BlockKind.REFERENCE)
    return 1000 * n / max(words, 1) > PATTERN_PER_1000


def score(rule: type[Rule] | None, f: Finding, manuscript: Manuscript | None = None, configured: bool = False,
          pattern: bool = False) -> float:
    """Measured precision at the finding's severity, one evidence step up or down, in [0, 1],
    and one step up for a claim finding that is part of a pattern (:func:`claim_pattern`).

    ``configured``: the severity is the user's (``[tool.refcheck.severity]``), which
    says nothing about how often the rule is right — its overall precision counts, not
    that of the findings it grades to that severity itself (RC101's own info notes on a
    journal's numbering convention are right far less often than its warnings)."""
    from refcheck.rule import PRIOR

    precision = rule.precision_for(None if configured else f.severity) if rule is not None else PRIOR
    steps = evidence_strength(f, manuscript) + (1 if pattern and f.code.startswith(PATTERN_FAMILIES) else 0)
    return min(1.0, max(0.0, precision + EVIDENCE_STEP * steps))


def rate(rule: type[Rule] | None, f: Finding, manuscript: Manuscript | None = None, configured: bool = False,
         pattern: bool = False) -> Finding:
    """The finding with ``confidence`` (and ``confidence_score``, for SARIF's rank) set."""
    from dataclasses import replace

    s = score(rule, f, manuscript, configured, pattern)
    return replace(f, confidence=band(s).value, confidence_score=round(s, 3))


def parse(value: Any, where: str) -> Confidence:
    """A configured or command-line confidence; ValueError("expected …") when it is none."""
    if isinstance(value, Confidence):
        return value
    if isinstance(value, str) and value.strip().lower() in NAMES:
        return Confidence(value.strip().lower())
    from refcheck.rule import show_value

    raise ValueError(f"{where}expected low, medium or high, got {show_value(value)}")


def shown(f: Finding, minimum: Confidence | str | None) -> bool:
    """Whether a finding reaches ``minimum``; a finding without a confidence always does
    (a plugin's reporter may build findings by hand)."""
    if minimum is None or f.confidence is None:
        return True
    least = minimum if isinstance(minimum, Confidence) else Confidence(minimum)
    return Confidence(f.confidence).rank >= least.rank


def visible(findings: list[Finding], minimum: Confidence | str | None) -> list[Finding]:
    return [f for f in findings if shown(f, minimum)]
