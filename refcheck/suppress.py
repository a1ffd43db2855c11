"""Inline suppressions: an author silences one accepted finding in the manuscript itself.

Markdown (``.md``, ``.qmd``, ``.Rmd``) uses HTML comments, which every renderer
hides and refcheck's reader already skips as not prose::

    <!-- refcheck: disable=RC301 -->            rules off from here ...
    <!-- refcheck: enable=RC301 -->             ... back on from here
    <!-- refcheck: disable-next-line=RC401 -->  off for the next non-blank line only
    <!-- refcheck: disable -->                  every rule off (likewise enable)

LaTeX uses comments, judged in the file (main or ``\\input``) they are written in:
``% refcheck: disable=RC301``, ``% refcheck: enable=RC301``,
``% refcheck: disable-next-line=RC401``.

Codes are rule codes, prefixes (``RC3``) or names, separated by commas or spaces.  A
directive inside a fenced code block is text, not a directive.  Suppression goes by
the line a finding starts on.

Word (``.docx``) has no comment syntax in its text, but editors already comment:
a Word comment whose text starts ``refcheck: ignore`` suppresses the findings that
overlap the words it is anchored on — of the rules it names (``refcheck: ignore
RC301, RC401``; names and prefixes too), or of every rule when it names none.  What
follows the codes is the author's reason ("refcheck: ignore RC301 the data are in
Table 2").  The DOCX reader supplies each comment's text and range
(:mod:`refcheck.readers.comment_ranges`); ``refcheck annotate`` keeps the author's
comments, so the suppression holds in the annotated copy and on every re-check.

Any format can use the same machinery: a reader that knows a format's syntax makes
:class:`Directive` objects (line-based: :func:`parse`, :func:`apply`) or
:class:`SpanSuppression` objects (a stretch of block text: :func:`span_suppression`,
:func:`apply_spans`), and :func:`unused_findings` reports those that silenced nothing.

A suppression that suppresses nothing is an info finding, RC001
``unused-suppression`` (like ruff's RUF100), so stale suppressions do not pile up
unseen; one that names no known rule is a notice (stderr in ``refcheck check``) and
silences nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from refcheck.config import Config, ConfigError, resolve_rule
from refcheck.model import BlockKind, Finding, Manuscript

_DIRECTIVE = re.compile(
    r"<!--\s*refcheck\s*:\s*(?P<kind>disable-next-line|disable|enable)\b\s*(?:=\s*(?P<codes>[^>]*?))?\s*-->",
    re.I | re.S,
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: LaTeX: a comment line "% refcheck: disable=RC301" (an escaped "\\%" is text, not a comment).
_LATEX_DIRECTIVE = re.compile(
    r"(?<!\\)%[ \t]*refcheck[ \t]*:[ \t]*(?P<kind>disable-next-line|disable|enable)\b[ \t]*"
    r"(?:=[ \t]*(?P<codes>[^\n]*?))?[ \t]*$",
    re.I | re.M,
)
FORMATS = ("markdown",)
#: A Word comment that suppresses: "refcheck: ignore", then optional codes, then a reason.
_IGNORE = re.compile(r"^\s*refcheck\s*:\s*ignore\b(?P<rest>.*)", re.I | re.S)
#: What may be a rule selector in a comment's first words: a token with a digit (a code,
#: or a misspelt one, which must be reported), a hyphenated rule name, "ALL" or "RC".
_SELECTOR = re.compile(r"^(?:[A-Za-z]+\d\w*|[a-z]+(?:-[a-z]+)+|all|rc)$", re.I)
UNUSED = "RC001"


@dataclass
class Directive:
    """One ``refcheck:`` comment: what it does, to which codes (empty = all), where."""

    kind: str
    codes: tuple[str, ...]
    line: int
    column: int
    text: str
    target: int | None = None  # disable-next-line: the line it covers
    used: bool = field(default=False, compare=False)

    def covers(self, code: str) -> bool:
        return not self.codes or any(code.startswith(c) for c in self.codes)


def _fenced_lines(lines: list[str]) -> set[int]:
    """1-based numbers of lines inside fenced code blocks (fences included)."""
    inside: set[int] = set()
    fence: str | None = None
    for n, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            inside.add(n)
        elif fence is not None:
            inside.add(n)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
    return inside


def parse(text: str, notices: list[str], path: str, pattern: re.Pattern[str] = _DIRECTIVE) -> list[Directive]:
    """Every directive in ``text``; unknown rule codes become notices and are dropped.
    ``pattern`` is the format's directive syntax (Markdown's by default)."""
    lines = text.split("\n")
    fenced = _fenced_lines(lines) if pattern is _DIRECTIVE else set()
    out: list[Directive] = []
    for m in pattern.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if line in fenced:
            continue
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        codes: list[str] = []
        for token in re.split(r"[,\s]+", (m.group("codes") or "").strip()):
            if not token:
                continue
            try:
                codes.append(resolve_rule(token, "", prefixes=True))
            except ConfigError as exc:
                notices.append(f"{path}:{line}:{column}: suppression names {str(exc).lstrip(': ')}")
        if m.group("codes") and m.group("codes").strip() and not codes:
            continue  # named only unknown rules: it must not silence everything
        d = Directive(m.group("kind").lower(), tuple(c for c in codes if c), line, column, " ".join(m.group().split()))
        if "" in codes:  # ALL
            d.codes = ()
        if d.kind == "disable-next-line":
            end = text.count("\n", 0, m.end()) + 1
            d.target = next((n for n in range(end + 1, len(lines) + 1) if lines[n - 1].strip()), None)
        out.append(d)
    return out


def apply(findings: list[Finding], directives: list[Directive]) -> list[Finding]:
    """The findings no directive suppresses; every directive that suppressed one is marked used."""
    ranges = sorted((d for d in directives if d.kind != "disable-next-line"), key=lambda d: (d.line, d.column))
    kept: list[Finding] = []
    for f in findings:
        if f.line is None:
            kept.append(f)
            continue
        silencer: Directive | None = None
        for d in ranges:
            if d.line > f.line:
                break
            if d.covers(f.code):
                silencer = d if d.kind == "disable" else None
        if silencer is None:
            silencer = next((d for d in directives if d.kind == "disable-next-line" and d.target == f.line
                             and d.covers(f.code)), None)
        if silencer is None:
            kept.append(f)
        else:
            silencer.used = True
    return kept


@dataclass
class SpanSuppression:
    """A suppression over a stretch of block text, from ``start`` to ``end`` (exclusive),
    each ``(block index, character offset)``; codes empty = every rule."""

    codes: tuple[str, ...]
    start: tuple[int, int]
    end: tuple[int, int]
    text: str
    where: str  # how notices name its place, e.g. "paper.docx:¶12"
    used: bool = field(default=False, compare=False)

    def covers(self, code: str) -> bool:
        return not self.codes or any(code.startswith(c) for c in self.codes)

    def overlaps(self, f: Finding) -> bool:
        """Whether the finding's span shares a character with the range; a point (an
        empty span or range) counts when it lies inside or on the edge of the other."""
        a, b = (f.block, f.start), (f.block, max(f.end, f.start))
        if a == b or self.start == self.end:
            return a <= self.end and self.start <= b
        return a < self.end and self.start < b


def ignore_codes(text: str, notices: list[str], where: str) -> tuple[str, ...] | None:
    """The codes of a ``refcheck: ignore [CODES] [reason]`` text: () for every rule, None
    when the text is no such directive or names only unknown rules (which must not
    silence everything; each unknown one is a notice)."""
    m = _IGNORE.match(text)
    if m is None:
        return None
    tokens = re.split(r"[,\s]+", m.group("rest").strip())
    codes: list[str] = []
    named = False
    for token in tokens:
        token = token.strip("=:;.()[]")
        if not token or not _SELECTOR.match(token):
            break  # the reason begins
        named = True
        try:
            codes.append(resolve_rule(token, "", prefixes=True))
        except ConfigError as exc:
            notices.append(f"{where}: suppression names {str(exc).lstrip(': ')}")
    if named and not codes:
        return None
    return () if "" in codes else tuple(codes)


def span_suppression(text: str, start: tuple[int, int], end: tuple[int, int],
                     notices: list[str], where: str) -> SpanSuppression | None:
    """A :class:`SpanSuppression` from a comment's text, or None when it is not one."""
    codes = ignore_codes(text, notices, where)
    if codes is None:
        return None
    return SpanSuppression(codes, start, end, " ".join(text.split()), where)


def apply_spans(findings: list[Finding], spans: Sequence[SpanSuppression]) -> list[Finding]:
    """The findings no span suppresses; every span that suppressed one is marked used."""
    kept = []
    for f in findings:
        hit = [s for s in spans if s.covers(f.code) and s.overlaps(f)]
        for s in hit:
            s.used = True
        if not hit:
            kept.append(f)
    return kept


def _docx_spans(manuscript: Manuscript, notices: list[str]) -> list[SpanSuppression]:
    """The ``refcheck: ignore`` Word comments, their ranges moved from body paragraphs
    (``Block.anchor``) to blocks; a range edge on a paragraph with no text moves to the
    next block's start or the previous block's end."""
    comments = manuscript.metadata.get("comments") or []
    body = [b for b in manuscript.blocks if b.anchor[0] == "body"]
    if not comments or not body:
        return []
    by_para = {b.anchor[1]: b for b in body}

    def at(pos: tuple[int, int], is_start: bool) -> tuple[int, int]:
        n, offset = pos
        b = by_para.get(n)
        if b is not None:
            return (b.index, min(offset, len(b.text)))
        if is_start:
            nxt = next((x for x in body if x.anchor[1] > n), body[-1])
            return (nxt.index, 0)
        prev = next((x for x in reversed(body) if x.anchor[1] < n), body[0])
        return (prev.index, len(prev.text))

    spans = []
    for c in comments:
        if getattr(c, "author", "") == "refcheck":
            continue  # refcheck's own comments from an earlier annotate
        where = f"{manuscript.path}:¶{c.start[0] + 1}"
        s = span_suppression(c.text, at(c.start, True), at(c.end, False), notices, where)
        if s is not None:
            spans.append(s)
    return spans


def unused_findings(manuscript: Manuscript, config: Config, unused: Sequence[Directive | SpanSuppression]) -> list[Finding]:
    """RC001 info findings for suppressions that silenced nothing (RC001 selected)."""
    from refcheck.locations import locate
    from refcheck.plugins import all_rules

    rule = next((r for r in all_rules() if r.code == UNUSED), None)
    if rule is None or not config.enabled(UNUSED) or config.ignored_in(UNUSED, manuscript.path) or not unused:
        return []
    from refcheck.confidence import rate

    severity = config.severity.get(UNUSED) or config.severity.get(rule.name) or rule.default_severity
    made = []
    for s in unused:
        if isinstance(s, SpanSuppression):
            block, start = s.start
            end = s.end[1] if s.end[0] == block else len(manuscript.blocks[block].text)
            line = column = None
            what = f"the Word comment “{_short(s.text)}”"
        else:
            block, start, end = _block_at_line(manuscript, s.line), 0, 0
            line, column = s.line, s.column
            what = s.text
        scope = "rules it names" if s.codes else "rules"
        f = rule(severity).finding(
            manuscript, block, start, max(start, end),
            f"{what} suppresses nothing: no finding of the {scope} is on its words any more.",
            suggestion="Delete the suppression, or narrow it to the finding it is for.",
            data={"suppression": s.text},
        )
        f = locate(manuscript, f)
        if line is not None:
            f = replace(f, line=line, column=column)
        made.append(rate(rule, f, manuscript))
    return made


def _short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _block_at_line(manuscript: Manuscript, line: int) -> int:
    """The block a Markdown directive sits before (the next one from its line on)."""
    best = len(manuscript.blocks) - 1
    for b in manuscript.blocks:
        first, _ = b.source.first_real(0, max(len(b.text), 1))
        if first is not None and first >= line and b.kind is not BlockKind.REFERENCE:
            return b.index
    return max(best, 0)


def _judgeable(config: Config, manuscript: Manuscript, covers: Any) -> bool:
    """Whether any rule the suppression names ran this time (else it cannot be judged)."""
    from refcheck.plugins import all_rules

    ran = [r.code for r in all_rules()
           if r.code != UNUSED and config.enabled(r.code) and not config.ignored_in(r.code, manuscript.path)]
    return any(covers(c) for c in ran)


def suppress(manuscript: Manuscript, findings: list[Finding], config: Config, raw: bytes | None) -> list[Finding]:
    """Apply the manuscript's own suppressions: Markdown directives, Word comments.

    ``raw`` is the source as read; None reads ``manuscript.path``.  Suppressions that
    silenced nothing add RC001 findings; unknown rule names are notices in
    ``manuscript.metadata["notices"]``.
    """
    manuscript.metadata.pop("notices", None)  # each run judges its own suppressions
    if manuscript.format == "docx":
        notes: list[str] = []
        spans = _docx_spans(manuscript, notes)
        if notes:
            manuscript.metadata["notices"] = notes
        if not spans:
            return findings
        kept = apply_spans(findings, spans)
        idle = [s for s in spans if not s.used and _judgeable(config, manuscript, s.covers)]
        return sorted(kept + unused_findings(manuscript, config, idle), key=lambda f: (f.block, f.start, f.end, f.code))
    if manuscript.format == "latex":
        return _suppress_latex(manuscript, findings, config, raw)
    if manuscript.format not in FORMATS:
        return findings
    from refcheck.readers.text import decode_text

    if raw is None:
        try:
            with open(manuscript.path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return findings
    try:
        text = decode_text(raw, manuscript.path).replace("\r\n", "\n").replace("\r", "\n")
    except Exception:  # noqa: BLE001 - the reader already accepted it; no directives then
        return findings
    if "refcheck" not in text:
        return findings
    notices: list[str] = []
    manuscript.metadata["notices"] = notices
    directives = parse(text, notices, manuscript.path)
    kept = apply(findings, directives)
    # used, or its rules did not run this time (it cannot be judged): not reported
    idle = [d for d in directives if d.kind != "enable" and not d.used and _judgeable(config, manuscript, d.covers)]
    return sorted(kept + unused_findings(manuscript, config, idle), key=lambda f: (f.block, f.start, f.end, f.code))


def _suppress_latex(manuscript: Manuscript, findings: list[Finding], config: Config, raw: bytes | None) -> list[Finding]:
    """LaTeX ``% refcheck: disable=…`` comments, judged file by file: a finding is silenced
    by the directives of the file its words are in (the main file or an ``\\input`` one)."""
    from refcheck.readers.text import decode_text

    notices: list[str] = []
    manuscript.metadata["notices"] = notices
    files = list(dict.fromkeys([manuscript.path, *(manuscript.metadata.get("latex_files") or [])[1:]]))
    kept = [f for f in findings if (f.path or manuscript.path) not in files]
    made: list[Finding] = []
    for k, path in enumerate(files):
        own = [f for f in findings if (f.path or manuscript.path) == path]
        try:
            if k == 0 and raw is not None:
                text = decode_text(raw, path)
            else:
                with open(path, "rb") as fh:
                    text = decode_text(fh.read(), path)
        except Exception:  # noqa: BLE001 - the reader already read it; no directives then
            kept += own
            continue
        if "refcheck" not in text:
            kept += own
            continue
        directives = parse(text, notices, path, _LATEX_DIRECTIVE)
        kept += apply(own, directives)
        idle = [d for d in directives if d.kind != "enable" and not d.used and _judgeable(config, manuscript, d.covers)]
        made += [replace(f, path=path) if k else f for f in unused_findings(manuscript, config, idle)]
    return sorted(kept + made, key=lambda f: (f.block, f.start, f.end, f.code))
