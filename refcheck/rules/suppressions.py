"""RC001: a suppression that suppresses nothing (ruff's RUF100 "unused-noqa")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from refcheck.model import Finding, Manuscript, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Family, Rule


class UnusedSuppression(Rule):
    """A suppression in the manuscript that silenced no finding.

    What it flags:
        A Markdown ``<!-- refcheck: disable… -->`` comment, or a Word comment whose text
        starts ``refcheck: ignore``, that silenced no finding of the rules it names on
        this run.  The finding is made by the suppression step
        (:mod:`refcheck.suppress`), after every other rule has run, so it knows which
        suppressions were used; it is never made for a suppression of a rule that did
        not run (``select``/``ignore``/``per-file-ignores``): that one cannot be judged.

    Why it matters:
        A suppression outlives the sentence it was written for.  Once the text is
        rewritten it silences nothing today and may silence a real problem tomorrow,
        unseen.

    Example:
        A Word comment "refcheck: ignore RC301" on a sentence that no longer says
        "remarkable", or ``<!-- refcheck: disable-next-line=RC401 -->`` above a
        sentence that now cites its studies.

    How to fix:
        Delete the comment, or narrow it to the rule it is for.  Select RC001 with the
        other rules when ``select`` is used, or ignore it to stop these notes.
    """

    code: ClassVar[str] = "RC001"
    name: ClassVar[str] = "unused-suppression"
    default_severity: ClassVar[Severity] = Severity.INFO
    #: Counted, not judged: a suppression that silenced nothing did so for certain.
    precision: ClassVar[float | None] = 1.0

    def check(self, manuscript: Manuscript, options: dict[str, Any]) -> Iterable[Finding]:
        return ()  # made by refcheck.suppress once the other rules' findings are known


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return [UnusedSuppression]


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC0", "suppressions", "#7f8c8d")]
