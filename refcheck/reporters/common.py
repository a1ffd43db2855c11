"""Small helpers shared by reporters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from refcheck.model import Finding


def location(f: Finding) -> str:
    """"path:line:col" for text, "path:¶N" (paragraph) for DOCX and JATS."""
    from refcheck.display import display_name

    path = display_name(f.path)  # a stranger's file name: no raw newline or escape reaches the terminal
    if f.line is not None:
        return f"{path}:{f.line}:{f.column or 1}"
    para = f.data.get("paragraph")
    part = f.data.get("part", "body")
    where = f"¶{para}" if part in ("body", "jats", None) else f"{part} ¶{para}"
    return f"{path}:{where}" if para is not None else path


def counts(findings: Iterable[Finding]) -> Counter[str]:
    return Counter(f.severity.value for f in findings)


@dataclass(frozen=True)
class Note:
    """One comment to place in a document: a block span and the comment text
    (may hold newlines).  Both document writers (Word comments, CriticMarkup) take it."""

    block: int
    start: int
    end: int
    text: str
