"""Find in-text citations: numeric (bracketed, parenthesised, superscript) and author–year.

What is *not* a citation matters as much: years, "[Fig. 1]", "[sic]", "(n = 12)",
"p < 0.05", list markers "(1) … (2) …", equation numbers and exponents.  Every
citation keeps its exact span, because the Word comment is anchored on it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from refcheck.model import Block, BlockKind, Citation

DASHES = "-–—‐‑−"
# Up to five digits: a reference list may run past 9,999 entries (a 20,000-entry
# list was read with entries 10,000+ unnumbered); a five-digit number counts only in
# a list that long (:data:`LONG_NUMBER`), so "[12345]" in a normal manuscript is
# not a citation, as before.
_NUM_ITEM = rf"\d{{1,5}}(?:\s*[{DASHES}]\s*\d{{1,5}})?"
_NUM_LIST = rf"{_NUM_ITEM}(?:\s*[,;]\s*{_NUM_ITEM})*"
BRACKETED = re.compile(rf"\[\s*({_NUM_LIST})\s*\]|\[\s*\]")
# PLOS writes ranges as two bracketed numbers joined by a dash: "[1]–[3]".
BRACKET_RANGE = re.compile(rf"\[\s*(\d{{1,5}})\s*\]\s*[{DASHES}]\s*\[\s*(\d{{1,5}})\s*\]")
CARET_BRACES = re.compile(rf"\^\{{\s*({_NUM_LIST})\s*\}}|\^({_NUM_LIST})\^")
PARENTHESISED = re.compile(rf"\(\s*({_NUM_LIST})\s*\)")
SUPERSCRIPT_RUN = re.compile(rf"^\s*\[?\(?\s*({_NUM_LIST})\s*[\])]?[.,;]?\s*$")
_UNICODE_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻˒‒", "0123456789-,-")
UNICODE_SUPERSCRIPT = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[⁻˒,‒–-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
_UNITS = {"m", "cm", "mm", "km", "µm", "μm", "nm", "kg", "g", "mg", "s", "l", "ml", "dl", "mol"}
MAX_RANGE = 500
#: Numbers from here on are citations only when the reference list reaches them.
LONG_NUMBER = 10_000

_NAME = r"(?:[A-Z][\w'’\-]+|van der [A-Z][\w'’\-]+|de [A-Z][\w'’\-]+)"
_AUTHORS = rf"{_NAME}(?:\s+(?:and|&)\s+{_NAME}|\s+et\s+al\.?)?"
_AY_ITEM = rf"{_AUTHORS},?\s+(?:19|20)\d\d[a-z]?(?:,\s*(?:19|20)\d\d[a-z]?)*"
AUTHOR_YEAR_PAREN = re.compile(rf"\((?:(?:see|e\.g\.,?|cf\.)\s+)?({_AY_ITEM}(?:\s*;\s*{_AY_ITEM})*)\)")
AUTHOR_YEAR_NARRATIVE = re.compile(rf"\b({_AUTHORS})\s+\(((?:19|20)\d\d[a-z]?)\)")
# "(June 2008)", "(Spring 2010)": a date, not a source.
_MONTH_OR_SEASON = re.compile(
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|"
    r"Nov(?:ember)?|Dec(?:ember)?|Spring|Summer|Autumn|Fall|Winter)\s+(?:19|20)\d\d[a-z]?"
)
_YEAR_BEFORE = re.compile(r"\b((?:19|20)\d\d)\s*$")


def _dated_name(text: str, m: re.Match[str]) -> bool:
    """A parenthesis that looks like "(Author 2008)" but is a date — "claiming (June
    2008) to cover …" — or the short form of the dated name just before it — "the
    Global Burden of Disease 2010 (GBD 2010) Study"."""
    item = m.group(1).strip()
    if _MONTH_OR_SEASON.fullmatch(item):
        return True
    before = _YEAR_BEFORE.search(text, 0, m.start())
    return bool(before and ";" not in item and item.endswith(before.group(1)))


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


_ITEM_SEP = re.compile(r"\s*[,;]\s*")
_RANGE_SEP = re.compile(rf"\s*[{DASHES}]\s*")


@lru_cache(maxsize=4096)
def expand_numbers(spec: str) -> NumberList:
    """``"1-3, 7"`` -> (1, 2, 3, 7).  Reversed or huge ranges are reported, not expanded.

    Cached: a paragraph of 200k citations repeats a few hundred specs ("12", "3-5")."""
    numbers: list[int] = []
    problem = None
    for item in _ITEM_SEP.split(spec.strip()):
        if not item:
            continue
        parts = _RANGE_SEP.split(item)
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


#: Citations indexed per manuscript at most.  A review has a few thousand; this
#: bounds the memory of a pathological file (64 MB of "[1] [2] …" is 16 million
#: citations, about 10 GB as objects) while the scaling benchmark's 200k-citation
#: paragraph is still read whole.
MAX_CITATIONS = 250_000


def _start(c: Citation) -> int:
    return c.start


def _check_room(found: list[Citation], room: int) -> None:
    if len(found) >= room:
        raise _Full


def _looks_like_year(numbers: tuple[int, ...], max_ref: int) -> bool:
    return len(numbers) == 1 and 1800 <= numbers[0] <= 2100 and numbers[0] > max_ref


class _Spans:
    """The spans accepted so far in one block, for the "does this candidate overlap
    one already taken?" test every pass makes.

    Accepted spans never overlap, so sorted by start they are sorted by end too, and
    one bisect answers the test (the last span starting before the candidate's end
    is the only one that can reach into it).  A scan of every accepted span made a
    paragraph of 40k citations take 90 s.  Spans a pass accepts go to a small
    ``pending`` list, merged into the main one when the pass ends (``commit``), so a
    pass interleaving its spans with an earlier pass's never shifts the main list
    per insertion.
    """

    __slots__ = ("starts", "ends", "_pending")

    def __init__(self, starts: list[int] | None = None, ends: list[int] | None = None) -> None:
        self.starts: list[int] = starts if starts is not None else []
        self.ends: list[int] = ends if ends is not None else []
        self._pending: list[tuple[int, int]] = []

    @staticmethod
    def _hits(starts: list[int], ends: list[int], start: int, end: int) -> bool:
        i = bisect_left(starts, end) - 1
        return i >= 0 and ends[i] > start

    def overlaps(self, start: int, end: int) -> bool:
        if self._hits(self.starts, self.ends, start, end):
            return True
        if not self._pending:
            return False
        i = bisect_left(self._pending, (end, -1)) - 1
        return i >= 0 and self._pending[i][1] > start

    def add(self, start: int, end: int) -> None:
        if not self._pending or self._pending[-1] < (start, end):
            self._pending.append((start, end))  # in order: the usual case, O(1)
        else:
            insort(self._pending, (start, end))

    def commit(self) -> None:
        """Merge the pass's spans into the main lists: linear (two sorted runs)."""
        if not self._pending:
            return
        if not self.starts or self._pending[0][0] >= self.starts[-1]:
            self.starts.extend(s for s, _ in self._pending)
            self.ends.extend(e for _, e in self._pending)
        else:
            merged = sorted([*zip(self.starts, self.ends, strict=True), *self._pending])
            self.starts = [s for s, _ in merged]
            self.ends = [e for _, e in merged]
        self._pending = []

    def copy(self) -> _Spans:
        self.commit()
        return _Spans(list(self.starts), list(self.ends))


class _Superscripts:
    """The block's superscript ranges, asked "is [start, end) inside one of them?".

    Sorted by start with the running maximum of their ends, one bisect answers it; a
    scan of every range per citation was quadratic in a paragraph of many runs."""

    __slots__ = ("los", "reach")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self.los = [lo for lo, _ in ordered]
        self.reach: list[int] = []
        best = -1
        for _, hi in ordered:
            best = max(best, hi)
            self.reach.append(best)

    def contain(self, start: int, end: int) -> bool:
        i = bisect_right(self.los, start) - 1
        return i >= 0 and self.reach[i] >= end


_NO_SUPERSCRIPTS = _Superscripts(())


@dataclass
class _Scan:
    """What one block yields whatever the document's citation style: the numeric
    passes' citations and spans, and the later passes' regex matches, found once.

    ``find_citations`` decides the style from a first reading and then reads again
    with the style's settings; the scan is shared, so the text is searched once."""

    found: list[Citation]
    spans: _Spans
    superscripts: _Superscripts
    matches: dict[re.Pattern[str], list[re.Match[str]]]

    def of(self, pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
        if pattern not in self.matches:  # bounded like the citations themselves
            self.matches[pattern] = list(islice(pattern.finditer(text), 2 * MAX_CITATIONS))
        return self.matches[pattern]


class _Full(Exception):
    """Raised inside a pass when the manuscript's citation budget is spent."""


def _before(text: str, pos: int, width: int = 64) -> str:
    """Up to ``width`` characters of ``text`` before ``pos``, right-stripped, reaching
    back over a run of white space to the last visible character.

    Copying the whole prefix to strip it made "(1)" after long white space quadratic;
    the walk back stops at the previous visible character, so its cost is the gap."""
    before = text[max(0, pos - width) : pos].rstrip()
    if before or pos <= width:
        return before
    i = pos - width
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return text[max(0, i - width) : i]


class CitationFinder:
    """Finds citations in one block.  ``max_ref`` is the highest reference number known
    (0 when the list is unknown), which keeps years and stray numbers out."""

    def __init__(self, max_ref: int = 0, numeric_document: bool = True, pandoc_document: bool = False):
        self.max_ref = max_ref
        self.numeric_document = numeric_document
        self.pandoc_document = pandoc_document

    def find(self, block: Block, scan: _Scan | None = None, room: int = MAX_CITATIONS) -> list[Citation]:
        """The block's citations, at most ``room`` of them.  ``scan`` is the block's
        :meth:`scan` with this finder's ``max_ref``, when the caller reads the block
        more than once."""
        if block.kind in (BlockKind.REFERENCE, BlockKind.HEADING, BlockKind.TITLE):
            return []
        scan = scan or self.scan(block, room)
        text = block.text
        # Every later pattern needs a "(" (parenthesised numbers, both author-year forms)
        # or an "@" (pandoc keys): a substring test spares most paragraphs three searches.
        if not (block.field_citations or "@" in text or ("(" in text and (
                scan.of(AUTHOR_YEAR_PAREN, text) or scan.of(AUTHOR_YEAR_NARRATIVE, text)
                or (self.numeric_document and scan.of(PARENTHESISED, text))))):
            # Nothing for the later passes to add (most paragraphs): the numeric passes' citations.
            return sorted(scan.found[:room], key=_start)
        found = scan.found[:room]
        taken = scan.spans.copy()
        try:
            if self.numeric_document:
                self._parenthesised(block, scan, found, taken, room)
                taken.commit()
            self._author_year(block, scan, found, taken, room)
            self._fields(block, scan, found, taken, room)
            self._pandoc(block, scan, found, taken, room)
        except _Full:
            pass
        found.sort(key=_start)
        return found

    def scan(self, block: Block, room: int = MAX_CITATIONS) -> _Scan:
        """The passes that do not depend on the document's style (bracketed, caret,
        superscript numbers), in order of precedence: an earlier pass's citation wins
        any overlap.  At most ``room`` citations: the rest of the block is not read."""
        text = block.text
        found: list[Citation] = []
        taken = _Spans()
        sup = _Superscripts(block.superscript) if block.superscript else _NO_SUPERSCRIPTS

        def add(start: int, end: int, spec: str | None, superscript: bool) -> None:
            if len(found) >= room:
                raise _Full
            if taken.overlaps(start, end):
                return
            if spec is None:
                cit = Citation(block.index, start, end, text[start:end], (), "numeric", superscript, "empty citation")
            else:
                nl = expand_numbers(spec)
                if nl.numbers and max(nl.numbers) >= LONG_NUMBER and max(nl.numbers) > self.max_ref:
                    return  # five digits past the list's end: a quantity, not a citation
                if not superscript and _looks_like_year(nl.numbers, self.max_ref):
                    return
                if 0 in nl.numbers:  # "Comments (0)", "[0]": references are numbered from 1
                    return
                cit = Citation(block.index, start, end, text[start:end], nl.numbers, "numeric", superscript, nl.problem)
            taken.add(start, end)
            found.append(cit)

        try:
            for m in BRACKET_RANGE.finditer(text):
                add(m.start(), m.end(), f"{m.group(1)}–{m.group(2)}", sup.contain(m.start(), m.end()))
            taken.commit()
            for m in BRACKETED.finditer(text):
                add(m.start(), m.end(), m.group(1), sup.contain(m.start(), m.end()) or text[max(0, m.start() - 1)] == "^")
            taken.commit()
            for m in CARET_BRACES.finditer(text):
                add(m.start(), m.end(), m.group(1) or m.group(2), True)
            taken.commit()
            for lo, hi in block.superscript:
                m = SUPERSCRIPT_RUN.match(text[lo:hi])
                if m and not self._exponent_or_unit(text, lo):
                    add(lo + m.start(1), lo + m.end(1), m.group(1), True)
            taken.commit()
            for m in UNICODE_SUPERSCRIPT.finditer(text):
                if not self._exponent_or_unit(text, m.start()):
                    add(m.start(), m.end(), m.group().translate(_UNICODE_SUP), True)
        except _Full:
            pass
        taken.commit()
        return _Scan(found, taken, sup, {})

    def _pandoc(self, block: Block, scan: _Scan, found: list[Citation], taken: _Spans, room: int) -> None:
        """pandoc citation keys: bracketed always; in-text ``@key`` once the document
        uses bracketed ones (so a lone handle or "@" elsewhere is not a citation)."""
        text = block.text
        if "@" not in text:
            return
        patterns = [PANDOC_BRACKET] + ([PANDOC_IN_TEXT] if self.pandoc_document else [])
        for pattern in patterns:
            for m in scan.of(pattern, text):
                if taken.overlaps(m.start(), m.end()):
                    continue
                keys = _pandoc_keys(m.group()) if pattern is PANDOC_BRACKET else _pandoc_keys("@" + m.group(1))
                if not keys:
                    continue
                end = m.start() + len(m.group().rstrip(".:;,?!")) if pattern is PANDOC_IN_TEXT else m.end()
                _check_room(found, room)
                found.append(Citation(block.index, m.start(), end, text[m.start():end], (), "key", False, None, keys))
                taken.add(m.start(), end)
            taken.commit()

    @staticmethod
    def _exponent_or_unit(text: str, pos: int) -> bool:
        """"10⁵", "m²", "cm2" raised: an exponent, not a citation."""
        before = text[max(0, pos - 16) : pos]  # a unit is ≤ 3 letters: a window suffices
        if before[-1:].isdigit() or before.endswith(("×10", "x10", "10^")):
            return True
        word = re.search(r"([A-Za-zµμ]+)$", before)
        return bool(word and word.group(1).lower() in _UNITS and len(word.group(1)) <= 3)

    def _parenthesised(self, block: Block, scan: _Scan, found: list[Citation], taken: _Spans, room: int) -> None:
        text = block.text
        matches = scan.of(PARENTHESISED, text)
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
            before = _before(text, m.start())
            if not before or before.endswith((":", "=", "Eq.", "eq.", "Equation", "equation")):
                continue
            if m.end() == text_end and re.search(r"[=<>±∑∫√^]", text[: m.start()]):
                continue  # an equation number at the end of a display equation
            if taken.overlaps(m.start(), m.end()):
                continue
            if _looks_like_year(nl.numbers, self.max_ref) or 0 in nl.numbers:
                continue
            _check_room(found, room)
            found.append(Citation(block.index, m.start(), m.end(), m.group(), nl.numbers, "numeric", False, nl.problem))
            taken.add(m.start(), m.end())

    def _fields(self, block: Block, scan: _Scan, found: list[Citation], taken: _Spans, room: int) -> None:
        """A Zotero/Mendeley/EndNote citation field is a citation whatever its result
        text looks like; one the patterns above did not already find is added here."""
        for fc in block.field_citations:
            if fc.end <= fc.start or taken.overlaps(fc.start, fc.end):
                continue
            result = block.text[fc.start : fc.end]
            spec = re.search(_NUM_LIST, result)
            if spec and not re.search(r"[A-Za-z]{2,}", result):
                nl = expand_numbers(spec.group())
                cit = Citation(block.index, fc.start, fc.end, result, nl.numbers, "numeric",
                               scan.superscripts.contain(fc.start, fc.end), nl.problem)
            else:
                cit = Citation(block.index, fc.start, fc.end, result, (), "author-year", False, None,
                               tuple(i.strip() for i in result.strip("()[] ").split(";") if i.strip()))
            _check_room(found, room)
            found.append(cit)
            taken.add(fc.start, fc.end)
        taken.commit()

    def _author_year(self, block: Block, scan: _Scan, found: list[Citation], taken: _Spans, room: int) -> None:
        text = block.text
        for m in scan.of(AUTHOR_YEAR_PAREN, text):
            if taken.overlaps(m.start(), m.end()) or _dated_name(text, m):
                continue
            items = tuple(i.strip() for i in m.group(1).split(";"))
            _check_room(found, room)
            found.append(Citation(block.index, m.start(), m.end(), m.group(), (), "author-year", False, None, items))
            taken.add(m.start(), m.end())
        taken.commit()
        for m in scan.of(AUTHOR_YEAR_NARRATIVE, text):
            if taken.overlaps(m.start(), m.end()):
                continue
            item = f"{m.group(1)} {m.group(2)}"
            _check_room(found, room)
            found.append(Citation(block.index, m.start(), m.end(), m.group(), (), "author-year", False, None, (item,)))
            taken.add(m.start(), m.end())
        taken.commit()


def find_citations(blocks: Iterable[Block], max_ref: int = 0, notes: list[str] | None = None) -> tuple[list[Citation], str]:
    """All citations of a manuscript and its citation style.

    The style is "numeric", "author-year", "mixed" (both in substantial numbers),
    "key" (pandoc citation keys only) or "none".  Parenthesised numbers are only taken as citations in a numeric document
    whose reference list is known, since "(3)" is otherwise too often something else.
    The document may be read up to three times with different settings; each block's
    text is searched once (:class:`_Scan`) and only the cheap acceptance is repeated.
    At most :data:`MAX_CITATIONS` are kept; past that a line is added to ``notes``.
    """
    blocks = list(blocks)
    strict = CitationFinder(max_ref, numeric_document=False)
    scans: dict[int, _Scan] = {}
    total = 0
    for b in blocks:
        if b.kind not in (BlockKind.REFERENCE, BlockKind.HEADING, BlockKind.TITLE):
            scans[b.index] = strict.scan(b, MAX_CITATIONS - total)
            total += len(scans[b.index].found)

    # Each read's citations per block, and the room it had: the numeric read differs
    # from the one before it only by parenthesised numbers, so a block with no "(12)"
    # keeps what it had (most blocks: the numeric read costs a fraction of a read).
    last: dict[int, tuple[list[Citation], int]] = {}

    def read(finder: CitationFinder, reuse: CitationFinder | None = None) -> list[Citation]:
        same = reuse is not None and reuse.pandoc_document == finder.pandoc_document and reuse.max_ref == finder.max_ref
        out: list[Citation] = []
        for b in blocks:
            room = MAX_CITATIONS - len(out)
            if room <= 0:
                break
            scan = scans.get(b.index)
            kept = last.get(b.index) if same else None
            if (kept is not None and scan is not None and len(kept[0]) < kept[1] and len(kept[0]) <= room
                    and ("(" not in b.text or not scan.of(PARENTHESISED, b.text))):
                found = kept[0]
            else:
                found = finder.find(b, scan, room)
            last[b.index] = (found, room)
            out += found
        return out

    first = read(strict)
    previous = strict
    if any(c.style == "key" for c in first):  # pandoc keys: in-text "@key" counts too
        previous = CitationFinder(max_ref, False, pandoc_document=True)
        first = read(previous)
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
        first = read(CitationFinder(max_ref, numeric_document=True, pandoc_document=keys > 0), reuse=previous)
    if len(first) >= MAX_CITATIONS and notes is not None:
        notes.append(f"citations: stopped after {MAX_CITATIONS:,} citations (a paper has a few thousand at most); "
                     "what follows them was not checked for citations")
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
