"""The plain-data model every stage exchanges.

Readers build :class:`Block` objects with a :class:`SourceMap`; the prepare stage
adds sentences, citations, references and abbreviations; rules emit
:class:`Finding` objects; reporters read findings and source maps.  Everything is a
frozen dataclass so that a stage cannot quietly change what an earlier stage built,
and each stage can be tested alone.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any


class BlockKind(str, Enum):
    """What a block is, as far as the reader and the structure pass can tell."""

    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ABSTRACT = "abstract"
    KEYWORDS = "keywords"
    FRONT_MATTER = "front-matter"  # authors, affiliations, journal banners, dates
    REFERENCE = "reference"
    CAPTION = "caption"
    TABLE_CELL = "table-cell"
    FOOTNOTE = "footnote"
    ENDNOTE = "endnote"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class Segment:
    """A stretch of block text that came, character for character, from one place.

    ``locator`` says where: for text files the 1-based line number and ``offset`` the
    0-based column of ``start``; for DOCX the index of the run (as enumerated by
    :func:`refcheck.ooxml.text.iter_text_pieces`) and ``offset`` the character
    offset inside that run's text.  ``locator is None`` marks characters the reader
    inserted (a space joining wrapped lines, a rendered list number).
    """

    start: int
    length: int
    locator: int | None
    offset: int = 0


@dataclass(frozen=True)
class SourceMap:
    """Maps every character of a block's text back to its origin.  Built once by the reader."""

    segments: tuple[Segment, ...] = ()

    def _starts(self) -> list[int]:
        # Cached on the (frozen) instance: locate() is called per finding.
        starts = self.__dict__.get("_starts_cache")
        if starts is None:
            starts = [s.start for s in self.segments]
            object.__setattr__(self, "_starts_cache", starts)
        return starts

    def locate(self, index: int) -> tuple[int | None, int]:
        """Return ``(locator, offset)`` for character ``index`` of the block text."""
        if not self.segments:
            return None, index
        i = bisect_right(self._starts(), index) - 1
        seg = self.segments[max(i, 0)]
        if seg.locator is None:
            return None, 0
        return seg.locator, seg.offset + (index - seg.start)

    def first_real(self, start: int, end: int) -> tuple[int | None, int]:
        """Origin of the first non-synthetic character in ``[start, end)``."""
        for seg in self.segments:
            lo, hi = max(start, seg.start), min(end, seg.start + seg.length)
            if lo < hi and seg.locator is not None:
                return seg.locator, seg.offset + (lo - seg.start)
        return self.locate(start)


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit of the manuscript, in reading order."""

    index: int
    kind: BlockKind
    text: str
    source: SourceMap = field(default_factory=SourceMap)
    level: int = 0  # heading level (1 = top); 0 for non-headings
    section: tuple[str, ...] = ()  # heading path the block sits under
    # Where the block lives in its container: for DOCX ("body", n) = n-th w:p of the
    # body in document order (table cells included), ("footnotes", n), ("endnotes", n);
    # for text ("text", first line).  Reporters use it to find the element again.
    anchor: tuple[str, int] = ("text", 0)
    list_label: str | None = None  # rendered auto-number ("12." / "[12]") not in text
    superscript: tuple[tuple[int, int], ...] = ()  # raised/superscript char ranges
    field_citations: tuple[FieldCitation, ...] = ()
    style: str | None = None  # paragraph style name, when the format has one

    @property
    def section_title(self) -> str:
        return self.section[-1] if self.section else ""


@dataclass(frozen=True)
class FieldCitation:
    """A reference-manager citation field (Zotero, Mendeley, EndNote) in a block."""

    start: int
    end: int
    manager: str  # "zotero", "mendeley", "csl", "endnote"
    instruction: str


@dataclass(frozen=True)
class Sentence:
    block: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Citation:
    """An in-text citation: its span and the reference numbers it points to."""

    block: int
    start: int
    end: int
    text: str
    numbers: tuple[int, ...] = ()
    style: str = "numeric"  # "numeric" | "author-year" | "key" (pandoc "[@key]") | "note" (a footnote that is a source)
    superscript: bool = False
    malformed: str | None = None  # why it is malformed ("reversed range", "empty")
    authors_year: tuple[str, ...] = ()  # author-year: "Smith 2020" items; key: the citation keys


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list, parsed."""

    number: int | None
    block: int
    text: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    label_in_text: bool = True  # False when the number was rendered by list numbering
    label_span: tuple[int, int] | None = None  # span of the typed label in block text
    # How sure the reader is of the title: 1.0 from structured data (JATS tags, a
    # bibliography file, a citation-manager field), about 0.9 for a text entry whose
    # author block or date was recognised, 0.6 for a title-first guess, 0.0 when no
    # title could be read (``title`` is then None and the relevance rules skip it).
    confidence: float = 1.0


@dataclass(frozen=True)
class Abbreviation:
    short: str
    long: str
    block: int
    start: int


@dataclass
class AnalysisCache:
    """What the rules derive from a manuscript once and share: spaCy Docs and token
    lists per block, evidence per sentence, lexicon matches, the relevance evidence,
    online answers.  Kept apart from ``Manuscript.metadata`` (what the reader found in
    the file), so a cache can never be mistaken for a fact about the manuscript.

    ``dataclasses.replace`` on a Manuscript shares its cache, as a derived copy with
    the same blocks may; a cache keyed on something that changes (the reference list)
    says so in its key.
    """

    evidence: dict[str, Any] = field(default_factory=dict)
    language: dict[str, Any] = field(default_factory=dict)
    density: dict[str, Any] = field(default_factory=dict)
    relevance: dict[str, Any] = field(default_factory=dict)
    online: dict[str, Any] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget everything (a benchmark timing the work itself)."""
        for d in (self.evidence, self.language, self.density, self.relevance, self.online):
            d.clear()


@dataclass(frozen=True)
class Manuscript:
    """A read, prepared manuscript.  Readers fill ``blocks``; prepare fills the rest."""

    path: str
    format: str  # "text", "markdown", "docx", "jats"
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...] = ()
    citations: tuple[Citation, ...] = ()
    references: tuple[Reference, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    citation_style: str = "numeric"  # "numeric" | "author-year" | "mixed" | "key" | "none"
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)
    cache: AnalysisCache = field(default_factory=AnalysisCache, compare=False, repr=False)
    #: The file's bytes exactly as the reader read them (within the limits), or None
    #: for a reader that does not keep them.  Why: ``annotate`` and ``fix`` write
    #: their copy from these bytes, so what is written is what was checked — the
    #: file is never opened a second time, when it could have been swapped or grown.
    raw: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def word_count(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)

    # Rules ask these per citation and per sentence; linear scans made that quadratic.
    # cached_property writes to the instance __dict__, so it works on a frozen
    # dataclass, and dataclasses.replace() builds a new instance with no stale index.
    @cached_property
    def _sentences_by_block(self) -> dict[int, list[Sentence]]:
        index: dict[int, list[Sentence]] = {}
        for s in self.sentences:
            index.setdefault(s.block, []).append(s)
        return index

    @cached_property
    def _reference_by_number(self) -> dict[int, Reference]:
        index: dict[int, Reference] = {}
        for ref in self.references:
            if ref.number is not None:
                index.setdefault(ref.number, ref)  # the first, as the scan returned
        return index

    def sentences_in(self, block: int) -> list[Sentence]:
        return list(self._sentences_by_block.get(block, ()))

    def reference(self, number: int) -> Reference | None:
        return self._reference_by_number.get(number)


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    block: int
    start: int
    end: int
    text: str = ""
    section: str = ""
    excerpt: str = ""
    references: tuple[int, ...] = ()
    suggestion: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False)
    line: int | None = None
    column: int | None = None
    path: str = ""
    # "high" | "medium" | "low", set by the engine from the rule's measured precision and
    # this finding's evidence (refcheck.confidence); None for a finding built by hand.
    confidence: str | None = None
    confidence_score: float | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "section": self.section,
            "line": self.line,
            "column": self.column,
            "block": self.block,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "excerpt": self.excerpt,
            "references": list(self.references),
            "suggestion": self.suggestion,
            "data": self.data,
        }
        if self.confidence is not None:  # optional in the JSON contract
            out["confidence"] = self.confidence
        return out


class ConfigError(ValueError):
    """A configuration file or option that cannot be used (exit code 2).  Lives with
    the model so that anything reading settings (the config, the retraction index)
    can raise it without importing the configuration machinery."""


class InputError(Exception):
    """A manuscript that cannot be read.  The message is one line for the user."""

    def __init__(self, path: str, problem: str):
        from refcheck.display import display_name

        super().__init__(f"{display_name(path)}: {problem}")  # a stranger's name: no raw control characters
        self.path = path
        self.problem = problem
