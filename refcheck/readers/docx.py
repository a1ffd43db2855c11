"""DOCX reader: a Word package becomes a :class:`~refcheck.model.Manuscript`.

The reader works on the raw WordprocessingML (lxml) rather than python-docx's
object model because it needs things python-docx does not expose: text inside
hyperlinks, content controls, insertions and field results; the run-by-run map
from characters back to runs; inherited formatting (superscript from character
styles, numbering from paragraph styles); and tracked changes read as accepted.
The package is opened through :mod:`refcheck.readers.ooxml`, which refuses
hostile files before any XML is parsed.

:func:`iter_text_pieces` is public: the Word-comment writer walks paragraphs with
it, so that a ``Segment.locator`` (a piece index) found by this reader points at
the same run when the writer looks again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from refcheck.model import (
    Block,
    BlockKind,
    FieldCitation,
    InputError,
    Manuscript,
    Segment,
    SourceMap,
)
from refcheck.plugins import hookimpl
from refcheck.readers.comment_ranges import read_comment_ranges
from refcheck.readers.ooxml import (
    MC_NS,
    W_NS,
    HostileInputError,
    Package,
    PackageLimits,
    open_package,
    parse_xml,
)

W = f"{{{W_NS}}}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
MC = f"{{{MC_NS}}}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"

SUFFIXES = frozenset({".docx", ".docm", ".dotx", ".dotm"})

# Paragraph children (and their descendants) whose runs are part of the visible text.
_CONTAINERS = frozenset(
    W + t for t in ("hyperlink", "ins", "smartTag", "sdtContent", "customXml", "moveTo", "dir", "bdo")
) | frozenset({M + "oMath", M + "oMathPara"})
# Deleted or moved-away content: reading tracked changes as if accepted.
_SKIPPED = frozenset(W + t for t in ("del", "moveFrom", "txbxContent", "pPr", "sdtPr", "sdtEndPr", "rPr"))
_RUNS = frozenset({W + "r", M + "r"})
_SYMBOL_FORMATS = {"bullet", "none"}
_SEPARATOR_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_CAPTION_TEXT = re.compile(r"^\s*(table|figure|fig\.?|scheme|chart|supplementary)\s*[A-Z]?\d", re.IGNORECASE)
_MAX_CHAIN = 32  # basedOn chains longer than this are cycles or hostile


# ---------------------------------------------------------------------------
# Text pieces and fields


@dataclass
class _Field:
    """A complex or simple field being walked: code first, then result."""

    instruction: str = ""
    in_result: bool = False


def _val(element: etree._Element | None, attr: str = "val") -> str | None:
    if element is None:
        return None
    return element.get(W + attr)


def _sym_char(sym: etree._Element) -> str:
    """w:sym carries a hex code point (often in the symbol-font private area)."""
    try:
        code = int(_val(sym, "char") or "", 16)
        return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF else ""
    except ValueError:
        return ""


def run_child_text(child: etree._Element) -> str | None:
    """Text contributed by one run child, or None when it contributes nothing.

    Public because the writers (Word comments, renumbering) must split runs by the
    very characters the reader counted."""
    tag = child.tag
    if tag in (W + "t", M + "t"):
        return child.text or ""
    if tag in (W + "tab", W + "ptab"):
        return "\t"
    if tag in (W + "br", W + "cr"):
        return "\n"
    if tag == W + "noBreakHyphen":
        return "-"
    if tag == W + "softHyphen":
        return ""
    if tag == W + "sym":
        return _sym_char(child)
    return None


def _visible(stack: list[_Field]) -> bool:
    """Text shows only when every enclosing field is past its separator."""
    return all(f.in_result for f in stack)


def _walk_run(
    run: etree._Element, stack: list[_Field]
) -> Iterator[tuple[etree._Element, str, tuple[_Field, ...]]]:
    """Yield the run's visible text (one piece), updating the field stack."""
    parts: list[str] = []
    fields: tuple[_Field, ...] | None = None
    for child in run:
        tag = child.tag
        if tag == W + "fldChar":
            kind = _val(child, "fldCharType")
            if kind == "begin":
                stack.append(_Field())
            elif kind == "separate" and stack:
                stack[-1].in_result = True
            elif kind == "end" and stack:
                stack.pop()
        elif tag == W + "instrText":
            if stack and not stack[-1].in_result:
                stack[-1].instruction += child.text or ""
        elif tag == W + "ruby":
            base = child.find(W + "rubyBase")
            if base is not None:
                yield from _walk(base, stack)
        elif _visible(stack):
            text = run_child_text(child)
            if text is not None:
                if fields is None:
                    fields = tuple(stack)
                parts.append(text)
    text = "".join(parts)
    if text:
        yield run, text, fields or ()


def _walk(
    parent: etree._Element, stack: list[_Field]
) -> Iterator[tuple[etree._Element, str, tuple[_Field, ...]]]:
    """Depth-first walk of a paragraph's content in reading order."""
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag in _RUNS:
            yield from _walk_run(child, stack)
        elif tag == W + "fldSimple":
            simple = _Field(instruction=_val(child, "instr") or "", in_result=True)
            stack.append(simple)
            yield from _walk(child, stack)
            if stack and stack[-1] is simple:
                stack.pop()
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _walk(content, stack)
        elif tag == MC + "AlternateContent":
            branch = child.find(MC + "Choice")
            if branch is None:
                branch = child.find(MC + "Fallback")
            if branch is not None:
                yield from _walk(branch, stack)
        elif tag in _CONTAINERS:
            yield from _walk(child, stack)


def _walk_paragraph(p: etree._Element) -> Iterator[tuple[etree._Element, str, tuple[_Field, ...]]]:
    return _walk(p, [])


def iter_text_pieces(p_element: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Yield ``(run, text)`` for every run of a paragraph that contributes visible text.

    Order is reading order.  Descends into hyperlinks, insertions, smart tags,
    content controls, simple fields, custom XML and move destinations; skips
    deletions, move sources, nested text boxes (they are blocks of their own),
    field codes (keeping field results) and deleted text.  Works on plain lxml
    elements and on python-docx's ``CT_P`` alike, since it only compares tags.
    The n-th piece is what ``Segment.locator == n`` refers to.
    """
    for run, text, _fields in _walk_paragraph(p_element):
        yield run, text


# ---------------------------------------------------------------------------
# Styles


@dataclass
class _Style:
    style_id: str
    name: str
    kind: str
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None
    rpr: etree._Element | None
    frame: bool = False  # pPr/framePr: paragraphs of this style are a positioned text frame


@dataclass
class Styles:
    """Paragraph and character styles with their basedOn chains resolved on demand."""

    by_id: dict[str, _Style] = field(default_factory=dict)
    default_paragraph: str | None = None
    default_rpr: etree._Element | None = None

    @classmethod
    def parse(cls, root: etree._Element | None) -> Styles:
        styles = cls()
        if root is None:
            return styles
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        styles.default_rpr = defaults
        for el in root.iter(W + "style"):
            style_id = el.get(W + "styleId")
            if not style_id:
                continue
            ppr = el.find(W + "pPr")
            num = ppr.find(W + "numPr") if ppr is not None else None
            style = _Style(
                style_id=style_id,
                name=_val(el.find(W + "name")) or style_id,
                kind=el.get(W + "type") or "paragraph",
                based_on=_val(el.find(W + "basedOn")),
                outline=_int(_val(ppr.find(W + "outlineLvl"))) if ppr is not None else None,
                num_id=_val(num.find(W + "numId")) if num is not None else None,
                ilvl=_int(_val(num.find(W + "ilvl"))) if num is not None else None,
                rpr=el.find(W + "rPr"),
                frame=ppr is not None and ppr.find(W + "framePr") is not None,
            )
            styles.by_id[style_id] = style
            if style.kind == "paragraph" and el.get(W + "default") in ("1", "true", "on"):
                styles.default_paragraph = style_id
        return styles

    def frame_styles(self) -> set[str]:
        """Paragraph styles that make a paragraph a text frame (w:framePr, inherited)."""
        return {sid for sid in self.by_id if any(s.frame for s in self.chain(sid))}

    def chain(self, style_id: str | None) -> list[_Style]:
        """The style and its basedOn ancestors, nearest first, cycle-safe."""
        result: list[_Style] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and len(result) < _MAX_CHAIN:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:
                break
            result.append(style)
            style_id = style.based_on
        return result


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# Numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None
    legal: bool = False  # w:isLgl: shallower levels shown as decimal


@dataclass
class _Num:
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, _Level] = field(default_factory=dict)


def _parse_level(lvl: etree._Element) -> _Level:
    start = _int(_val(lvl.find(W + "start")))
    return _Level(
        start=1 if start is None else start,
        fmt=_val(lvl.find(W + "numFmt")) or "decimal",
        text=_val(lvl.find(W + "lvlText")) or "",
        restart=_int(_val(lvl.find(W + "lvlRestart"))),
        legal=lvl.find(W + "isLgl") is not None,
    )


def _restarts(level: _Level | None, ilvl: int) -> bool:
    """Whether an item at ``ilvl`` resets a deeper level (w:lvlRestart semantics:
    absent = after any shallower item, 0 = never, N = after items of levels < N)."""
    if level is None or level.restart is None:
        return True
    return level.restart > 0 and ilvl < level.restart


def _roman(n: int) -> str:
    pairs = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
             (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for value, letters in pairs:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """Render a list counter the way Word does for the common formats."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (max(n, 1) - 1) % 26) * ((max(n, 1) - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in _SYMBOL_FORMATS:
        return ""
    return str(n)


@dataclass
class Numbering:
    """numbering.xml plus the running counters of the document being read."""

    nums: dict[str, _Num] = field(default_factory=dict)
    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_links: dict[str, str] = field(default_factory=dict)  # abstractId -> numStyleLink
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    used_nums: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, root: etree._Element | None) -> Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for abstract in root.iter(W + "abstractNum"):
            abstract_id = abstract.get(W + "abstractNumId") or ""
            levels = {}
            for lvl in abstract.findall(W + "lvl"):
                levels[_int(lvl.get(W + "ilvl")) or 0] = _parse_level(lvl)
            numbering.abstracts[abstract_id] = levels
            link = _val(abstract.find(W + "numStyleLink"))
            if link:
                numbering.style_links[abstract_id] = link
        for num in root.iter(W + "num"):
            abstract_id = _val(num.find(W + "abstractNumId"))
            if abstract_id is None:
                continue
            entry = _Num(abstract_id=abstract_id)
            for override in num.findall(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl")) or 0
                start = _int(_val(override.find(W + "startOverride")))
                if start is not None:
                    entry.start_overrides[ilvl] = start
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    # A replaced level's own w:start does not restart a shared
                    # counter in Word; only startOverride does.
                    entry.level_overrides[ilvl] = _parse_level(lvl)
            numbering.nums[num.get(W + "numId") or ""] = entry
        return numbering

    def _abstract_for(self, num: _Num, styles: Styles) -> str:
        """Follow a numStyleLink (list style) to the abstractNum that has levels."""
        abstract_id = num.abstract_id
        for _ in range(4):
            link = self.style_links.get(abstract_id)
            if not link:
                break
            linked = next((s for s in styles.chain(link) if s.num_id), None)
            target = self.nums.get(linked.num_id) if linked and linked.num_id else None
            if target is None or target.abstract_id == abstract_id:
                break
            abstract_id = target.abstract_id
        return abstract_id

    def _level(self, num: _Num, abstract_id: str, ilvl: int) -> _Level | None:
        return num.level_overrides.get(ilvl) or self.abstracts.get(abstract_id, {}).get(ilvl)

    def next_label(self, num_id: str, ilvl: int, styles: Styles) -> str | None:
        """Advance the counter of ``(num_id, ilvl)`` and render its label.

        Counters belong to the abstract list, so separate ``w:num`` instances of
        one list continue each other (as in Word) unless a ``startOverride``
        restarts them the first time that instance is used.
        """
        num = self.nums.get(num_id)
        if num is None:
            return None
        abstract_id = self._abstract_for(num, styles)
        level = self._level(num, abstract_id, ilvl)
        if level is None:
            return None
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.used_nums:
            self.used_nums.add(num_id)
            for lvl_index, start in num.start_overrides.items():
                counters[lvl_index] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            if _restarts(self._level(num, abstract_id, deeper), ilvl):
                del counters[deeper]
        if level.fmt in _SYMBOL_FORMATS:
            return None

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lvl = self._level(num, abstract_id, k) or _Level()
            # A skipped parent level shows (and from now on holds) its start value.
            value = counters.setdefault(k, lvl.start)
            return format_number(value, "decimal" if level.legal and k != ilvl else lvl.fmt)

        label = re.sub(r"%([1-9])", render, level.text).strip()
        return label or None


# ---------------------------------------------------------------------------
# Paragraph analysis


def _paragraph_style(p: etree._Element, styles: Styles) -> str | None:
    ppr = p.find(W + "pPr")
    style_id = _val(ppr.find(W + "pStyle")) if ppr is not None else None
    return style_id or styles.default_paragraph


def _heading_level(p: etree._Element, chain: list[_Style]) -> int:
    """1-based heading level from the style name or outline level; 0 for body text."""
    for style in chain:
        match = _HEADING_NAME.match(style.name.strip())
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    ppr = p.find(W + "pPr")
    outline = _int(_val(ppr.find(W + "outlineLvl"))) if ppr is not None else None
    if outline is None:
        outline = next((s.outline for s in chain if s.outline is not None), None)
    if outline is not None and 0 <= outline <= 8:
        return outline + 1
    return 0


def _classify(p: etree._Element, chain: list[_Style], text: str, in_cell: bool) -> tuple[BlockKind, int]:
    names = [s.name.strip().lower() for s in chain]
    if names and names[0] in ("title",):
        return BlockKind.TITLE, 0
    level = _heading_level(p, chain)
    if level:
        return BlockKind.HEADING, level
    if "caption" in names or (any("caption" in n or "legend" in n for n in names) and _CAPTION_TEXT.match(text)):
        return BlockKind.CAPTION, 0
    return (BlockKind.TABLE_CELL if in_cell else BlockKind.PARAGRAPH), 0


def _numbering_of(p: etree._Element, chain: list[_Style]) -> tuple[str | None, int]:
    """numId and ilvl: direct pPr/numPr wins, missing parts come from the style chain."""
    num_id: str | None = None
    ilvl: int | None = None
    ppr = p.find(W + "pPr")
    num = ppr.find(W + "numPr") if ppr is not None else None
    if num is not None:
        num_id = _val(num.find(W + "numId"))
        ilvl = _int(_val(num.find(W + "ilvl")))
    for style in chain:
        if num_id is None and style.num_id is not None:
            num_id = style.num_id
            if ilvl is None:
                ilvl = style.ilvl
        if num_id is not None:
            break
    if num_id in (None, "0"):
        return None, 0
    return num_id, ilvl or 0


def _raised(rpr: etree._Element | None) -> bool | None:
    """True/False when this rPr decides raised-ness; None when it says nothing."""
    if rpr is None:
        return None
    vert = _val(rpr.find(W + "vertAlign"))
    position = _int(_val(rpr.find(W + "position")))
    if vert is not None:
        if vert == "superscript":
            return True
        if vert == "subscript":
            return False
    if position is not None:
        return position > 0
    if vert == "baseline":
        return False
    return None


class _RunFormat:
    """Resolves whether a run is raised, honouring the style hierarchy."""

    def __init__(self, styles: Styles):
        self.styles = styles
        self._char_cache: dict[str | None, bool | None] = {}
        self._para_cache: dict[str | None, bool] = {}

    def _char_style(self, style_id: str | None) -> bool | None:
        if style_id not in self._char_cache:
            decided = None
            for style in self.styles.chain(style_id):
                decided = _raised(style.rpr)
                if decided is not None:
                    break
            self._char_cache[style_id] = decided
        return self._char_cache[style_id]

    def _para_style(self, style_id: str | None) -> bool:
        if style_id not in self._para_cache:
            decided = None
            for style in self.styles.chain(style_id):
                decided = _raised(style.rpr)
                if decided is not None:
                    break
            if decided is None:
                decided = _raised(self.styles.default_rpr)
            self._para_cache[style_id] = bool(decided)
        return self._para_cache[style_id]

    def is_raised(self, run: etree._Element, para_style: str | None) -> bool:
        rpr = run.find(W + "rPr")
        direct = _raised(rpr)
        if direct is not None:
            return direct
        char_style = _val(rpr.find(W + "rStyle")) if rpr is not None else None
        by_char = self._char_style(char_style) if char_style else None
        if by_char is not None:
            return by_char
        return self._para_style(para_style)


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


_MANAGERS = (
    (re.compile(r"ADDIN\s+ZOTERO_ITEM", re.I), "zotero"),
    (re.compile(r"ADDIN\s+Mendeley", re.I), "mendeley"),
    (re.compile(r"ADDIN\s+CSL_CITATION.*mendeley", re.I | re.S), "mendeley"),
    (re.compile(r"ADDIN\s+CSL_CITATION", re.I), "csl"),
    (re.compile(r"ADDIN\s+EN\.CITE(?!\.DATA)", re.I), "endnote"),
)


def citation_manager(instruction: str) -> str | None:
    """Which reference manager wrote a field instruction, if it is a citation."""
    for pattern, manager in _MANAGERS:
        if pattern.search(instruction):
            return manager
    return None


@dataclass
class _ParagraphText:
    text: str
    segments: tuple[Segment, ...]
    superscript: tuple[tuple[int, int], ...]
    fields: tuple[FieldCitation, ...]


def _paragraph_text(p: etree._Element, para_style: str | None, fmt: _RunFormat) -> _ParagraphText:
    """Join a paragraph's pieces, mapping each to its run, with raised ranges and fields."""
    parts: list[str] = []
    segments: list[Segment] = []
    raised: list[tuple[int, int]] = []
    spans: dict[int, list[Any]] = {}  # id(field) -> [field, start, end]
    position = 0
    for index, (run, text, fields) in enumerate(_walk_paragraph(p)):
        end = position + len(text)
        parts.append(text)
        segments.append(Segment(position, len(text), index, 0))
        if fmt.is_raised(run, para_style):
            raised.append((position, end))
        for fld in fields:
            span = spans.setdefault(id(fld), [fld, position, end])
            span[2] = end
        position = end
    citations = []
    for fld, start, end in spans.values():
        manager = citation_manager(fld.instruction)
        if manager:
            citations.append(FieldCitation(start, end, manager, fld.instruction.strip()))
    return _ParagraphText("".join(parts), tuple(segments), _merge(raised), tuple(citations))


# ---------------------------------------------------------------------------
# Document assembly


@dataclass
class _Context:
    styles: Styles
    numbering: Numbering
    fmt: _RunFormat
    blocks: list[Block] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)


_NOTES = frozenset({W + "footnote", W + "endnote"})


def _placement(p: etree._Element, stop: etree._Element) -> tuple[bool, bool]:
    """``(skip, in_cell)``: skip paragraphs in an mc:Fallback duplicate or in a
    separator note; in_cell when the paragraph sits in a table cell."""
    skip = in_cell = False
    node = p.getparent()
    while node is not None and node is not stop:
        tag = node.tag
        if tag == MC + "Fallback":
            skip = True
        elif tag == W + "tc":
            in_cell = True
        elif tag in _NOTES and node.get(W + "type") in _SEPARATOR_TYPES:
            skip = True
        node = node.getparent()
    return skip, in_cell


def _read_story(container: str, root: etree._Element, ctx: _Context, note_kind: BlockKind | None) -> None:
    """Turn every paragraph of one story (body, footnotes, endnotes) into blocks.

    ``n`` counts every w:p of the story in document order, skipped ones included,
    so that ``(container, n)`` finds the paragraph again with ``root.iter(w:p)``.
    """
    for n, p in enumerate(root.iter(W + "p")):
        skip, in_cell = _placement(p, root)
        if not skip:
            _read_paragraph(container, n, p, ctx, note_kind, in_cell)


def _read_paragraph(
    container: str, n: int, p: etree._Element, ctx: _Context, note_kind: BlockKind | None, in_cell: bool
) -> None:
    style_id = _paragraph_style(p, ctx.styles)
    chain = ctx.styles.chain(style_id)
    num_id, ilvl = _numbering_of(p, chain)
    label = ctx.numbering.next_label(num_id, ilvl, ctx.styles) if num_id else None
    content = _paragraph_text(p, style_id, ctx.fmt)
    if not content.text.strip():
        return
    kind, level = _classify(p, chain, content.text, in_cell)
    if note_kind is not None:
        kind, level = note_kind, 0
    section: tuple[str, ...] = ()
    if note_kind is None:
        if kind is BlockKind.HEADING:
            ctx.headings = [h for h in ctx.headings if h[0] < level] + [(level, content.text.strip())]
        section = tuple(title for _, title in ctx.headings)
    ctx.blocks.append(
        Block(
            index=len(ctx.blocks),
            kind=kind,
            text=content.text,
            source=SourceMap(content.segments),
            level=level,
            section=section,
            anchor=(container, n),
            list_label=label,
            superscript=content.superscript,
            field_citations=content.fields,
            style=chain[0].name if chain else None,
        )
    )


def _optional_xml(pkg: Package, part: str | None) -> etree._Element | None:
    """Parse an optional part; a malformed one is ignored, a hostile one is not."""
    if part is None or not pkg.has(part):
        return None
    try:
        return parse_xml(pkg.read(part), part, path=pkg.path, recover=True)
    except HostileInputError:
        raise
    except InputError:
        return None


def _core_properties(pkg: Package) -> dict[str, str]:
    root = _optional_xml(pkg, pkg.related_part("", "core-properties") or "docProps/core.xml")
    if root is None:
        return {}
    wanted = {DC + "title": "title", DC + "creator": "creator", CP + "lastModifiedBy": "last_modified_by",
              DCTERMS + "created": "created", DCTERMS + "modified": "modified", DC + "language": "language"}
    return {wanted[el.tag]: el.text.strip() for el in root if el.tag in wanted and el.text and el.text.strip()}


def _main_root(pkg: Package) -> etree._Element:
    """The main document part, salvaged by libxml2's recovery when malformed."""
    data = pkg.read(pkg.main_part)
    try:
        root = parse_xml(data, pkg.main_part, path=pkg.path)
    except HostileInputError:
        raise
    except InputError:
        root = parse_xml(data, pkg.main_part, path=pkg.path, recover=True)
    if root.tag != W + "document":
        raise InputError(pkg.path, f"main part {pkg.main_part} is not a WordprocessingML document")
    return root


def read_docx(path: str | Path, config: Mapping[str, Any] | None = None) -> Manuscript:
    """Read a DOCX/DOCM/DOTX/DOTM file into a Manuscript (blocks only; no analysis).

    Raises :class:`InputError` with a one-line problem for anything unreadable;
    no zipfile or lxml exception escapes.
    """
    path_str = str(path)
    limits = PackageLimits.from_config(config)
    try:
        with open_package(path_str, limits) as pkg:
            root = _main_root(pkg)
            main = pkg.main_part
            styles = Styles.parse(_optional_xml(pkg, pkg.related_part(main, "styles")))
            numbering = Numbering.parse(_optional_xml(pkg, pkg.related_part(main, "numbering")))
            ctx = _Context(styles, numbering, _RunFormat(styles))
            body = root.find(W + "body")
            if body is not None:
                _read_story("body", body, ctx, None)
            for rel, container, kind in (("footnotes", "footnotes", BlockKind.FOOTNOTE),
                                         ("endnotes", "endnotes", BlockKind.ENDNOTE)):
                notes = _optional_xml(pkg, pkg.related_part(main, rel))
                if notes is not None:
                    _read_story(container, notes, ctx, kind)
            metadata: dict[str, Any] = {"core": _core_properties(pkg), "main_part": main}
            # The comments already there, with their ranges: "refcheck: ignore" ones
            # suppress findings (refcheck.suppress).
            comments = _optional_xml(pkg, pkg.related_part(main, "comments"))
            if comments is not None:
                metadata["comments"] = read_comment_ranges(body, comments, iter_text_pieces)
    except InputError:
        raise
    except (etree.LxmlError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            OSError, RecursionError, MemoryError) as exc:
        raise InputError(path_str, f"cannot be read as DOCX ({type(exc).__name__}: {str(exc)[:100]})") from None
    return Manuscript(path=path_str, format="docx", blocks=tuple(ctx.blocks), metadata=metadata)


@hookimpl
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    """Read Word packages; macros in .docm/.dotm are never run, only text is read."""
    if Path(path).suffix.lower() not in SUFFIXES:
        return None
    return read_docx(path, config)
