"""``refcheck annotate``: a copy of the manuscript with every finding as a review comment.

DOCX gets Word comments (:mod:`refcheck.reporters.docx_comments`), text and
Markdown get CriticMarkup (:mod:`refcheck.reporters.criticmarkup`), LaTeX gets
margin notes that compile (:mod:`refcheck.reporters.latex_notes`).  This module
decides *what* each comment says and *where* the copy goes; the reporters decide
how it is anchored.  The input file is only ever read.

What a comment says is written for an editor reading the margin, not for a log:
findings of one sentence share one comment (:func:`group_findings`), a comment is
the message plus a fix said once (:func:`comment_text`, :func:`group_text`), and the
summary on the title is a short "start here" list ordered as the batch triage
orders manuscripts (:func:`summary_text`).  Walls of text were the complaint: one
kgreview paragraph once carried six comments, one of them 381 words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from refcheck.config import Config
from refcheck.engine import FileResult, check_file
from refcheck.model import Block, BlockKind, Finding, InputError, Manuscript
from refcheck.ooxml.package import PackageCopy, PackageLimits
from refcheck.outputs import atomic_write, check_output, default_output
from refcheck.reporters import criticmarkup, docx_comments

TEXT_FORMATS = ("text", "markdown")


#: Verbs a message's last sentence starts with when it already says what to do
#: ("… cites none. Cite the studies meant."); the suggestion would only repeat it.
_IMPERATIVES = frozenset(
    ["add", "avoid", "check", "cite", "consider", "correct", "delete", "fix", "give", "keep", "make", "merge", "move", "name", "remove", "rename", "renumber", "replace", "reword", "see", "split", "state", "use", "verify"]
)
#: Words a summary comment may take: a margin note an editor reads, not a report.
SUMMARY_WORDS = 75


def _says_fix(message: str) -> bool:
    """Whether the message's last sentence is already an instruction."""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", message.strip()) if x]
    if len(sentences) < 2:
        return False
    first = re.match(r"[A-Za-z]+", sentences[-1])
    return bool(first) and first.group(0).lower() in _IMPERATIVES


def _message(f: Finding) -> str:
    """The message without what the comment's own anchor already shows: a heading the
    comment sits on is "this section", not quoted again."""
    msg = f.message.strip()
    flagged = f.text.strip()
    if flagged:
        m = re.match(r"^([A-Z][a-z]+) [“\"]" + re.escape(flagged) + r"[”\"]", msg)
        if m:
            msg = f"This {m.group(1).lower()}" + msg[m.end():]
    return msg


def _title_line(f: Finding, message: str) -> str | None:
    """The reference's title, unless the message already quotes it (a title once)."""
    title = (f.data.get("reference_title") or "").strip()
    if not title or title[:24].lower() in message.lower():
        return None
    refs = ", ".join(str(n) for n in f.references)
    return f"Reference{' ' + refs if refs else ''}: {title}"


def _fix(f: Finding, message: str) -> str | None:
    if not f.suggestion or _says_fix(message) or f.suggestion.strip() in message:
        return None
    return f.suggestion.strip()


def comment_text(f: Finding) -> str:
    """One finding in the margin: what is wrong (code, name, message) and what would fix
    it, in two or three lines; the reference title only if the message lacks it."""
    message = _message(f)
    lines = [f"{f.code} {f.name}: {message}"]
    title = _title_line(f, message)
    if title:
        lines.append(title)
    fix = _fix(f, message)
    if fix:
        lines.append(f"Fix: {fix}")
    return "\n".join(lines)


def _common_tail(messages: list[str]) -> tuple[list[str], str]:
    """Messages of one rule on one sentence share their ending ("… but not X, which the
    sentence is about."): say it once.  Returns the heads and the shared tail ("" when
    they share fewer than four words)."""
    words = [m.split() for m in messages]
    n = 0
    while all(len(w) > n + 1 for w in words) and len({tuple(w[len(w) - n - 1:]) for w in words}) == 1:
        n += 1

    def open_quote(w: list[str]) -> bool:  # the cut would split a quoted phrase
        head = " ".join(w[: len(w) - n])
        return head.count("“") != head.count("”") or head.count('"') % 2 == 1

    while n and any(open_quote(w) for w in words):
        n -= 1
    if n < 4:
        return messages, ""
    return [" ".join(w[: len(w) - n]) for w in words], " ".join(words[0][len(words[0]) - n:])


def _join(heads: list[str]) -> str:
    short = all(len(h.split()) <= 4 for h in heads)
    if short and len(heads) > 1:
        return ", ".join(heads[:-1]) + " and " + heads[-1]
    return "; ".join(h.rstrip(";,") for h in heads)


def group_text(group: Sequence[Finding]) -> str:
    """One comment for the findings of one sentence: each rule named once, with its
    messages (a shared ending said once), then the fixes, each once."""
    if len(group) == 1:
        return comment_text(group[0])
    by_rule: dict[str, list[Finding]] = {}
    for f in group:
        by_rule.setdefault(f.code, []).append(f)
    lines: list[str] = []
    fixes: list[str] = []
    for code, fs in by_rule.items():
        messages = [_message(f) for f in fs]
        if len(fs) == 1:
            text = messages[0]
        else:
            heads, tail = _common_tail(messages)
            text = f"{_join(heads)} {tail}" if tail else " ".join(messages)
        lines.append(f"{code} {fs[0].name}: {text}")
        for f, message in zip(fs, messages, strict=True):
            title = _title_line(f, message)
            if title:
                lines.append(title)
            fix = _fix(f, message)
            if fix and fix not in fixes:
                fixes.append(fix)
    if fixes:
        lines.append("Fix: " + " ".join(fixes))
    return "\n".join(lines)


def _sentence_key(ms: Manuscript, f: Finding) -> tuple[int, int]:
    """The sentence a finding sits in, as (block, sentence start); headings, reference
    entries and the title are one unit each."""
    block = ms.blocks[f.block]
    if block.kind not in (BlockKind.HEADING, BlockKind.REFERENCE, BlockKind.TITLE):
        for s in ms.sentences_in(f.block):
            if s.start <= f.start < s.end or (f.start == f.end == s.end):
                return (f.block, s.start)
    return (f.block, -1)


def group_findings(ms: Manuscript, findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by sentence, in document order; within a group, most severe first.

    Why: three comments on one sentence ("remarkable", a citation, "studies show") bury
    the sentence and say "check the evidence" three times; one comment naming each
    rule is read once.
    """
    groups: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        groups.setdefault(_sentence_key(ms, f), []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0], min(f.start for f in kv[1])))
    return [sorted(fs, key=lambda f: (-f.severity.rank, f.start)) for _, fs in ordered]


def _section_label(ms: Manuscript, f: Finding) -> str:
    """Where a finding is, as an editor names it: "2.3", "Introduction", "the reference list"."""
    kind = ms.blocks[f.block].kind
    if kind is BlockKind.REFERENCE:
        return "the reference list"
    if kind is BlockKind.TITLE:
        return "the title"
    if kind is BlockKind.ABSTRACT:
        return "the abstract"
    section = (f.section or "").strip()
    if not section:
        return "the front matter"
    m = re.match(r"^((?:\d+\.)*\d+)\.?\s", section)
    if m:
        return m.group(1)
    words = section.split()
    return "“" + " ".join(words[:4]) + ("…" if len(words) > 4 else "") + "”"


def _rule_weight(f: Finding) -> float:
    """What the finding adds to the batch triage score: the same order of seriousness."""
    from refcheck.triage import SEVERITY_WEIGHTS, rule_precision

    return SEVERITY_WEIGHTS[f.severity.value] * rule_precision(f.code, f.severity.value)


def _listing(items: list[str], limit: int) -> str:
    shown = items[:limit]
    more = " …" if len(items) > limit else ""
    if len(shown) > 1 and not more:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return ", ".join(shown) + more


def _places(labels: list[str], limit: int = 3) -> str:
    """"the abstract, sections 1, 2.2 and 2.4 …": numbered sections said as sections."""
    unique = list(dict.fromkeys(labels))
    shown, more = unique[:limit], len(unique) > limit
    named = [x for x in shown if not x[0].isdigit()]
    numbered = [x for x in shown if x[0].isdigit()]
    if numbered:
        named.append(("section " if len(numbered) == 1 else "sections ") + ", ".join(numbered))
    text = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 and not more else ", ".join(named)
    return text + (" …" if more else "")


def summary_text(findings: Sequence[Finding], ms: Manuscript | None = None) -> str:
    """The title's comment: where to start.  Rules in order of seriousness (severity ×
    measured precision, summed: what they add to the batch triage score), each with
    its count, the references it names and the sections its comments are in, e.g.
    ``RC202 citation-context-mismatch ×11: refs 3, 6, 8 …; in 2.1, 2.2 and 2.4.``
    Kept under :data:`SUMMARY_WORDS`: the rules that do not fit are named with counts."""
    if not findings:
        return "refcheck: no findings"
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.code, []).append(f)
    ranked = sorted(by_rule.items(), key=lambda kv: (-sum(_rule_weight(f) for f in kv[1]), kv[0]))
    head = f"refcheck: {len(findings)} finding{'s' if len(findings) != 1 else ''}. Start here:"
    lines = [head]
    rest: list[str] = []
    used = len(head.split())
    for i, (code, fs) in enumerate(ranked):
        label = f"{code} {fs[0].name} ×{len(fs)}"
        detail = []
        refs = sorted({n for f in fs for n in f.references}) if all(len(f.references) <= 2 for f in fs) else []
        if refs:
            detail.append(("ref " if len(refs) == 1 else "refs ") + _listing([str(n) for n in refs], 6))
        if ms is not None:
            detail.append("in " + _places([_section_label(ms, f) for f in fs]))
        line = f"{i + 1}. {label}" + (": " + "; ".join(detail) if detail else "")
        line += "" if line.endswith("…") else "."
        if not rest and (i < 2 or used + len(line.split()) <= SUMMARY_WORDS - 8):
            lines.append(line)
            used += len(line.split())
        else:
            rest.append(label)
    if rest:
        lines.append("Also: " + ", ".join(rest) + ".")
    return "\n".join(lines)


def title_block(ms: Manuscript) -> Block | None:
    """The title (first TITLE block), else the first block with text."""
    for b in ms.blocks:
        if b.kind is BlockKind.TITLE and b.text.strip():
            return b
    return next((b for b in ms.blocks if b.text.strip()), None)


def build_notes(ms: Manuscript, findings: Sequence[Finding], summary: bool) -> list[docx_comments.Note]:
    """One note per sentence with findings, plus the summary note on the title.

    A note covers its findings' words: from the first flagged character to the last
    (exactly the finding's span when it is alone in its sentence).
    """
    notes = [docx_comments.Note(g[0].block, min(f.start for f in g), max(f.end for f in g), group_text(g))
             for g in group_findings(ms, findings)]
    if summary:
        title = title_block(ms)
        if title is not None:
            notes.insert(0, docx_comments.Note(title.index, 0, len(title.text.rstrip()), summary_text(findings, ms)))
    return notes


def commented(result: FileResult, config: Config | None = None) -> list[Finding]:
    """The findings that become comments: those at or above ``min-confidence`` (default
    medium), so the margin is not filled with what refcheck itself doubts."""
    from refcheck.confidence import visible

    return visible(result.findings, (config or Config()).min_confidence)


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
    notes = build_notes(ms, commented(result, config), summary)
    if ms.format in TEXT_FORMATS:
        annotated, _count = criticmarkup.annotate_text(checked_bytes(ms), ms.blocks, notes)
        return atomic_write(target, annotated)
    if ms.format == "docx":
        pkg = PackageCopy(path, checked_bytes(ms), PackageLimits.from_config((config or Config()).as_dict()))
        return atomic_write(target, lambda tmp: docx_comments.annotate_docx(path, tmp, ms.blocks, notes, pkg))
    if ms.format == "latex":  # margin notes in the main file; see refcheck.reporters.latex_notes
        from refcheck.reporters.latex_notes import annotate_latex

        return atomic_write(target, annotate_latex(checked_bytes(ms), ms, notes))
    raise InputError(result.path, f"annotation is for DOCX and text/Markdown files, not {ms.format}")


def checked_bytes(ms: Manuscript) -> bytes:
    """The bytes the reader read and checked, which the copy is written from.

    Why not the file again: between ``check`` and the write the file could be
    swapped for a bomb or grow past the limits; a second read would escape both
    the limits and the promise that the comments belong to the text they are on."""
    if ms.raw is None:
        raise InputError(ms.path, f"cannot annotate: the {ms.format} reader kept no copy of the bytes it checked")
    return ms.raw


def annotate_file(
    path: str | Path, output: Path | None = None, config: Config | None = None,
    force: bool = False, summary: bool = True,
) -> tuple[Path, FileResult]:
    """Check ``path`` and write its annotated copy; raise :class:`InputError` when unreadable."""
    result = check_file(path, config or Config())
    if result.error:
        raise InputError(str(path), result.error.removeprefix(f"{path}: "))
    return annotate_result(result, config, output, force, summary), result
