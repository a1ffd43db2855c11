"""Inline suppressions: an author silences one accepted finding in the manuscript itself.

Markdown (``.md``, ``.qmd``, ``.Rmd``) uses HTML comments, which every renderer
hides and refcheck's reader already skips as not prose::

    <!-- refcheck: disable=RC301 -->            rules off from here ...
    <!-- refcheck: enable=RC301 -->             ... back on from here
    <!-- refcheck: disable-next-line=RC401 -->  off for the next non-blank line only
    <!-- refcheck: disable -->                  every rule off (likewise enable)

Codes are rule codes, prefixes (``RC3``) or names, separated by commas or spaces.  A
directive inside a fenced code block is text, not a directive.  Suppression goes by
the line a finding starts on.  A directive that suppresses nothing, or names no
known rule, becomes a notice (shown on stderr by ``refcheck check``), so stale
suppressions do not pile up unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from refcheck.config import Config, ConfigError, resolve_rule
from refcheck.model import Finding, Manuscript

_DIRECTIVE = re.compile(
    r"<!--\s*refcheck\s*:\s*(?P<kind>disable-next-line|disable|enable)\b\s*(?:=\s*(?P<codes>[^>]*?))?\s*-->",
    re.I | re.S,
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
FORMATS = ("markdown",)


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


def parse(text: str, notices: list[str], path: str) -> list[Directive]:
    """Every directive in ``text``; unknown rule codes become notices and are dropped."""
    lines = text.split("\n")
    fenced = _fenced_lines(lines)
    out: list[Directive] = []
    for m in _DIRECTIVE.finditer(text):
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


def suppress(manuscript: Manuscript, findings: list[Finding], config: Config, raw: bytes | None) -> list[Finding]:
    """Apply the manuscript's inline suppressions (Markdown only; other formats as given).

    ``raw`` is the source as read; None reads ``manuscript.path``.  Notices (unused or
    unknown suppressions) go to ``manuscript.metadata["notices"]``.
    """
    manuscript.metadata.pop("notices", None)  # each run judges its own suppressions
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
    from refcheck.engine import all_rules

    ran = [r.code for r in all_rules() if config.enabled(r.code) and not config.ignored_in(r.code, manuscript.path)]
    for d in directives:
        if d.kind == "enable" or d.used or not any(d.covers(c) for c in ran):
            continue  # used, or its rules did not run this time: it cannot be judged
        notices.append(f"{manuscript.path}:{d.line}:{d.column}: unused suppression {d.text} (it suppresses nothing)")
    return kept
