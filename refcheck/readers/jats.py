"""JATS / NLM XML articles: the format publishers hold.

JATS already knows what a manuscript's structure is — sections, the reference list,
which span is a citation and which entry it points to — so this reader builds the
blocks *and* the reference list and citations itself, and sets
``metadata["prepared_structure"]`` so the prepare stage keeps them instead of
guessing from text.  A citation is an ``<xref>`` that points at a ``<ref>`` of the
reference list, whatever its ``ref-type`` says: most publishers type it ``bibr``, but
Wiley's JATS types it ``ref``.  Files that have no such xref (some publishers type
citations as plain text) fall back to the text-based citation finder.

The parser never loads the DTD named in the DOCTYPE, never resolves entities and
never touches the network: a JATS file is untrusted input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lxml import etree

from refcheck.analysis.citations import expand_numbers
from refcheck.analysis.references import parse_reference
from refcheck.limits import DEFAULT_MAX_XML_MB
from refcheck.model import (
    Block,
    BlockKind,
    Citation,
    InputError,
    Manuscript,
    Reference,
    Segment,
    SourceMap,
)
from refcheck.plugins import hookimpl

JATS_SUFFIXES = {".xml", ".nxml"}

# Elements that are blocks of their own when met inside a paragraph.
_BLOCK_CHILDREN = {"fig", "table-wrap", "list", "disp-quote", "boxed-text", "supplementary-material",
                   "fig-group", "table-wrap-group", "def-list"}
# Inline elements whose text is not part of the running text.
_SKIP_INLINE = {"disp-formula", "inline-formula", "tex-math", "alternatives", "fn"}
_NUMERIC = re.compile(r"^\s*\[?\s*(\d{1,5})(?:\s*[–—-]\s*(\d{1,5}))?\s*\]?\s*$")
_RANGE_GAP = re.compile(r"^\s*[\])]?\s*[–—-]\s*[\[(]?\s*$")
_LIST_GAP = re.compile(r"^\s*[\])]?\s*[,;]\s*[\[(]?\s*$")


def local_name(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Xref:
    rid: str
    start: int
    end: int
    text: str
    superscript: bool
    typed: bool = True  # ref-type="bibr"; otherwise a citation only if rid names a <ref>


@dataclass
class _Inline:
    """Text of one block with the bibr xrefs and superscripts met on the way."""

    parts: list[str] = field(default_factory=list)
    xrefs: list[_Xref] = field(default_factory=list)
    notes: list[_Xref] = field(default_factory=list)  # footnote markers (xref ref-type="fn")
    sup: list[tuple[int, int]] = field(default_factory=list)
    pos: int = 0

    def add(self, text: str | None) -> None:
        if text:
            text = re.sub(r"\s+", " ", text)
            self.parts.append(text)
            self.pos += len(text)


def _collect(el: Any, out: _Inline, in_sup: bool = False, top: bool = True) -> None:
    """Append ``el``'s inline text to ``out``, skipping block-level children."""
    name = local_name(el)
    if not top and (name in _BLOCK_CHILDREN or name in _SKIP_INLINE or not name):
        out.add(el.tail)
        return
    start = out.pos
    sup = in_sup or name == "sup"
    out.add(el.text)
    for child in el:
        _collect(child, out, sup, top=False)
    if name == "xref" and el.get("rid"):
        text = "".join(out.parts)[start:out.pos]
        kind = el.get("ref-type")
        kept = out.notes if kind == "fn" else out.xrefs
        kept.append(_Xref(el.get("rid").split()[0], start, out.pos, text, sup, kind == "bibr"))
    if name == "sup" and out.pos > start:
        out.sup.append((start, out.pos))
    if not top:
        out.add(el.tail)


def _finish(inline: _Inline) -> tuple[str, int]:
    """Block text with outer whitespace stripped; returns (text, characters dropped in front)."""
    raw = "".join(inline.parts)
    lead = len(raw) - len(raw.lstrip())
    return raw.strip(), lead


class _Builder:
    def __init__(self, path: str, ref_ids: frozenset[str] = frozenset()):
        self.path = path
        self.ref_ids = ref_ids  # the ids of the reference list's <ref>s: what an xref may cite
        self.blocks: list[Block] = []
        self.pending: list[tuple[int, list[_Xref]]] = []  # block index -> its xrefs
        self.notes: list[tuple[int, _Xref]] = []  # (block index, footnote marker)
        self.ref_elements: list[tuple[int, Any]] = []  # block index -> <ref>
        self.counter = 0  # n-th element turned into a block: the anchor
        self.commented_tables: dict[str, Any] = {}  # table-wrap id -> the table kept in a comment
        # Untagged "Ref." columns: (highest number, [(block, xrefs)]), checked against the list.
        self.column_citations: list[tuple[int, list[tuple[int, list[_Xref]]]]] = []

    def add(self, kind: BlockKind, inline: _Inline, section: tuple[str, ...], level: int = 0) -> int | None:
        text, lead = _finish(inline)
        self.counter += 1
        if not text:
            return None
        index = len(self.blocks)
        source = SourceMap((Segment(0, len(text), self.counter, 0),))
        sup = tuple((max(s - lead, 0), min(e - lead, len(text))) for s, e in inline.sup if e - lead > 0)
        self.blocks.append(Block(index=index, kind=kind, text=text, source=source, level=level,
                                 section=section, anchor=("jats", self.counter), superscript=sup))
        xrefs = [_Xref(x.rid, x.start - lead, x.end - lead, x.text, x.superscript)
                 for x in inline.xrefs if x.typed or x.rid in self.ref_ids]
        if xrefs:
            self.pending.append((index, xrefs))
        self.notes += [(index, _Xref(x.rid, x.start - lead, x.end - lead, x.text, x.superscript))
                       for x in inline.notes if x.end - lead > 0]
        return index

    def text_block(self, el: Any, kind: BlockKind, section: tuple[str, ...], level: int = 0, prefix: str = "") -> int | None:
        inline = _Inline()
        inline.add(prefix)
        _collect(el, inline)
        return self.add(kind, inline, section, level)

    # -- walking --------------------------------------------------------------

    def walk(self, el: Any, section: tuple[str, ...], depth: int, kind: BlockKind = BlockKind.PARAGRAPH) -> None:
        name = local_name(el)
        if name in ("sec", "app", "ack"):
            title = el.find("title") if el.find("title") is not None else el.find("{*}title")
            path = section
            if title is not None:
                heading = " ".join("".join(title.itertext()).split())
                if heading:
                    self.text_block(title, BlockKind.HEADING, section, level=depth + 1)
                    path = section + (heading,)
            elif name == "ack":
                path = section + ("Acknowledgments",)
            for child in el:
                if local_name(child) != "title":
                    self.walk(child, path, depth + 1, kind)
        elif name == "p":
            self.text_block(el, kind, section)
            for child in el.iter():
                if child is not el and local_name(child) in _BLOCK_CHILDREN and not _has_block_ancestor(child, el):
                    self.walk(child, section, depth, kind)
        elif name in ("fig", "table-wrap", "supplementary-material"):
            self.float_block(el, section)
        elif name == "ref-list":
            self.ref_list(el, section, depth)
        elif name in ("title", "label", "object-id", "graphic", "media", "disp-formula"):
            return
        else:
            for child in el:
                self.walk(child, section, depth, kind)

    def float_block(self, el: Any, section: tuple[str, ...]) -> None:
        label = el.find("label")
        caption = el.find("caption")
        label_text = " ".join("".join(label.itertext()).split()) if label is not None else ""
        inline = _Inline()
        if label_text:
            inline.add(label_text.rstrip(".:") + ". ")
        if caption is not None:
            for part in caption:
                if local_name(part) in ("title", "p"):
                    _collect(part, inline, top=True)
                    inline.add(" ")
        # "Source: NBS (2013, 2014)": the float's sources, often cited; and a legend's
        # paragraphs that MDPI puts beside the caption instead of in it.
        for extra in [*el.findall("attrib"), *el.findall("p")]:
            _collect(extra, inline, top=True)
            inline.add(" ")
        self.add(BlockKind.CAPTION, inline, section)
        cells = list(el.iter("th", "td"))
        if not cells and el.get("id") in self.commented_tables:
            cells = list(self.commented_tables[el.get("id")].iter("th", "td"))
        columns = _reference_columns(cells)
        column: list[tuple[int, str]] = []
        for cell in cells:
            index = self.text_block(cell, BlockKind.TABLE_CELL, section)
            if index is not None and cell in columns and not (self.pending and self.pending[-1][0] == index):
                column.append((index, self.blocks[index].text))
        self.reference_column(column)
        for fn in el.iter("fn"):
            for p in fn.iter("p"):
                self.text_block(p, BlockKind.FOOTNOTE, section)
        for foot in el.findall("table-wrap-foot"):  # a note written as a bare <p>, no <fn>
            for p in foot.findall("p"):
                self.text_block(p, BlockKind.FOOTNOTE, section)

    def reference_column(self, cells: list[tuple[int, str]]) -> None:
        """The untagged cells of a table's "Ref." column: when every one holds only
        reference numbers ("50, 88", "12–14"), bracketed ones after a name ("yfeABCD
        [54]") or a dash for none, each number is a citation, as the header
        says, though the publisher tagged none.  Kept aside until the reference list is
        known: a column whose numbers run past it (a confusion matrix's "Reference"
        class, counts) is data, not citations."""
        found = [(i, _column_items(t)) for i, t in cells]
        items = [(i, ms) for i, ms in found if ms]
        if not items or any(ms is None for _, ms in found):
            return
        numbers = [int(n) for _, ms in items for m in ms for n in re.findall(r"\d+", m.group(1))]
        if min(numbers) < 1:
            return  # "0" counts something: reference numbers start at 1
        self.column_citations.append((max(numbers), [
            (i, [_Xref("", m.start(1), m.end(1), m.group(1), False) for m in ms]) for i, ms in items]))

    def ref_list(self, el: Any, section: tuple[str, ...], depth: int) -> None:
        title = el.find("title")
        heading = " ".join("".join(title.itertext()).split()) if title is not None else "References"
        heading = heading or "References"
        inline = _Inline()
        inline.add(heading)
        self.add(BlockKind.HEADING, inline, section, level=depth + 1)
        path = section + (heading,)
        for child in el:
            name = local_name(child)
            if name == "ref":
                number = len(self.ref_elements) + 1
                label = child.find("label")
                if label is not None:
                    m = re.search(r"\d+", "".join(label.itertext()))
                    number = int(m.group()) if m else number
                inline = _Inline()
                inline.add(f"{number}. ")
                inline.add(reference_text(child))
                index = self.add(BlockKind.REFERENCE, inline, path)
                if index is not None:
                    self.ref_elements.append((index, child))
            elif name == "ref-list":
                self.ref_list(child, path, depth + 1)


def _has_block_ancestor(child: Any, top: Any) -> bool:
    parent = child.getparent()
    while parent is not None and parent is not top:
        if local_name(parent) in _BLOCK_CHILDREN:
            return True
        parent = parent.getparent()
    return False


def _text(el: Any | None) -> str | None:
    if el is None:
        return None
    value = " ".join("".join(el.itertext()).split())
    return value or None


def _citation_element(ref: Any) -> Any:
    for name in ("mixed-citation", "element-citation", "citation", "nlm-citation"):
        found = ref.find(name)
        if found is not None:
            return found
    return ref


def _render(el: Any) -> str:
    """Text of a citation element with the spaces publishers leave out between names."""
    name = local_name(el)
    if name in ("name", "string-name") and el.find("surname") is not None:
        parts = [_text(el.find("surname")), _text(el.find("given-names"))]
        return " ".join(p for p in parts if p)
    if name == "person-group":
        names = [_render(c) for c in el if local_name(c) in ("name", "string-name", "collab", "etal")]
        if names:
            return ", ".join(n or "et al." for n in names)
    out = [el.text or ""]
    for child in el:
        out.append(_render(child) if local_name(child) else "")
        if local_name(child) in ("name", "string-name") and not (child.tail or "").strip():
            out.append(", ")
        out.append(child.tail or "")
    return "".join(out)


def reference_text(ref: Any) -> str:
    """Readable entry text; element-citation has no punctuation, so join its parts."""
    cit = _citation_element(ref)
    # BMC's mixed-citations carry no punctuation between their tagged parts (the
    # publisher's stylesheet adds it): "…intracellular noiseNature2002420231237".
    punctuated = bool((cit.text or "").strip()) or any((c.tail or "").strip() for c in cit)
    if local_name(cit) == "mixed-citation" and punctuated:
        return " ".join(re.sub(r",\s*(?=[.(])", "", _render(cit)).split()).lstrip(".,; ")
    pieces: list[str] = []
    previous_name = False
    for child in cit:
        text = " ".join(_render(child).split())
        if not text or local_name(child) == "label":
            continue
        is_name = local_name(child) in ("name", "string-name", "collab", "etal")
        if is_name and previous_name:  # names tagged one by one (BMC): one author list
            pieces[-1] = f"{pieces[-1]}, {text.rstrip('.')}"
        else:
            pieces.append(text.rstrip("."))
        previous_name = is_name
    return ". ".join(pieces) + "." if pieces else " ".join("".join(cit.itertext()).split())


_TAGGED = ("article-title", "chapter-title", "data-title", "part-title", "source", "person-group", "name",
           "string-name", "year")


def _structured(ref: Any, number: int | None, block: int, text: str) -> Reference:
    """The reference from the tagged fields of a <ref> — structured data first, so the
    title, authors, year and DOI are the publisher's, not a guess from the text."""
    # Fields come from the tagged form when a <ref> carries both (SciELO does).
    cit = next((c for c in (ref.find("element-citation"), ref.find("citation")) if c is not None),
               _citation_element(ref))
    authors: list[str] = []
    # The authors' person-group, not the editors' or translators' (a chapter's book editors).
    # An edited book with no author group is cited by its editors.
    groups = [g for g in cit.iter("person-group") if g.get("person-group-type", "author") == "author"]
    group = groups[0] if groups else cit.find("person-group")
    if not any(cit.find(f".//{n}") is not None for n in _TAGGED):
        # A <mixed-citation> that is only text: read it as a text entry.
        parsed = parse_reference(text, block, number)
        return replace(parsed, number=number, text=text, label_in_text=True,
                       label_span=(0, len(str(number))) if number is not None else None)
    for name in (group if group is not None else cit).iter("name", "string-name", "collab"):
        surname = _text(name.find("surname"))
        given = _text(name.find("given-names"))
        authors.append(f"{surname} {given}".strip() if surname else (_text(name) or ""))
    year_text = _text(cit.find(".//year"))
    m = re.search(r"\d{4}", year_text or "")
    title = next((_text(cit.find(f".//{n}")) for n in ("article-title", "chapter-title", "data-title", "part-title")
                  if cit.find(f".//{n}") is not None), None)
    source = _text(cit.find(".//source"))
    if title is None and not (_journal_article(cit) and len((source or "").split()) <= _JOURNAL_WORDS):
        title, source = source, None  # a book, report or web page (or a mistagged title): its title is the source
    pages = _text(cit.find("fpage"))
    if pages and _text(cit.find("lpage")):
        pages = f"{pages}-{_text(cit.find('lpage'))}"
    ids = {p.get("pub-id-type"): _text(p) for p in cit.iter("pub-id")}
    doi = ids.get("doi")
    if not doi:
        dm = re.search(r"\b10\.\d{4,9}/\S+[^\s.,;]", text)
        doi = dm.group() if dm else None
    url = next((link.get("{http://www.w3.org/1999/xlink}href") for link in cit.iter("ext-link", "uri")), None)
    return Reference(
        number=number, block=block, text=text, authors=tuple(a for a in authors if a),
        year=int(m.group()) if m else None, title=title, journal=source,
        volume=_text(cit.find("volume")), pages=pages, doi=doi, pmid=ids.get("pmid"), url=url,
        label_in_text=True, label_span=(0, len(str(number))) if number is not None else None,
        confidence=1.0 if title else 0.0,
    )


#: A journal article's <source> longer than this is its title, mistagged (PLOS ONE has
#: "Age, Rapid-Cycling, and Pharmacotherapy Effects on …" as the source of one entry).
_JOURNAL_WORDS = 10


# An author-year xref: names ("Frankl 1979"), or only the year, the name left outside the
# tag ("Frankl (<xref>1979</xref>)", Springer's JATS).
_AUTHOR_YEAR_XREF = re.compile(r"[A-Za-z]{3}|^\s*(?:1[6-9]|20)\d\d[a-z]?\s*$")


def _journal_article(cit: Any) -> bool:
    """A journal article, whose <source> is the journal even when no <article-title>
    is given: chemistry and physics styles (Wiley, ACS, APS) cite "Lee H., Energy
    Environ. Sci. 2014, 7, 3857" with no title, and "Energy Environ. Sci." read as the
    title made a battery review's every reference look off-topic."""
    kind = cit.get("publication-type") or cit.get("citation-type") or ""
    if kind:
        return kind == "journal"
    return cit.find(".//volume") is not None and cit.find(".//fpage") is not None


def _xref_numbers(x: _Xref, number: int | None) -> tuple[int, ...]:
    """The numbers one xref stands for: "1–3" written inside one xref expands."""
    m = _NUMERIC.match(x.text)
    if m and m.group(2) and (number is None or int(m.group(1)) == number):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi <= lo + 200:
            return tuple(range(lo, hi + 1))
    if number is not None:
        return (number,)
    return (int(m.group(1)),) if m else ()


def _citations(builder: _Builder, numbers: dict[str, int | None], refs: dict[str, Reference],
               author_year: bool) -> list[Citation]:
    """Group neighbouring xrefs ("[1], [2]–[4]") into citations, expanding ranges."""
    out: list[Citation] = []
    for block_index, xrefs in builder.pending:
        text = builder.blocks[block_index].text
        groups: list[list[_Xref]] = []
        for x in sorted(xrefs, key=lambda x: x.start):
            if groups and (_RANGE_GAP.match(text[groups[-1][-1].end:x.start]) or
                           _LIST_GAP.match(text[groups[-1][-1].end:x.start])):
                groups[-1].append(x)
            else:
                groups.append([x])
        for group in groups:
            start, end = group[0].start, group[-1].end
            if start > 0 and end < len(text) and text[start - 1] in "[(" and text[end] in "])":
                start, end = start - 1, end + 1
            if author_year:
                items = []
                for x in group:
                    ref = refs.get(x.rid)
                    surname = ref.authors[0].split()[0] if ref and ref.authors else x.text
                    items.append(f"{surname} {ref.year if ref and ref.year else ''}".strip())
                out.append(Citation(block_index, start, end, text[start:end], (), "author-year",
                                    any(x.superscript for x in group), None, tuple(items)))
                continue
            nums: list[int] = []
            malformed = None
            for k, x in enumerate(group):
                own = _xref_numbers(x, numbers.get(x.rid))
                if k and nums and own and _RANGE_GAP.match(text[group[k - 1].end:x.start]):
                    lo, hi = nums[-1], own[0]
                    if hi < lo:
                        malformed = "reversed range"
                    elif hi - lo > 200:
                        malformed = "implausibly long range"
                    else:
                        own = tuple(range(lo + 1, hi)) + own
                nums.extend(n for n in own if n not in nums)
            if nums or malformed:
                out.append(Citation(block_index, start, end, text[start:end], tuple(nums), "numeric",
                                    any(x.superscript for x in group), malformed))
    out.sort(key=lambda c: (c.block, c.start))
    return out


# A table column of reference numbers: its header says so ("Ref.", "References",
# "Source"), its cells hold nothing but numbers and ranges.
_REFERENCE_HEADER = re.compile(
    r"^\s*(?:refs?|references?|sources?|citations?)\.?\s*(?:\(\s*s\s*\))?\s*(?:\[\s*\]|\(\s*\))?\s*$", re.I)
_ITEM = r"\d{1,4}(?:\s*[–—-]\s*\d{1,4})?"
_PAGE = r"(?:\s*:\s*pp?\.?\s*\d{1,5}(?:\s*[–—-]\s*\d{1,5})?)?"  # "74: p.24": reference 74, its page 24
_NUMBER_CELL = re.compile(rf"^\s*{_ITEM}{_PAGE}(?:\s*[,;]\s*{_ITEM}{_PAGE})*\s*$", re.I)
_NUMBER_ITEM = re.compile(rf"({_ITEM}){_PAGE}", re.I)
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_NO_ENTRY = re.compile(r"^\s*(?:[-–—]|n\.?\s?a\.?|n/a|nd|none)?\s*$", re.I)


def _column_items(text: str) -> list[re.Match[str]] | None:
    """The reference numbers of one "Ref." column cell: [] for a cell that gives none
    ("–"), None for a cell that is not a list of reference numbers (the column is data)."""
    if _NO_ENTRY.match(text):
        return []
    if _NUMBER_CELL.match(text):
        return list(_NUMBER_ITEM.finditer(text))
    groups = list(_BRACKETED.finditer(text))
    if groups and all(_NUMBER_CELL.match(g.group(1)) for g in groups):
        return [m for g in groups for m in _NUMBER_ITEM.finditer(text, g.start(1), g.end(1))]
    return None


def _reference_columns(cells: list[Any]) -> set[Any]:
    """The body cells of a table that sit under a "Ref."-like header cell, by column
    position (spans counted)."""
    rows: list[list[Any]] = []
    for cell in cells:
        row = cell.getparent()
        if not rows or rows[-1][0].getparent() is not row:
            rows.append([])
        rows[-1].append(cell)
    wanted: set[int] = set()
    out: set[Any] = set()
    for row in rows:
        col = 0
        header = all(local_name(c) == "th" for c in row) or local_name(row[0].getparent().getparent()) == "thead"
        for cell in row:
            span = cell.get("colspan", "1")
            span = int(span) if span.isdigit() else 1
            if header and _REFERENCE_HEADER.match("".join(cell.itertext())):
                wanted.add(col)
            elif not header and col in wanted:
                out.add(cell)
            col += span
    return out


def parse_jats(data: bytes, path: str) -> Any:
    """Parse safely: no DTD, no entities, no network, no huge-tree expansion."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"not well-formed XML ({exc.msg}, line {exc.lineno})") from None
    if root is None:
        raise InputError(path, "no XML content")
    return root


# Older PLOS XML shows a table as an image and keeps the table itself, citations and
# all, in a comment inside its <table-wrap>: "<graphic …/><!-- <table …>…</table> -->".
_TABLE_WRAP_OPEN = re.compile(rb"<table-wrap\b[^>]*?\bid=\"([^\"]{1,200})\"[^>]*>")
_COMMENTED_TABLE = re.compile(rb"<!--\s*(<table\b.*?</table>)\s*-->", re.S)
_COMMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                  recover=True, remove_comments=True, remove_pis=True)


def _commented_tables(data: bytes) -> dict[str, Any]:
    """table-wrap id -> the table kept in a comment within it (read when the wrap has no
    table of its own: its citations are the article's)."""
    out: dict[str, Any] = {}
    if b"<!--" not in data:
        return out
    for m in _TABLE_WRAP_OPEN.finditer(data):
        end = data.find(b"</table-wrap>", m.end())
        if end < 0:
            continue
        c = _COMMENTED_TABLE.search(data, m.end(), end)
        if c is None:
            continue
        try:
            table = etree.fromstring(c.group(1), _COMMENT_PARSER)
        except etree.XMLSyntaxError:
            continue
        if table is not None:
            out[m.group(1).decode("utf-8", "replace")] = table
    return out


def _read_front(b: _Builder, front: Any) -> str | None:
    """The article title, abstracts and keywords of ``<front>``; the title's text."""
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        return None
    title = None
    title_el = meta.find("title-group/article-title")
    if title_el is not None:
        b.text_block(title_el, BlockKind.TITLE, ())
        title = b.blocks[-1].text if b.blocks else None
    for abstract in meta.findall("abstract"):
        if abstract.get("abstract-type") in ("toc", "teaser"):
            continue
        heading = _text(abstract.find("title")) or (
            "Author Summary" if abstract.get("abstract-type") == "summary" else "Abstract")
        inline = _Inline()
        inline.add(heading)
        b.add(BlockKind.HEADING, inline, (), level=1)
        for child in abstract:
            if local_name(child) != "title":
                b.walk(child, (heading,), 1, BlockKind.ABSTRACT)
    for group in meta.findall("kwd-group"):
        words = [_text(k) for k in group.findall("kwd")]
        inline = _Inline()
        inline.add("Keywords: " + "; ".join(w for w in words if w))
        if any(words):
            b.add(BlockKind.KEYWORDS, inline, ())
    return title


def _read_references(b: _Builder, author_year: bool
                     ) -> tuple[list[Reference], dict[str, Reference], dict[str, int | None]]:
    """The reference list from the tagged ``<ref>`` elements: the references, and by
    ``id`` each reference and its printed number (an author–year list has none)."""
    refs: dict[str, Reference] = {}
    numbers: dict[str, int | None] = {}
    references: list[Reference] = []
    for index, el in b.ref_elements:
        block = b.blocks[index]
        number = int(block.text.split(".", 1)[0])
        ref = _structured(el, None if author_year else number, index, block.text)
        if author_year:
            text = block.text.split(". ", 1)[1] if ". " in block.text else block.text
            block = Block(index=index, kind=block.kind, text=text,
                          source=SourceMap((Segment(0, len(text), block.anchor[1], 0),)),
                          section=block.section, anchor=block.anchor)
            b.blocks[index] = block
            ref = _structured(el, None, index, text)
            ref = Reference(**{**ref.__dict__, "label_span": None, "label_in_text": False})
        references.append(ref)
        if el.get("id"):
            refs[el.get("id")] = ref
            numbers[el.get("id")] = number
    return references, refs, numbers


def read_jats(path: str, config: dict[str, Any] | None = None, data: bytes | None = None) -> Manuscript:
    """Read a JATS article into blocks, references and citations."""
    config = config or {}
    if data is None:
        limit_mb = float(config.get("limits", {}).get("max_xml_mb", DEFAULT_MAX_XML_MB))
        size = Path(path).stat().st_size
        if size > limit_mb * 1024 * 1024:
            raise InputError(path, f"XML file is {size / 1024 / 1024:.0f} MB, over the {limit_mb:g} MB limit")
        data = Path(path).read_bytes()
    root = parse_jats(data, path)
    if local_name(root) != "article":
        raise InputError(path, f"XML root is <{local_name(root) or '?'}>, not a JATS <article>")
    # Namespaced JATS (rare) is read like plain JATS.
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{") and not el.tag.startswith(("{http://www.w3.org/1998/Math", "{http://www.w3.org/1999/xlink")):
            el.tag = local_name(el)
    b = _Builder(path, frozenset(el.get("id") for el in root.iter("ref") if el.get("id")))
    b.commented_tables = _commented_tables(data)
    title = _read_front(b, root.find("front"))
    body = root.find("body")
    if body is not None:
        b.walk(body, (), 0)
    back = root.find("back")
    if back is not None:
        for child in back:
            if local_name(child) == "fn-group":
                for p in child.iter("p"):
                    b.text_block(p, BlockKind.FOOTNOTE, ())
            else:
                b.walk(child, (), 0)
    floats = root.find("floats-group")
    floats_from = len(b.blocks)
    if floats is not None:
        b.walk(floats, (), 0)
    if not b.blocks:
        raise InputError(path, "the JATS article contains no text")

    all_xrefs = [x for _, xs in b.pending for x in xs]
    author_year = bool(all_xrefs) and sum(1 for x in all_xrefs if _AUTHOR_YEAR_XREF.search(x.text)) > len(all_xrefs) / 2
    references, refs, numbers = _read_references(b, author_year)
    highest = max((r.number for r in references if r.number is not None), default=0)
    for top, cells in b.column_citations:
        if not author_year and top <= highest:
            b.pending = sorted(b.pending + cells, key=lambda p: p[0])
    citations = _citations(b, numbers, refs, author_year) if b.pending else []
    if not author_year:
        citations = sorted(citations + _qv_citations(b, highest), key=lambda c: (c.block, c.start))
    citations += _source_notes(b, root)
    metadata: dict[str, Any] = {"prepared_structure": True}
    if len(b.blocks) > floats_from:
        # Blocks from here on come from <floats-group>: where they print is not known.
        metadata["floats_unplaced_from"] = floats_from
    if root.get("article-type"):
        metadata["article_type"] = root.get("article-type")
    style = "author-year" if author_year else "numeric"
    return Manuscript(path=str(path), format="jats", blocks=tuple(b.blocks), citations=tuple(citations),
                      references=tuple(references), citation_style=style if citations else "numeric",
                      title=title, metadata=metadata)


# "[qv: 24c,38–57]": how PubMed Central renders a Wiley cross-reference to a run of
# references (sub-reference "c" of 24, then 38 to 57), as plain text, untagged.
_QV = re.compile(r"\[qv:\s*((?:\d{1,4}[a-z]?(?:\s*[–—-]\s*\d{1,4}[a-z]?)?\s*,?\s*)+)\]")


def _qv_citations(b: _Builder, highest: int) -> list[Citation]:
    """The untagged "[qv: …]" runs of a numeric article: each cites its numbers (a
    sub-reference letter dropped), when every one is on the reference list and no range
    runs backwards."""
    out = []
    for block in b.blocks:
        if block.kind is BlockKind.REFERENCE or "[qv:" not in block.text:
            continue
        for m in _QV.finditer(block.text):
            listed = expand_numbers(re.sub(r"(?<=\d)[a-z]", "", m.group(1)).strip(" ,"))
            nums = tuple(dict.fromkeys(listed.numbers))
            if nums and listed.problem is None and all(1 <= n <= highest for n in nums):
                out.append(Citation(block.index, m.start(), m.end(), m.group(), nums, "numeric",
                                    any(s <= m.start() < e for s, e in block.superscript)))
    return out


# A footnote that is a source: a year and a URL, a publisher's place ("Toronto:
# Unilever Canada; 2004"), or an author list ("Beaton D, Bombardier C").
_SOURCE_NOTE = re.compile(r"\b(?:1[89]|20)\d\d\b")
_SOURCE_SHAPE = re.compile(r"https?://|www\.|\b[A-Z][\w'’-]+ [A-Z]{1,3}[,.]|:\s*[A-Z][^;]{2,60};\s*(?:1[89]|20)\d\d")


def _source_notes(b: _Builder, root: Any) -> list[Citation]:
    """Footnote markers whose footnote is a bibliographic source — grey literature,
    reports and web pages that journals such as SciELO's cite in footnotes ("National
    Survey of Scholars Health ⁱ" → "IBGE. Pesquisa nacional de saúde do escolar
    2009 …").  They cite: the sentence has its source, though no numbered reference.
    They carry no numbers, so the numbering rules do not see them."""
    if not b.notes:
        return []
    sources = set()
    for fn in root.iter("fn"):
        text = " ".join("".join(fn.itertext()).split())
        if fn.get("id") and _SOURCE_NOTE.search(text) and _SOURCE_SHAPE.search(text):
            sources.add(fn.get("id"))
    return [Citation(index, x.start, x.end, x.text, (), "note", x.superscript, None, ())
            for index, x in b.notes if x.rid in sources]


def looks_like_jats(head: bytes) -> bool:
    """A cheap sniff so a random .xml file is not parsed as a manuscript."""
    return b"<article" in head


@hookimpl
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    if Path(path).suffix.lower() not in JATS_SUFFIXES:
        return None
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not looks_like_jats(head):
        raise InputError(path, "XML file is not a JATS article (no <article> root element)")
    return read_jats(path, config)


@hookimpl
def refcheck_reader_suffixes() -> list[str]:
    """The file name endings this reader takes, for folder, glob and batch discovery."""
    return sorted(JATS_SUFFIXES)
