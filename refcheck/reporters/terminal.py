"""What ``refcheck check`` prints for people: ``concise`` (default), ``full``,
``github``, and ``--statistics``.

Why this shape (issue 16): 55 findings once took 149 lines at 120 columns, the flagged
word was quoted twice, and ``paper.docx:¶20`` named a paragraph number Word never
shows.  So, like ruff's concise output:

- one line per finding, cut to the terminal's width (120 columns when the output is
  not a terminal) with an ellipsis at a word boundary of the message;
- ``path:line:col`` for text formats; for DOCX (and JATS, which have no lines)
  ``path:¶N`` plus the section (its number when numbered) and the sentence's first
  words in quotes, which Word's Find (Ctrl+F) locates;
- the flagged words quoted once: only when the message does not already quote them.

``full`` adds the rule name, the confidence, the whole sentence and the fix.
``github`` writes GitHub Actions workflow commands, which the Actions runner turns
into annotations on the file (and line, for Markdown/LaTeX/text; a DOCX annotation
names only the file).
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from refcheck.model import BlockKind, Finding, Manuscript
from refcheck.reporters.common import counts
from refcheck.reporting import ReportOptions

DEFAULT_WIDTH = 120
#: Formats printed for people: colour on a terminal, a summary line, ``--quiet`` drops it.
PEOPLE = ("concise", "full", "text")
_COLOURS = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_NUMBERED = re.compile(r"^((?:\d+\.)*\d+)\.?(?:\s|$)")
#: How much of the sentence's start is quoted for Word's Find: enough words to be
#: unique in a manuscript, short enough to leave the line to the message.
_FIRST_WORDS = 4
_FIRST_CHARS = 24
#: Columns the message keeps before the quoted sentence start gives way.
_MIN_MESSAGE = 32


def terminal_width(stream: Any = None) -> int:
    """The terminal's columns when writing to one (``COLUMNS`` honoured), else 120."""
    out = stream if stream is not None else sys.stdout
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, 40)
    return DEFAULT_WIDTH


def cells(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns: cut at a word boundary, ending "…"."""
    if cells(text) <= width:
        return text
    if width <= 1:
        return "…"[:max(width, 0)]
    out, used = [], 0
    for ch in text:
        w = cells(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    head = "".join(out)
    space = head.rfind(" ")
    if space >= len(head) * 0.6:  # a word boundary not too far back
        head = head[:space]
    return head.rstrip(" ,;:(“\"") + "…"


def _flat(text: str) -> str:
    return " ".join(text.split())


def quoted_flag(f: Finding) -> str:
    """The flagged words in quotes, or "" when the message already quotes them (the
    usual case) or they are no words (a citation "[18]", a reference entry)."""
    text = _flat(f.text)
    if not text or len(text) > 40 or not re.search(r"[^\W\d_]{3}", text):
        return ""
    if text.lower() in f.message.lower():
        return ""
    return f"“{text}”"


def section_label(section: str) -> str:
    """A section as a line can afford: its number ("2.3"), else its first words."""
    section = _flat(section)
    m = _NUMBERED.match(section)
    if m:
        return m.group(1)
    return cut(section, 24)


def first_words(sentence: str, words: int = _FIRST_WORDS, chars: int = _FIRST_CHARS, enough: int = 14) -> str:
    """The sentence's opening words exactly as written (Word's Find matches them):
    words until ``enough`` characters ("The advent of", not "The"), at most ``words``
    words, and no word past ``chars`` characters once eight are taken."""
    taken: list[str] = []
    for w in sentence.split()[:words]:
        so_far = len(" ".join(taken))
        if taken and (so_far >= enough or (len(" ".join([*taken, w])) > chars and so_far >= 8)):
            break
        taken.append(w)
    return " ".join(taken).rstrip(",;:")


def where(f: Finding, ms: Manuscript | None, chars: int = _FIRST_CHARS) -> str:
    """For a finding without lines (DOCX, JATS): ``2.1 “Additionally, hUC-MSCs…”`` — the
    section and the sentence's first words (about ``chars`` characters of them), so an
    editor can find the place with Word's Find."""
    block = ms.blocks[f.block] if ms is not None and 0 <= f.block < len(ms.blocks) else None
    sentence = _flat(f.excerpt or f.text)
    if block is not None and block.kind is BlockKind.HEADING:
        return f"heading “{first_words(_flat(block.text), _FIRST_WORDS + 2, chars + 12, chars)}”"
    start = first_words(sentence, _FIRST_WORDS, chars, min(14, chars))
    quote = f"“{start}{'…' if len(start) < len(sentence) else ''}”" if start else ""
    if block is not None and block.kind is BlockKind.REFERENCE:
        return f"references {quote}".strip()
    label = section_label(f.section) if f.section else ""
    return f"{label} {quote}".strip()


def location(f: Finding, ms: Manuscript | None) -> str:
    """``path:line:col`` or ``path:¶N`` (``path:footnotes ¶N`` in a note)."""
    from refcheck.display import display_name

    path = display_name(f.path)  # a stranger's file name: no raw newline or escape reaches the terminal
    if f.line is not None:
        return f"{path}:{f.line}:{f.column or 1}"
    para = f.data.get("paragraph")
    part = f.data.get("part", "body")
    if para is None:
        return path
    return f"{path}:¶{para}" if part in ("body", "jats", None) else f"{path}:{part} ¶{para}"


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def concise_line(f: Finding, ms: Manuscript | None, width: int | None = DEFAULT_WIDTH, color: bool = False) -> str:
    """One finding on one line of at most ``width`` columns (None: no limit)."""
    sev = f.severity.value
    flag = quoted_flag(f)
    message = _flat(f"{flag}: {f.message}" if flag else f.message)
    head = location(f, ms)
    if f.line is None:
        chars = _FIRST_CHARS
        if width is not None:  # a long path: the quote gives way, down to what Find needs
            bare = cells(f"{head} {section_label(f.section) if f.section else ''} “…”: {f.code} {sev} ")
            chars = max(14, min(_FIRST_CHARS, width - bare - _MIN_MESSAGE))
        place = where(f, ms, chars)
        if width is not None and cells(f"{head} {place}: {f.code} {sev} ") + 12 > width:
            # a very long path: the section alone, then nothing, rather than a wrapped line
            place = section_label(f.section) if f.section else ""
            if cells(f"{head} {place}: {f.code} {sev} ") + 12 > width:
                place = ""
        head = f"{head} {place}" if place else head
    lead = f"{head}: {f.code} {sev} "
    if width is not None:
        message = cut(message, max(width - cells(lead), 12))
    if not color:
        return lead + message
    return f"[bold]{_esc(head)}[/]: [{_COLOURS[sev]}]{f.code} {sev}[/] {_esc(message)}"


def _summary(results: list[Any], shown: int) -> str:
    total = [f for r in results for f in r.findings]
    c = counts(total)
    errors = sum(1 for r in results if r.error)
    n = len(results)
    text = (f"{shown} finding{'s' if shown != 1 else ''} ({c['error']} error, {c['warning']} warning, "
            f"{c['info']} info) in {n} file{'s' if n != 1 else ''}")
    if errors:
        text += f"; {errors} could not be read"
    return text


def render_concise(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """One line per finding, then a summary line that counts unreadable files too."""
    opts = options or ReportOptions()
    lines = [concise_line(f, r.manuscript, opts.width, opts.color) for r in results for f in r.findings]
    lines.append(_summary(results, sum(len(r.findings) for r in results)))
    return "\n".join(lines)


def render_full(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """Per finding: the location, code, severity, rule name and confidence; the whole
    message; the sentence it is in (``|``); the fix (``= fix:``); a blank line."""
    opts = options or ReportOptions()
    color, width = opts.color, opts.width
    wrap = (width or 10_000) - 4
    blocks: list[str] = []
    for r in results:
        for f in r.findings:
            head = location(f, r.manuscript)
            if f.line is None:
                place = where(f, r.manuscript)
                head = f"{head} {place}" if place else head
            sev = f.severity.value
            conf = f" [{f.confidence} confidence]" if f.confidence else ""
            flag = quoted_flag(f)
            if color:
                lines = [f"[bold]{_esc(head)}[/]: [{_COLOURS[sev]}]{f.code} {sev}[/] {_esc(f.name)}{_esc(conf)}"]
            else:
                lines = [f"{head}: {f.code} {sev} {f.name}{conf}"]
            message = _flat(f"{flag}: {f.message}" if flag else f.message)
            lines += textwrap.wrap(message, wrap, initial_indent="  ", subsequent_indent="  ")
            sentence = _flat(f.excerpt)
            if sentence:
                if f.section and f.line is not None:
                    lines.append(f"  in {_flat(f.section)}:")
                lines += textwrap.wrap(sentence, wrap, initial_indent="  | ", subsequent_indent="  | ")
            if f.suggestion:
                lines += textwrap.wrap(_flat(f.suggestion), wrap, initial_indent="  = fix: ", subsequent_indent="    ")
            text = "\n".join(lines)
            blocks.append(text if not color else "\n".join([lines[0], *(_esc(x) for x in lines[1:])]))
    blocks.append(_summary(results, sum(len(r.findings) for r in results)))
    return "\n\n".join(blocks)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding, ms: Manuscript | None) -> str:
    """``::warning file=…,line=…,col=…,title=RC301::message``: a workflow command the
    Actions runner shows as an annotation on that line of the pull request.  A DOCX
    has no lines, so its annotation names the file and says where in its message."""
    props = [f"file={_gh_property(f.path)}"]
    message = _flat(f.message)
    flag = quoted_flag(f)
    if flag:
        message = f"{flag}: {message}"
    if f.line is not None:
        props += [f"line={f.line}", f"col={f.column or 1}"]
        if f.text and "\n" not in f.text:
            props += [f"endLine={f.line}", f"endColumn={(f.column or 1) + len(f.text)}"]
    else:
        place = where(f, ms)
        para = f.data.get("paragraph")
        prefix = f"¶{para}" if para is not None else ""
        prefix = f"{prefix} {place}".strip()
        if prefix:
            message = f"{prefix}: {message}"
    props.append(f"title={_gh_property(f.code)}")
    if f.suggestion:
        message += f"\nFix: {_flat(f.suggestion)}"
    return f"::{_GITHUB_LEVEL[f.severity.value]} {','.join(props)}::{_gh_data(f'{f.name}: {message}')}"


def render_github(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """Workflow commands, one per finding; an unreadable file is an ``::error``."""
    lines = []
    for r in results:
        if r.error:
            lines.append(f"::error file={_gh_property(r.path)},title=refcheck::{_gh_data(r.error)}")
        lines += [github_line(f, r.manuscript) for f in r.findings]
    return "\n".join(lines)


def statistics(findings: Iterable[Finding]) -> list[str]:
    """``--statistics``: per rule, the count, code, name and its severities, most first."""
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    rows = sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if not rows:
        return []
    name_w = max(len(fs[0].name) for _, fs in rows)
    count_w = max(len(str(len(fs))) for _, fs in rows)
    lines = []
    for code, fs in rows:
        sev = Counter(f.severity.value for f in fs)
        split = ", ".join(f"{sev[s]} {s}" for s in ("error", "warning", "info") if sev[s])
        lines.append(f"{len(fs):>{count_w}}  {code}  {fs[0].name:<{name_w}}  {split}")
    return lines


def render_statistics(results: list[Any], machine: bool = False) -> str:
    """The ``--statistics`` table and the summary line; with ``machine`` a JSON list of
    ``{"code", "name", "count", "severities"}`` (as ``ruff --statistics --output-format json``)."""
    findings = [f for r in results for f in r.findings]
    if machine:
        import json

        by_code: dict[str, list[Finding]] = {}
        for f in findings:
            by_code.setdefault(f.code, []).append(f)
        rows = [{"code": code, "name": fs[0].name, "count": len(fs),
                 "severities": dict(Counter(f.severity.value for f in fs))}
                for code, fs in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
        return json.dumps(rows, indent=2, ensure_ascii=False)
    lines = statistics(findings)
    lines.append(_summary(results, len(findings)))
    return "\n".join(lines)
