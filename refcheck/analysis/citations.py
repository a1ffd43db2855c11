"""Find in-text citations: numeric (bracketed, parenthesised, superscript) and author–year.

What is *not* a citation matters as much: years, "[Fig. 1]", "[sic]", "(n = 12)",
"p < 0.05", list markers "(1) … (2) …", equation numbers and exponents.  Every
citation keeps its exact span, because the Word comment is anchored on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from refcheck.model import Block, BlockKind, Citation

DASHES = "-–—‐‑−"
_NUM_ITEM = rf"\d{{1,4}}(?:\s*[{DASHES}]\s*\d{{1,4}})?"
_NUM_LIST = rf"{_NUM_ITEM}(?:\s*[,;]\s*{_NUM_ITEM})*"
BRACKETED = re.compile(rf"\[\s*({_NUM_LIST})\s*\]|\[\s*\]")
# PLOS writes ranges as two bracketed numbers joined by a dash: "[1]–[3]".
BRACKET_RANGE = re.compile(rf"\[\s*(\d{{1,4}})\s*\]\s*[{DASHES}]\s*\[\s*(\d{{1,4}})\s*\]")
CARET_BRACES = re.compile(rf"\^\{{\s*({_NUM_LIST})\s*\}}|\^({_NUM_LIST})\^")
PARENTHESISED = re.compile(rf"\(\s*({_NUM_LIST})\s*\)")
SUPERSCRIPT_RUN = re.compile(rf"^\s*\[?\(?\s*({_NUM_LIST})\s*[\])]?[.,;]?\s*$")
_UNICODE_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻˒‒", "0123456789-,-")
UNICODE_SUPERSCRIPT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[⁻˒,‒–-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
_UNITS = {"m", "cm", "mm", "km", "µm", "μm", "nm", "kg", "g", "mg", "s", "l", "ml", "dl", "mol"}
MAX_RANGE = 500

_NAME = r"(?:[A-Z][\w'’\-]+|van der [A-Z][\w'’\-]+|de [A-Z][\w'’\-]+)"
_AUTHORS = rf"{_NAME}(?:\s+(?:and|&)\s+{_NAME}|\s+et\s+al\.?)?"
_AY_ITEM = rf"{_AUTHORS},?\s+(?:19|20)\d\d[a-z]?(?:,\s*(?:19|20)\d\d[a-z]?)*"
AUTHOR_YEAR_PAREN = re.compile(rf"\((?:(?:see|e\.g\.,?|cf\.)\s+)?({_AY_ITEM}(?:\s*;\s*{_AY_ITEM})*)\)")
AUTHOR_YEAR_NARRATIVE = re.compile(rf"\b({_AUTHORS})\s+\(((?:19|20)\d\d[a-z]?)\)")


@dataclass(frozen=True)
class NumberList:
    numbers: tuple[int, ...]
    problem: str | None = None


# pandoc/citeproc citation keys (Markdown manuscripts kept in git): "[@smith2020]",
# "[see @a; @b, p. 3]", "[-@a]", and in-text "@smith2020 showed".  A key starts
# with a letter, digit or "_" and may hold internal punctuation; a trailing
# punctuation mark ends the sentence, not the key.  An "@" inside a word (an e-mail
# address) is not a citation.
_PANDOC_KEY = r"(?:\{[^{}\s]+\}|[\w][\w:.#$%&\-+?<>~/]*)"
PANDOC_BRACKET = re.compile(rf"\[[^\[\]@]*?(?<![\w@])-?@{_PANDOC_KEY}[^\[\]]*\]")
PANDOC_KEY = re.compile(rf"(?<![\w@])-?@({_PANDOC_KEY})")
PANDOC_IN_TEXT = re.compile(rf"(?:^|(?<=[\s(]))@({_PANDOC_KEY})")


# Quarto ("@fig-timeline", "@tbl-results", "@sec-methods", "@eq-model") and
# pandoc-crossref ("@fig:temporal", "@Tbl:x") cross-references share the "@" syntax
# but point at the manuscript's own figures, tables, sections and equations.
CROSS_REFERENCE = re.compile(r"(?i)(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|apx|tab)[-:]\w")


def _pandoc_keys(text: str) -> tuple[str, ...]:
    keys = (m.group(1).strip("{}").rstrip(".:;,?!") for m in PANDOC_KEY.finditer(text))
    return tuple(k for k in keys if not CROSS_REFERENCE.match(k))


def expand_numbers(spec: str) -> NumberList:
    """``"1-3, 7"`` -> (1, 2, 3, 7).  Reversed or huge ranges are reported, not expanded."""
    numbers: list[int] = []
    problem = None
    for item in re.split(r"\s*[,;]\s*", spec.strip()):
        if not item:
            continue
        parts = re.split(rf"\s*[{DASHES}]\s*", item)
        if len(parts) == 1:
            numbers.append(int(parts[0]))
            continue
        lo, hi = int(parts[0]), int(parts[1])
        if hi < lo:
            problem = f"reversed range {lo}–{hi}"
            numbers.extend((lo, hi))
        elif hi - lo > MAX_RANGE:
            problem = f"range {lo}–{hi} is implausibly long"
            numbers.extend((lo, hi))
        else:
            numbers.extend(range(lo, hi + 1))
    return NumberList(tuple(numbers), problem)


def compress_numbers(numbers: Iterable[int], dash: str = "–") -> str:
    """(4, 5, 6, 9) -> "4–6, 9"; two consecutive numbers stay a list ("4, 5")."""
    nums = sorted(set(numbers))
    out: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{nums[i]}{dash}{nums[j]}")
        else:
            out.extend(str(n) for n in nums[i : j + 1])
        i = j + 1
    return ", ".join(out)


def _in_ranges(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(lo <= start and end <= hi for lo, hi in ranges)


def _looks_like_year(numbers: tuple[int, ...], max_ref: int) -> bool:
    return len(numbers) == 1 and 1800 <= numbers[0] <= 2100 and numbers[0] > max_ref


class CitationFinder:
    """Finds citations in one block.  ``max_ref`` is the highest reference number known
    (0 when the list is unknown), which keeps years and stray numbers out."""

    def __init__(self, max_ref: int = 0, numeric_document: bool = True, pandoc_document: bool = False):
        self.max_ref = max_ref
        self.numeric_document = numeric_document
        self.pandoc_document = pandoc_document

    def find(self, block: Block) -> list[Citation]:
        if block.kind in (BlockKind.REFERENCE, BlockKind.HEADING, BlockKind.TITLE):
            return []
        text = block.text
        found: list[Citation] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, spec: str | None, superscript: bool) -> None:
            if any(s < end and start < e for s, e in taken):
                return
            if spec is None:
                cit = Citation(block.index, start, end, text[start:end], (), "numeric", superscript, "empty citation")
            else:
                nl = expand_numbers(spec)
                if not superscript and _looks_like_year(nl.numbers, self.max_ref):
                    return
                if 0 in nl.numbers:  # "Comments (0)", "[0]": references are numbered from 1
                    return
                cit = Citation(block.index, start, end, text[start:end], nl.numbers, "numeric", superscript, nl.problem)
            taken.append((start, end))
            found.append(cit)

        sup = block.superscript
        for m in BRACKET_RANGE.finditer(text):
            add(m.start(), m.end(), f"{m.group(1)}–{m.group(2)}", _in_ranges(m.start(), m.end(), sup))
        for m in BRACKETED.finditer(text):
            add(m.start(), m.end(), m.group(1), _in_ranges(m.start(), m.end(), sup) or text[max(0, m.start() - 1)] == "^")
        for m in CARET_BRACES.finditer(text):
            add(m.start(), m.end(), m.group(1) or m.group(2), True)
        for lo, hi in sup:
            m = SUPERSCRIPT_RUN.match(text[lo:hi])
            if m and not self._exponent_or_unit(text, lo):
                add(lo + m.start(1), lo + m.end(1), m.group(1), True)
        for m in UNICODE_SUPERSCRIPT.finditer(text):
            if not self._exponent_or_unit(text, m.start()):
                add(m.start(), m.end(), m.group().translate(_UNICODE_SUP), True)
        if self.numeric_document:
            self._parenthesised(block, add)
        self._author_year(block, found, taken)
        self._fields(block, found, taken)
        self._pandoc(block, found, taken)
        found.sort(key=lambda c: c.start)
        return found

    def _pandoc(self, block: Block, found: list[Citation], taken: list[tuple[int, int]]) -> None:
        """pandoc citation keys: bracketed always; in-text ``@key`` once the document
        uses bracketed ones (so a lone handle or "@" elsewhere is not a citation)."""
        text = block.text
        if "@" not in text:
            return
        patterns = [PANDOC_BRACKET] + ([PANDOC_IN_TEXT] if self.pandoc_document else [])
        for pattern in patterns:
            for m in pattern.finditer(text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                keys = _pandoc_keys(m.group()) if pattern is PANDOC_BRACKET else _pandoc_keys("@" + m.group(1))
                if not keys:
                    continue
                end = m.start() + len(m.group().rstrip(".:;,?!")) if pattern is PANDOC_IN_TEXT else m.end()
                found.append(Citation(block.index, m.start(), end, text[m.start():end], (), "key", False, None, keys))
                taken.append((m.start(), end))

    @staticmethod
    def _exponent_or_unit(text: str, pos: int) -> bool:
        """"10⁵", "m²", "cm2" raised: an exponent, not a citation."""
        before = text[max(0, pos - 16) : pos]  # a unit is ≤ 3 letters: a window suffices
        if before[-1:].isdigit() or before.endswith(("×10", "x10", "10^")):
            return True
        word = re.search(r"([A-Za-zµμ]+)$", before)
        return bool(word and word.group(1).lower() in _UNITS and len(word.group(1)) <= 3)

    def _parenthesised(self, block: Block, add) -> None:
        text = block.text
        matches = list(PARENTHESISED.finditer(text))
        singles = [int(m.group(1)) for m in matches if m.group(1).isdigit()]
        enumeration = len(singles) >= 2 and singles[:3] == list(range(1, min(3, len(singles)) + 1))
        text_end = len(text.rstrip())
        for m in matches:
            nl = expand_numbers(m.group(1))
            if enumeration and m.group(1).isdigit():
                continue  # "(1) … (2) …" lists
            if not nl.numbers or self.max_ref == 0 or max(nl.numbers) > self.max_ref:
                continue
            # Only the last few characters matter; copying the whole prefix per match
            # made long paragraphs quadratic.
            before = text[max(0, m.start() - 64) : m.start()].rstrip()
            if not before and m.start() > 64:
                before = text[: m.start()].rstrip()
            if not before or before.endswith((":", "=", "Eq.", "eq.", "Equation", "equation")):
                continue
            if m.end() == text_end and re.search(r"[=<>±∑∫√^]", text[: m.start()]):
                continue  # an equation number at the end of a display equation
            add(m.start(), m.end(), m.group(1), False)

    def _fields(self, block: Block, found: list[Citation], taken: list[tuple[int, int]]) -> None:
        """A Zotero/Mendeley/EndNote citation field is a citation whatever its result
        text looks like; one the patterns above did not already find is added here."""
        for fc in block.field_citations:
            if fc.end <= fc.start or any(s < fc.end and fc.start < e for s, e in taken):
                continue
            result = block.text[fc.start : fc.end]
            spec = re.search(_NUM_LIST, result)
            if spec and not re.search(r"[A-Za-z]{2,}", result):
                nl = expand_numbers(spec.group())
                cit = Citation(block.index, fc.start, fc.end, result, nl.numbers, "numeric",
                               _in_ranges(fc.start, fc.end, block.superscript), nl.problem)
            else:
                cit = Citation(block.index, fc.start, fc.end, result, (), "author-year", False, None,
                               tuple(i.strip() for i in result.strip("()[] ").split(";") if i.strip()))
            found.append(cit)
            taken.append((fc.start, fc.end))

    def _author_year(self, block: Block, found: list[Citation], taken: list[tuple[int, int]]) -> None:
        text = block.text
        for m in AUTHOR_YEAR_PAREN.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            items = tuple(i.strip() for i in m.group(1).split(";"))
            found.append(Citation(block.index, m.start(), m.end(), m.group(), (), "author-year", False, None, items))
            taken.append((m.start(), m.end()))
        for m in AUTHOR_YEAR_NARRATIVE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            item = f"{m.group(1)} {m.group(2)}"
            found.append(Citation(block.index, m.start(), m.end(), m.group(), (), "author-year", False, None, (item,)))
            taken.append((m.start(), m.end()))


def find_citations(blocks: Iterable[Block], max_ref: int = 0) -> tuple[list[Citation], str]:
    """All citations of a manuscript and its citation style.

    The style is "numeric", "author-year", "mixed" (both in substantial numbers),
    "key" (pandoc citation keys only) or "none".  Parenthesised numbers are only taken as citations in a numeric document
    whose reference list is known, since "(3)" is otherwise too often something else.
    """
    blocks = list(blocks)
    strict = CitationFinder(max_ref, numeric_document=False)
    first = [c for b in blocks for c in strict.find(b)]
    if any(c.style == "key" for c in first):  # pandoc keys: in-text "@key" counts too
        first = [c for b in blocks for c in CitationFinder(max_ref, False, pandoc_document=True).find(b)]
    keys = sum(1 for c in first if c.style == "key")
    if keys and not max_ref:
        # A pandoc manuscript with no numbered reference list cites by key; its
        # "^1^" superscripts are affiliation and footnote marks, not citations.
        first = [c for c in first if c.style != "numeric"]
    numeric = sum(1 for c in first if c.style == "numeric")
    author_year = sum(1 for c in first if c.style == "author-year")
    if numeric == 0 and author_year == 0:
        style = "key" if keys else "numeric" if max_ref else "none"
    elif author_year > numeric * 3 and numeric <= 2:
        style = "author-year"
    elif numeric > author_year * 3 or author_year <= 2:
        style = "numeric"
    else:
        style = "mixed"
    if style in ("numeric", "none") and max_ref:
        finder = CitationFinder(max_ref, numeric_document=True, pandoc_document=keys > 0)
        first = [c for b in blocks for c in finder.find(b)]
    return first, style


def blank_citations(text: str, citations: Iterable[Citation], offset: int = 0) -> str:
    """``text`` with each citation span replaced by spaces, offsets unchanged.

    Superscript numerals sit directly on words ("transplantation6"); anything that
    reads the prose itself (topic terms, word counts) must not see them.
    """
    chars = list(text)
    for c in citations:
        for i in range(max(c.start - offset, 0), min(c.end - offset, len(chars))):
            chars[i] = " "
    return "".join(chars)
