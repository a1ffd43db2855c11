"""``refcheck annotate``: a copy of the manuscript with every finding as a review comment.

DOCX gets Word comments (:mod:`refcheck.reporters.docx_comments`), text and
Markdown get CriticMarkup (:mod:`refcheck.reporters.criticmarkup`).  This module
decides *what* each comment says and *where* the copy goes; the reporters decide
how it is anchored.  The input file is only ever read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from refcheck.config import Config
from refcheck.engine import FileResult, check_file
from refcheck.model import Block, BlockKind, Finding, InputError, Manuscript
from refcheck.outputs import atomic_write, check_output, default_output
from refcheck.reporters import criticmarkup, docx_comments

TEXT_FORMATS = ("text", "markdown")


def comment_text(f: Finding) -> str:
    """What a reader of the margin needs: code and name, message, suggestion, reference title."""
    lines = [f"{f.code} {f.name}: {f.message}"]
    if f.suggestion:
        lines.append(f"Suggestion: {f.suggestion}")
    title = f.data.get("reference_title")
    if title:
        refs = ", ".join(str(n) for n in f.references)
        lines.append(f"Reference{' ' + refs if refs else ''}: {title}")
    return "\n".join(lines)


def summary_text(findings: Sequence[Finding]) -> str:
    """One line of counts by rule, e.g. ``refcheck: 3 findings — RC101 ×2, RC301 ×1``."""
    if not findings:
        return "refcheck: no findings"
    by_rule = Counter(f"{f.code} {f.name}" for f in findings)
    parts = ", ".join(f"{rule} ×{n}" for rule, n in sorted(by_rule.items()))
    return f"refcheck: {len(findings)} finding{'s' if len(findings) != 1 else ''} — {parts}"


def title_block(ms: Manuscript) -> Block | None:
    """The title (first TITLE block), else the first block with text."""
    for b in ms.blocks:
        if b.kind is BlockKind.TITLE and b.text.strip():
            return b
    return next((b for b in ms.blocks if b.text.strip()), None)


def build_notes(ms: Manuscript, findings: Sequence[Finding], summary: bool) -> list[docx_comments.Note]:
    """One note per finding on its span, plus the summary note on the title."""
    notes = [docx_comments.Note(f.block, f.start, f.end, comment_text(f)) for f in findings]
    if summary:
        title = title_block(ms)
        if title is not None:
            notes.insert(0, docx_comments.Note(title.index, 0, len(title.text.rstrip()), summary_text(findings)))
    return notes


def annotate_result(
    result: FileResult, config: Config | None = None, output: Path | None = None,
    force: bool = False, summary: bool = True,
) -> Path:
    """Write the annotated copy of an already-checked file; return the output path."""
    ms = result.manuscript
    path = Path(result.path)
    if ms is None:
        problem = (result.error or "could not be read").removeprefix(f"{result.path}: ")
        raise InputError(result.path, problem)
    target = check_output(path, Path(output) if output else default_output(path), force)
    notes = build_notes(ms, result.findings, summary)
    if ms.format in TEXT_FORMATS:
        data = path.read_bytes()
        annotated, _count = criticmarkup.annotate_text(data, ms.blocks, notes)
        return atomic_write(target, annotated)
    if ms.format == "docx":
        return atomic_write(target, lambda tmp: docx_comments.annotate_docx(path, tmp, ms.blocks, notes))
    raise InputError(result.path, f"annotation is for DOCX and text/Markdown files, not {ms.format}")


def annotate_file(
    path: str | Path, output: Path | None = None, config: Config | None = None,
    force: bool = False, summary: bool = True,
) -> tuple[Path, FileResult]:
    """Check ``path`` and write its annotated copy; raise :class:`InputError` when unreadable."""
    result = check_file(path, config or Config())
    if result.error:
        raise InputError(str(path), result.error.removeprefix(f"{path}: "))
    return annotate_result(result, config, output, force, summary), result
