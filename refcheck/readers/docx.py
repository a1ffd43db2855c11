"""DOCX reader: a Word package becomes a :class:`~refcheck.model.Manuscript`.

The reader works on the raw WordprocessingML (lxml) rather than python-docx's
object model because it needs things python-docx does not expose: text inside
hyperlinks, content controls, insertions and field results; the run-by-run map
from characters back to runs; inherited formatting (superscript from character
styles, numbering from paragraph styles); and tracked changes read as accepted.
The package is opened through :mod:`refcheck.ooxml.package`, which refuses
hostile files before any XML is parsed.  Paragraphs are walked with
:mod:`refcheck.ooxml.text` and styles and list numbering resolved with
:mod:`refcheck.ooxml.styles` — the same code the Word writers use, so that a
``Segment.locator`` (a piece index) found by this reader points at the same run
when a writer looks again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
from refcheck.ooxml.namespaces import MC, W, to_int, w_val
from refcheck.ooxml.package import (
    HostileInputError,
    Package,
    PackageLimits,
    open_package,
    parse_xml,
)
from refcheck.ooxml.styles import Numbering, Style, Styles
from refcheck.ooxml.text import walk_paragraph
from refcheck.plugins import hookimpl
from refcheck.readers.comment_ranges import read_comment_ranges

DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"

SUFFIXES = frozenset({".docx", ".docm", ".dotx", ".dotm"})

_SEPARATOR_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_CAPTION_TEXT = re.compile(r"^\s*(table|figure|fig\.?|scheme|chart|supplementary)\s*[A-Z]?\d", re.IGNORECASE)


# ---------------------------------------------------------------------------
# Paragraph analysis


def _paragraph_style(p: etree._Element, styles: Styles) -> str | None:
    ppr = p.find(W + "pPr")
    style_id = w_val(ppr.find(W + "pStyle")) if ppr is not None else None
    return style_id or styles.default_paragraph


def _heading_level(p: etree._Element, chain: list[Style]) -> int:
    """1-based heading level from the style name or outline level; 0 for body text."""
    for style in chain:
        match = _HEADING_NAME.match(style.name.strip())
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    ppr = p.find(W + "pPr")
    outline = to_int(w_val(ppr.find(W + "outlineLvl"))) if ppr is not None else None
    if outline is None:
        outline = next((s.outline for s in chain if s.outline is not None), None)
    if outline is not None and 0 <= outline <= 8:
        return outline + 1
    return 0


def _classify(p: etree._Element, chain: list[Style], text: str, in_cell: bool) -> tuple[BlockKind, int]:
    names = [s.name.strip().lower() for s in chain]
    if names and names[0] in ("title",):
        return BlockKind.TITLE, 0
    level = _heading_level(p, chain)
    if level:
        return BlockKind.HEADING, level
    if "caption" in names or (any("caption" in n or "legend" in n for n in names) and _CAPTION_TEXT.match(text)):
        return BlockKind.CAPTION, 0
    return (BlockKind.TABLE_CELL if in_cell else BlockKind.PARAGRAPH), 0


def _numbering_of(p: etree._Element, chain: list[Style]) -> tuple[str | None, int]:
    """numId and ilvl: direct pPr/numPr wins, missing parts come from the style chain."""
    num_id: str | None = None
    ilvl: int | None = None
    ppr = p.find(W + "pPr")
    num = ppr.find(W + "numPr") if ppr is not None else None
    if num is not None:
        num_id = w_val(num.find(W + "numId"))
        ilvl = to_int(w_val(num.find(W + "ilvl")))
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
    vert = w_val(rpr.find(W + "vertAlign"))
    position = to_int(w_val(rpr.find(W + "position")))
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
        char_style = w_val(rpr.find(W + "rStyle")) if rpr is not None else None
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
    for index, (run, text, fields) in enumerate(walk_paragraph(p)):
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
            raw = pkg.data  # what annotate and fix copy: the bytes checked here
            # The comments already there, with their ranges: "refcheck: ignore" ones
            # suppress findings (refcheck.suppress).
            comments = _optional_xml(pkg, pkg.related_part(main, "comments"))
            if comments is not None:
                metadata["comments"] = read_comment_ranges(body, comments)
    except InputError:
        raise
    except (etree.LxmlError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            OSError, RecursionError, MemoryError) as exc:
        raise InputError(path_str, f"cannot be read as DOCX ({type(exc).__name__}: {str(exc)[:100]})") from None
    return Manuscript(path=path_str, format="docx", blocks=tuple(ctx.blocks), metadata=metadata, raw=raw)


@hookimpl
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    """Read Word packages; macros in .docm/.dotm are never run, only text is read."""
    if Path(path).suffix.lower() not in SUFFIXES:
        return None
    return read_docx(path, config)


@hookimpl
def refcheck_reader_suffixes() -> list[str]:
    """The file name endings this reader takes, for folder, glob and batch discovery."""
    return sorted(SUFFIXES)
