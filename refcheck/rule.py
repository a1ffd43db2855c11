"""The base class every rule derives from, built-in or third-party."""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable
from typing import Any, ClassVar

from refcheck.model import Block, BlockKind, Finding, Manuscript, Severity

DOC_SECTIONS = ("What it flags", "Why it matters", "Example", "How to fix")


class Rule:
    """A check over a prepared :class:`Manuscript`.

    Subclasses set ``code`` ("RC301"), ``name`` ("unsupported-superlative"),
    ``default_severity``, ``options`` (name -> default) and implement :meth:`check`.
    The class docstring is the rule's documentation and must carry the sections in
    :data:`DOC_SECTIONS`, each as a line ``Section:`` followed by its text.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.WARNING
    options: ClassVar[dict[str, Any]] = {}

    def __init__(self, severity: Severity | None = None):
        self.severity = severity or self.default_severity
        # A severity set in the configuration is final: rules that grade findings
        # (summaries lower, stacked words higher) leave it alone when this is True.
        self.configured = severity is not None

    def check(self, manuscript: Manuscript, options: dict[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError

    # -- documentation ----------------------------------------------------------

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring split into its sections; ``summary`` is the first paragraph."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        parts = re.split(r"^({}):\s*$".format("|".join(map(re.escape, DOC_SECTIONS))), doc, flags=re.M)
        out = {"summary": parts[0].strip()}
        for title, body in zip(parts[1::2], parts[2::2], strict=True):
            out[title] = textwrap.dedent(body.strip("\n")).strip()
        return out

    @classmethod
    def summary(cls) -> str:
        return " ".join(cls.documentation()["summary"].split())

    # -- building findings ------------------------------------------------------

    def finding(
        self,
        manuscript: Manuscript,
        block: int,
        start: int,
        end: int,
        message: str,
        *,
        severity: Severity | None = None,
        references: Iterable[int] = (),
        suggestion: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding on ``[start, end)`` of ``block`` with section and excerpt filled in."""
        b = manuscript.blocks[block]
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            block=block,
            start=start,
            end=end,
            text=b.text[start:end],
            section=b.section_title,
            excerpt=excerpt_for(manuscript, b, start, end),
            references=tuple(references),
            suggestion=suggestion,
            data=data or {},
            path=manuscript.path,
        )


def excerpt_for(manuscript: Manuscript, block: Block, start: int, end: int) -> str:
    """The whole sentence the span sits in; the whole block for headings and references."""
    if block.kind not in (BlockKind.HEADING, BlockKind.REFERENCE, BlockKind.TITLE):
        for s in manuscript.sentences_in(block.index):
            if s.start <= start < s.end or (start == end == s.end):
                return s.text.strip() if end <= s.end else block.text[s.start : end].strip()
    return block.text.strip()
