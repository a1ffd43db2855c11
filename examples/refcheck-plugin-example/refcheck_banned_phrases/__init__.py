"""A journal's house style as a refcheck rule: phrases its editors will not print.

Install with ``pip install ./examples/refcheck-plugin-example``; the entry point in
this package's pyproject.toml registers the module, and the ``refcheck_get_rules``
hook below hands refcheck the rule class.  Configure it in the manuscript folder's
``pyproject.toml`` or ``refcheck.toml``::

    [tool.refcheck.options.JB001]
    phrases = ["paradigm shift", "game changer", "it is well known that"]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from refcheck import hookimpl
from refcheck.model import BlockKind, Finding, Manuscript, Severity
from refcheck.rule import Family, Rule

DEFAULT_PHRASES = ["paradigm shift", "game changer", "game-changer", "it is well known that", "needless to say"]


class BannedPhrase(Rule):
    """A phrase the journal's style guide does not allow.

    What it flags:
        Each occurrence, in running text, of a phrase from the configured list
        (case-insensitive, whole words).

    Why it matters:
        House style: the journal's editors strike these phrases in copy-editing;
        flagging them at submission saves a round of proofs.

    Example:
        "This is a paradigm shift in the treatment of acute liver failure."

    How to fix:
        Say what changed, and how much, instead of naming it.
    """

    code = "JB001"
    name = "banned-phrase"
    default_severity = Severity.WARNING
    options = {"phrases": DEFAULT_PHRASES}

    def check(self, manuscript: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        phrases = [p for p in options.get("phrases", DEFAULT_PHRASES) if str(p).strip()]
        if not phrases:
            return
        pattern = re.compile(r"\b(" + "|".join(re.escape(str(p)) for p in phrases) + r")\b", re.I)
        for block in manuscript.blocks:
            if block.kind in (BlockKind.REFERENCE, BlockKind.TITLE):
                continue
            for m in pattern.finditer(block.text):
                yield self.finding(
                    manuscript, block.index, m.start(), m.end(),
                    f"“{m.group()}” is on the journal's list of banned phrases.",
                    suggestion="Describe the change concretely instead.",
                )


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return [BannedPhrase]


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """The journal's rules as one family: its own column in a batch's summary.csv and
    its own bars in report.html, with no change to refcheck."""
    return [Family("JB", "journal house style", "#117a65")]
