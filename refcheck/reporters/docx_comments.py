"""Word comments anchored on exactly the flagged characters.

Why this works on the ZIP package with lxml instead of python-docx's
``Document.add_comment``: python-docx re-serialises every part it models, drops
parts no relationship reaches, and refuses ``.docm``/``.dotx`` content types.
The promise here is that *nothing else changes*: every ZIP entry except the main
document part, the comments part, the main part's relationships and
``[Content_Types].xml`` is copied byte for byte (and when refcheck's own earlier
comments are replaced, the comment-extension parts lose just their entries).
The comments we write are the plain ECMA-376 ``w:comment`` form that Word,
LibreOffice, pandoc and python-docx all read.

Anchoring: a finding's span is in block characters; ``Block.source`` maps those to
``(piece index, offset)`` where pieces are what
:func:`refcheck.readers.docx.iter_text_pieces` yields for the paragraph
``Block.anchor`` names.  Runs are split at the span edges by deep-copying the
``w:r`` (its ``w:rPr`` kept) and dividing its ``w:t`` text, so formatting is
unchanged and the comment covers the flagged word alone.
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from refcheck.model import Block, InputError
from refcheck.readers.docx import Styles, iter_text_pieces, run_child_text
from refcheck.readers.ooxml import PKG_REL_NS, W_NS
from refcheck.reporters.common import Note  # noqa: F401 - re-exported for callers

W = f"{{{W_NS}}}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
W16CID = "{http://schemas.microsoft.com/office/word/2016/wordml/cid}"
W16CEX = "{http://schemas.microsoft.com/office/word/2018/wordml/cex}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
AUTHOR = "refcheck"
INITIALS = "RC"
_STRICT_MARK = b"purl.oclc.org/ooxml/"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


@dataclass
class _Target:
    """Where a note's range starts and ends after run splitting."""

    first: etree._Element
    last: etree._Element
    text: str  # the anchored text, for checks
    point: bool = False  # an empty range just before ``first`` (e.g. a text box's anchor run)
    widened: list[str] | None = None  # containers the range was widened to (named in the comment)


# ---------------------------------------------------------------------------
# Run splitting


# The reader's own definition of a run child's characters: the writer splits runs by
# exactly the characters the reader mapped.
_child_text = run_child_text


def run_text(run: etree._Element) -> str:
    """The characters of a run as the splitter counts them."""
    return "".join(t for c in run if (t := _child_text(c)) is not None)


def _is_props(child: etree._Element) -> bool:
    return child.tag in (W + "rPr", M + "rPr")


def split_run(run: etree._Element, offset: int) -> etree._Element:
    """Split ``run`` at character ``offset``; return the new left part (inserted before it).

    The left part is a deep copy (same ``w:rPr``), holding the characters before
    ``offset``; ``run`` itself keeps the rest.  A ``w:t`` cut in two keeps
    ``xml:space="preserve"`` on both halves so edge spaces survive.
    """
    left = copy.deepcopy(run)
    content = [c for c in run if not _is_props(c)]
    left_content = [c for c in left if not _is_props(c)]
    pos = 0
    cut = len(content)  # index of the first child that goes right
    for i, child in enumerate(content):
        text = _child_text(child)
        n = len(text or "")
        if pos >= offset:
            cut = i
            break
        if pos + n > offset:  # the cut falls inside this text element
            k = offset - pos
            left_content[i].text = (text or "")[:k]
            child.text = (text or "")[k:]
            for el in (left_content[i], child):
                el.set(XML_SPACE, "preserve")
            for extra in left_content[i + 1 :]:
                left.remove(extra)
            for extra in content[:i]:
                run.remove(extra)
            run.addprevious(left)
            return left
        pos += n
    for extra in left_content[cut:]:
        left.remove(extra)
    for extra in content[:cut]:
        run.remove(extra)
    run.addprevious(left)
    return left


def split_at(run: etree._Element, offsets: Iterable[int]) -> list[tuple[etree._Element, int, int]]:
    """Split a run at several offsets; ``(run, start, end)`` parts in order (run-relative)."""
    total = len(run_text(run))
    cuts = sorted({o for o in offsets if 0 < o < total})
    parts: list[tuple[etree._Element, int, int]] = []
    done = 0
    for cut in cuts:
        left = split_run(run, cut - done)
        parts.append((left, done, cut))
        done = cut
    parts.append((run, done, total))
    return parts


# ---------------------------------------------------------------------------
# Anchors


# Elements a comment mark must not sit inside, found by measuring real clients: a
# range starting or ending inside a field, content control or smart tag is dropped
# or shown empty by LibreOffice; pandoc reads marks only at paragraph-content level,
# so it loses those inside tracked insertions, content controls and math.  The
# marks go outside the outermost such element, widening the range to all of it.
_CONTAINERS = {
    W + "fldSimple": "field", W + "sdt": "content control", W + "smartTag": "smart tag",
    W + "ins": "tracked insertion", W + "moveTo": "tracked move", W + "customXml": "custom XML element",
    M + "oMath": "formula", M + "oMathPara": "formula", W + "ruby": "ruby text",
}
_STOP = (W + "p", W + "body", W + "tc", W + "txbxContent")


def _outside(el: etree._Element) -> tuple[etree._Element, set[str]]:
    """The outermost container of ``el`` (below its paragraph) marks may sit beside,
    and the kinds of container climbed out of."""
    best, kinds = el, set()
    for node in el.iterancestors():
        if node.tag in _STOP:
            break
        kind = _CONTAINERS.get(node.tag)
        if kind:
            best = node
            kinds.add(kind)
    if best.tag == W + "ruby":  # the marks go beside the ruby's run, not inside it
        parent = best.getparent()
        if parent is not None and parent.tag == W + "r":
            best = parent
    return best, kinds


def _outside_math(el: etree._Element) -> etree._Element:
    """Kept for callers outside this module: the element comment marks may sit beside."""
    return _outside(el)[0]


def _fallback_run(p: etree._Element, paras: list[etree._Element], framed: Callable[[etree._Element], bool]
                  ) -> etree._Element | None:
    """For a paragraph inside a text box or text frame: a text run of the next body
    paragraph outside any.  Marks around (or even beside) the run holding the drawing
    made LibreOffice hang on a floating text box, so the comment goes on the text
    after it."""
    runs = list(p.iterancestors(W + "r"))
    holder = runs[-1].getparent() if runs else p if framed(p) else None
    start = next((i for i, q in enumerate(paras) if q is holder), None)
    if start is None:
        return None
    for q in paras[start + 1 :] + paras[start::-1]:  # the text after it, else before it
        if _in_textbox(q) or framed(q) or _has_control(q) or _in_toc(q):  # where LibreOffice loses comments
            continue
        pieces = [(r, t) for r, t in iter_text_pieces(q) if not any(a.tag == W + "txbxContent" for a in r.iterancestors())]
        if pieces:  # the first visible word, not a leading tab
            return next((r for r, t in pieces if t.strip()), pieces[0][0])
    return None


def _in_toc(p: etree._Element) -> bool:
    """A table-of-contents entry (a hyperlink to a "_Toc" bookmark): LibreOffice 7.4
    drops comments anchored in one (tika testWORD_2006ml)."""
    return any((h.get(W + "anchor") or "").startswith("_Toc") for h in p.iter(W + "hyperlink"))


def _in_textbox(p: etree._Element) -> bool:
    return any(a.tag == W + "txbxContent" for a in p.iterancestors())


def _frame_test(pkg: _Zip, main: str, rels: etree._Element, src: Path) -> Callable[[etree._Element], bool]:
    """Whether a body paragraph is part of a text frame (w:framePr, its own or its
    style's).  LibreOffice 7.4 builds a frame from such paragraphs, but one holding
    a comment mark stays in the text flow (the frame left empty, its text moved into
    the page: poi stress010, checkboxes) and a comment whose reference mark is moved
    out of it is dropped, so findings there sit on the text after the frame."""
    root = None
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if (rel.get("Type") or "").endswith("/styles") and rel.get("TargetMode") != "External":
            data = pkg.get(_resolve(main, rel.get("Target") or ""))
            # most documents have no frame style: skip parsing the styles part then
            root = _parse(data, "styles", src) if data and b"framePr" in data else None
    styles = Styles.parse(root)
    framed_styles = styles.frame_styles()

    def framed(p: etree._Element) -> bool:
        ppr = p.find(W + "pPr")
        if ppr is not None and ppr.find(W + "framePr") is not None:
            return True
        style = ppr.find(W + "pStyle") if ppr is not None else None
        style_id = style.get(W + "val") if style is not None else styles.default_paragraph
        return style_id in framed_styles

    return framed


@dataclass
class _Fields:
    """Complex fields (fldChar begin … end) that cross paragraph boundaries, found in one
    walk over the body before any splitting: a table of contents or table of figures
    is one field whose result spans many paragraphs.  LibreOffice 7.4 drops comments
    anchored inside its entries (tika testWORD_2006ml: 2 of 2 lost, also with the
    marks outside the entry's hyperlink); it keeps them with the marks outside the
    whole field, so such a range is widened to the field like a one-paragraph one."""

    open_at: dict[etree._Element, list[etree._Element]]  # paragraph -> begin runs open at its start
    end_of: dict[etree._Element, etree._Element]  # begin run -> end run (in a later paragraph)
    text_between: Callable[[etree._Element, etree._Element], str] | None = None


def _fields(body: etree._Element) -> _Fields:
    """Fields open across paragraph starts (runs in text boxes are their own story, skipped)."""
    stack: list[etree._Element] = []
    open_at: dict[etree._Element, list[etree._Element]] = {}
    end_of: dict[etree._Element, etree._Element] = {}
    begun_in: dict[etree._Element, etree._Element] = {}
    for el in body.iter(W + "p", W + "r", W + "txbxContent"):
        if el.tag == W + "txbxContent" or any(a.tag == W + "txbxContent" for a in el.iterancestors()):
            continue
        if el.tag == W + "p":
            if stack:
                open_at[el] = list(stack)
            continue
        kind = next((c.get(W + "fldCharType") for c in el if c.tag == W + "fldChar"), None)
        if kind == "begin":
            stack.append(el)
            begun_in[el] = next(el.iterancestors(W + "p"), body)
        elif kind == "end" and stack:
            begin = stack.pop()
            if begun_in[begin] is not next(el.iterancestors(W + "p"), body):
                end_of[begin] = el
    return _Fields(open_at, end_of)


class _Paragraph:
    """A body paragraph with its pieces split at every note edge it needs."""

    def __init__(self, p: etree._Element, block: Block, fields: _Fields | None = None):
        self.p = p
        self.block = block
        self.fields = fields
        self.pieces = list(iter_text_pieces(p))
        self.units: list[tuple[etree._Element, int, int]] = []  # (run, block start, block end)
        joined = "".join(t for _, t in self.pieces)
        self.mapped = joined == block.text and all(run_text(r) == t for r, t in self.pieces)
        self.order: dict[etree._Element, int] = {}
        self.field_of: dict[etree._Element, etree._Element] = {}  # run -> outermost open fldChar begin run
        self.field_end: dict[etree._Element, etree._Element] = {}  # begin run -> its end run

    def split(self, edges: set[int]) -> None:
        starts = {seg.locator: seg.start - seg.offset for seg in reversed(self.block.source.segments)}
        for index, (run, text) in enumerate(self.pieces):
            base = starts.get(index)
            if base is None:
                continue
            local = [e - base for e in edges if base < e < base + len(text)]
            if not local:
                self.units.append((run, base, base + len(text)))
                continue
            for part, a, b in split_at(run, local):
                self.units.append((part, base + a, base + b))
        self._index()

    def _index(self) -> None:
        """Document order of every element and the complex fields (fldChar begin/end)
        each run sits in — one walk, after splitting, before any mark is placed."""
        stack: list[etree._Element] = []
        if self.fields is not None:  # fields begun in an earlier paragraph, ending later
            stack = list(self.fields.open_at.get(self.p, []))
            self.field_end.update({b: e for b, e in self.fields.end_of.items() if b in stack})
        for i, el in enumerate(self.p.iter()):
            self.order[el] = i
            if el.tag != W + "r":
                continue
            kind = None
            for child in el:
                if child.tag == W + "fldChar":
                    kind = child.get(W + "fldCharType")
            if kind == "begin":
                stack.append(el)
                if self.fields is not None and el in self.fields.end_of:
                    self.field_end[el] = self.fields.end_of[el]
            elif kind == "end":
                if stack:
                    self.field_end[stack.pop()] = el
            elif stack:
                self.field_of[el] = stack[0]

    def _last_index(self, el: etree._Element) -> int:
        return self.order[el] + sum(1 for _ in el.iterdescendants())

    def target(self, start: int, end: int) -> _Target | None:
        covered = [(r, a, b) for r, a, b in self.units if a < end and start < b and b > a]
        if not covered:
            return None
        first, last = covered[0][0], covered[-1][0]
        kinds: set[str] = set()
        for _ in range(4):  # a field inside a content control inside a field …
            first, k1 = _outside(first)
            last, k2 = _outside(last)
            kinds |= k1 | k2
            begin = self.field_of.get(first)
            end_begin = self.field_of.get(last)
            moved = False
            if begin is not None and begin in self.field_end:
                first, moved = begin, True
                kinds.add("field")
            if end_begin is not None and end_begin in self.field_end:
                last, moved = self.field_end[end_begin], True
                kinds.add("field")
            if not moved and not (k1 or k2):
                break
        if not kinds:
            return _Target(first, last, self.block.text[covered[0][1] : covered[-1][2]])
        span = self.block.text[covered[0][1] : covered[-1][2]]
        if (first not in self.order or last not in self.order) and self.fields and self.fields.text_between:
            text = self.fields.text_between(first, last)
            return _Target(first, last, text, widened=sorted(kinds) if text != span else None)
        lo, hi = self.order[first], self._last_index(last)
        inside = [(a, b) for r, a, b in self.units if lo <= self.order[r] <= hi and b > a]
        text = self.block.text[inside[0][0] : inside[-1][1]] if inside else ""
        return _Target(first, last, text, widened=sorted(kinds) if text != span else None)


# ---------------------------------------------------------------------------
# Comments part


def _comment_xml(cid: int, text: str, date: str) -> str:
    """One ``w:comment`` as markup: the comments are built as one string and parsed
    once, which is several times faster than 1,000 × a dozen lxml element calls."""
    paras = []
    for k, line in enumerate(text.split("\n")):
        ref = "<w:r><w:annotationRef/></w:r>" if k == 0 else ""
        body = xml_escape(_xml_safe(line))
        paras.append(f'<w:p>{ref}<w:r><w:t xml:space="preserve">{body}</w:t></w:r></w:p>')
    return (f'<w:comment w:id="{cid}" w:author="{AUTHOR}" w:date="{date}" '
            f'w:initials="{INITIALS}">{"".join(paras)}</w:comment>')


def _comment(cid: int, text: str, date: str) -> etree._Element:
    return _comments_from([_comment_xml(cid, text, date)])[0]


def _comments_from(xml: list[str]) -> list[etree._Element]:
    wrapper = etree.fromstring(f'<w:comments xmlns:w="{W_NS}">{"".join(xml)}</w:comments>', _PARSER)
    return list(wrapper)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (controls, U+FFFE/U+FFFF)."""
    return _NOT_XML.sub("", text)


def _mark(tag: str, cid: int) -> etree._Element:
    el = etree.Element(W + tag)
    el.set(W + "id", str(cid))
    return el


def _reference_run(cid: int) -> etree._Element:
    r = etree.Element(W + "r")
    ref = etree.SubElement(r, W + "commentReference")
    ref.set(W + "id", str(cid))
    return r


def _block_control(p: etree._Element) -> etree._Element | None:
    """The innermost block- or cell-level content control (w:sdt) holding paragraph
    ``p``, if any (run-level controls inside the paragraph are :func:`_outside`'s).

    LibreOffice 7.4 loses the first comment whose reference sits inside such a
    control (its text is emptied, its range collapsed, a second one on the same
    spot dropped): measured on poi Bug54849/Bug55142/Bug54771a and tika
    testWORD_missing_text.  It keeps one that starts at the head of the control,
    ends just after it and has its reference in a paragraph outside every control,
    so that is where such a comment goes (see :func:`_place_around_control`).
    """
    for a in p.iterancestors():
        if a.tag in (W + "body", W + "txbxContent"):
            return None
        if a.tag == W + "sdt":
            return a
    return None


def _has_control(p: etree._Element) -> bool:
    return any(a.tag == W + "sdt" for a in p.iterancestors())


def _has_bound_control(p: etree._Element) -> bool:
    """Whether ``p`` sits in a data-bound content control (w:dataBinding): one whose
    text Word and LibreOffice refill from a custom-XML or document-property value."""
    return any(a.tag == W + "sdt" and a.find(f"{W}sdtPr/{W}dataBinding") is not None for a in p.iterancestors())


def _place_around_control(sdt: etree._Element, paras: list[etree._Element], where: dict[etree._Element, int],
                          cid: int, framed: Callable[[etree._Element], bool]) -> None:
    """Start at the head of the control's first paragraph (pandoc ignores a start
    outside paragraphs); end right after the control — beside it when it is a
    block (body, cell or control content), else (a control wrapping a table cell)
    at the head of the next paragraph; the reference run at the head of the next
    paragraph in no control, text box or text frame, else at the end of the previous
    one (failing both, the same in no data-bound control)."""
    inner = list(sdt.iter(W + "p"))
    first = inner[0]
    first.insert(_after_props(first), _mark("commentRangeStart", cid))
    last = where[inner[-1]]
    end = _mark("commentRangeEnd", cid)
    if sdt.getparent() is not None and sdt.getparent().tag != W + "tr":
        sdt.addnext(end)
    else:
        nxt = paras[last + 1] if last + 1 < len(paras) else None
        if nxt is not None:
            nxt.insert(_after_props(nxt), end)
        else:
            next(sdt.iterancestors(W + "tbl")).addnext(end)
    ref = _reference_run(cid)
    # Best outside every control; else (a document that is one cover-page control,
    # poi Bug54771a) outside every data-bound one: a reference inside a data-bound
    # control loses its comment's text in LibreOffice 7.4.
    for free in (_has_control, _has_bound_control):
        plain = [q for q in paras[last + 1 :] if not free(q) and not _in_textbox(q) and not framed(q)]
        before = [q for q in paras[: where[first]] if not free(q) and not _in_textbox(q) and not framed(q)]
        if plain or before:
            break
    if plain and end.getparent() is plain[0]:
        end.addnext(ref)
    elif plain:
        plain[0].insert(_after_props(plain[0]), ref)
    elif before:
        before[-1].append(ref)
    elif end.getparent().tag == W + "p":  # nowhere outside a control: beside the end mark
        end.addnext(ref)
    else:
        first.append(ref)


_RANGE_MARKS = {W + t for t in ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
                                "permStart", "permEnd", "proofErr", "moveFromRangeStart", "moveFromRangeEnd",
                                "moveToRangeStart", "moveToRangeEnd")}


def _after_props(p: etree._Element) -> int:
    ppr = p.find(W + "pPr")
    return p.index(ppr) + 1 if ppr is not None else 0


def _place(target: _Target, cid: int) -> None:
    first, last = _outside(target.first)[0], _outside(target.last)[0]
    if target.point:
        # Enclosing a drawing run in a comment range hangs LibreOffice (seen with a
        # floating text box in a cover-page content control): mark the spot instead.
        first.addprevious(_mark("commentRangeStart", cid))
        first.addprevious(_mark("commentRangeEnd", cid))
        first.addprevious(_reference_run(cid))
        return
    holder = first.getparent()
    before = holder.getprevious() if first.tag == M + "oMathPara" and holder is not None else None
    if before is not None and before.tag == W + "p":
        # pandoc reads a paragraph holding display math (m:oMathPara) as that formula
        # alone, dropping every comment mark in it (d2p equations: 4 of 8 lost), so
        # the range starts at the end of the paragraph before; Word and LibreOffice
        # then cover that paragraph's mark and the formula.
        before.append(_mark("commentRangeStart", cid))
    else:
        first.addprevious(_mark("commentRangeStart", cid))
    end = _mark("commentRangeEnd", cid)
    last.addnext(end)
    end.addnext(_reference_run(cid))


def _point_after(p: etree._Element, cid: int) -> None:
    """An empty range and its reference at the end of paragraph ``p``."""
    p.append(_mark("commentRangeStart", cid))
    p.append(_mark("commentRangeEnd", cid))
    p.append(_reference_run(cid))


def remove_refcheck_comments(doc: etree._Element, comments: etree._Element | None) -> tuple[set[str], set[str]]:
    """Remove comments authored "refcheck" and their marks; return (ids, paraIds) removed."""
    if comments is None:
        return set(), set()
    ids: set[str] = set()
    para_ids: set[str] = set()
    for c in list(comments.iter(W + "comment")):
        if c.get(W + "author") == AUTHOR:
            ids.add(c.get(W + "id") or "")
            para_ids.update(p.get(W14 + "paraId") for p in c.iter(W + "p") if p.get(W14 + "paraId"))
            c.getparent().remove(c)
    if not ids:
        return ids, para_ids
    for tag in ("commentRangeStart", "commentRangeEnd"):
        for el in list(doc.iter(W + tag)):
            if el.get(W + "id") in ids:
                el.getparent().remove(el)
    for ref in list(doc.iter(W + "commentReference")):
        if ref.get(W + "id") in ids:
            run = ref.getparent()
            run.remove(ref)
            if all(_is_props(c) for c in run):
                run.getparent().remove(run)
    return ids, para_ids


def _prune_extensions(root: etree._Element, para_ids: set[str]) -> bool:
    """Drop commentsExtended/commentsIds entries of removed comments; True if changed."""
    changed = False
    for el in list(root):
        pid = el.get(W15 + "paraId") or el.get(W16CID + "paraId")
        if pid and pid in para_ids:
            root.remove(el)
            changed = True
    return changed


# ---------------------------------------------------------------------------
# The package


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _serialise(root: etree._Element, original: bytes) -> bytes:
    standalone = True if b'standalone="yes"' in original[:200] else None
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=standalone)


def _rels_name(part: str) -> str:
    directory, base = posixpath.split(part)
    return posixpath.join(directory, "_rels", base + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class _Zip:
    """The input package's entries, kept in order, with replacement bytes for edited parts."""

    def __init__(self, path: Path):
        self.path = path
        try:
            with zipfile.ZipFile(path) as zf:
                self.infos = list(zf.infolist())
                self.data = {i.filename: b"" if i.is_dir() else zf.read(i) for i in self.infos}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise InputError(str(path), f"cannot annotate: corrupt ZIP package ({exc})") from None
        self.by_norm = {_norm(i.filename): i.filename for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}

    def get(self, name: str) -> bytes | None:
        real = self.by_norm.get(_norm(name))
        return self.data[real] if real else self.added.get(name)

    def put(self, name: str, data: bytes) -> None:
        real = self.by_norm.get(_norm(name))
        if real:
            self.changed[real] = data
        else:
            self.added[name] = data

    def write(self, out: Path) -> None:
        with zipfile.ZipFile(out, "w") as zf:
            for info in self.infos:
                data = self.changed.get(info.filename, self.data[info.filename])
                new = copy.copy(info)
                zf.writestr(new, data, compress_type=info.compress_type)
            for name, data in self.added.items():
                zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


def _parse(data: bytes, name: str, path: Path) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(str(path), f"cannot annotate: part {name} is not well-formed XML ({exc})") from None


def _main_part(pkg: _Zip) -> str:
    rels = pkg.get("_rels/.rels")
    if rels:
        for rel in _parse(rels, "_rels/.rels", pkg.path).iter(f"{{{PKG_REL_NS}}}Relationship"):
            if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                name = _resolve("", rel.get("Target") or "")
                if pkg.get(name) is not None:
                    return name
    return "word/document.xml"


def _comments_part(pkg: _Zip, main: str) -> tuple[str, etree._Element, bool]:
    """Name, parsed relationships root, and whether the comments part already exists."""
    rels_name = _rels_name(main)
    data = pkg.get(rels_name)
    rels = _parse(data, rels_name, pkg.path) if data else etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("Type") == REL_COMMENTS and rel.get("TargetMode") != "External":
            name = _resolve(main, rel.get("Target") or "")
            if pkg.get(name) is not None:
                return name, rels, True
    directory = posixpath.dirname(main)
    name = posixpath.join(directory, "comments.xml")
    k = 1
    while pkg.get(name) is not None:
        name = posixpath.join(directory, f"comments{k}.xml")
        k += 1
    ids = {rel.get("Id") for rel in rels}
    n = 1
    while f"rId{n}" in ids:
        n += 1
    rel = etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship")
    rel.set("Id", f"rId{n}")
    rel.set("Type", REL_COMMENTS)
    rel.set("Target", posixpath.relpath(name, directory or "."))
    pkg.put(rels_name, etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True))
    types_data = pkg.get("[Content_Types].xml")
    if types_data is None:
        raise InputError(str(pkg.path), "cannot annotate: the package has no [Content_Types].xml")
    types = _parse(types_data, "[Content_Types].xml", pkg.path)
    override = etree.SubElement(types, f"{{{CT_NS}}}Override")
    override.set("PartName", "/" + name)
    override.set("ContentType", CT_COMMENTS)
    pkg.put("[Content_Types].xml", _serialise(types, types_data))
    return name, rels, False


def _note_anchor(doc_body: etree._Element, paras: list[etree._Element], block: Block,
                 notes_roots: dict[str, etree._Element | None]) -> tuple[etree._Element | None, str]:
    """A stand-in body element (and a location prefix) for notes the body cannot hold."""
    container, n = block.anchor
    if container in ("footnotes", "endnotes"):
        root = notes_roots.get(container)
        note_id = None
        if root is not None:
            note_paras = list(root.iter(W + "p"))
            if 0 <= n < len(note_paras):
                owner = next((a for a in note_paras[n].iterancestors() if a.tag in (W + "footnote", W + "endnote")), None)
                note_id = owner.get(W + "id") if owner is not None else None
        kind = "footnote" if container == "footnotes" else "endnote"
        tag = W + ("footnoteReference" if kind == "footnote" else "endnoteReference")
        for ref in doc_body.iter(tag):
            if ref.get(W + "id") == note_id:
                return ref.getparent(), f"In {kind} {note_id}: "
        return (paras[0] if paras else None), f"In a {kind}: "
    return None, ""


def annotate_docx(src: Path, out: Path, blocks: Sequence[Block], notes: Sequence[Note]) -> list[str]:
    """Write ``src`` with ``notes`` as comments to ``out`` (a temporary path).

    Earlier refcheck comments are removed first.  Returns the anchored text of
    each note in order ("" for notes anchored on a stand-in such as a footnote
    reference mark).
    """
    pkg = _Zip(src)
    main = _main_part(pkg)
    main_data = pkg.get(main)
    if main_data is None:
        raise InputError(str(src), f"cannot annotate: main part {main} is missing")
    if _STRICT_MARK in main_data[:4000]:
        raise InputError(str(src), "cannot annotate Strict Open XML documents; save as a standard .docx first")
    doc = _parse(main_data, main, src)
    body = doc.find(W + "body")
    if body is None:
        raise InputError(str(src), "cannot annotate: the document has no body")
    comments_name, rels, existed = _comments_part(pkg, main)
    comments = _parse(pkg.get(comments_name) or b"", comments_name, src) if existed else \
        etree.Element(W + "comments", nsmap={"w": W_NS})
    _removed, para_ids = remove_refcheck_comments(doc, comments)
    if para_ids:
        for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if any((rel.get("Type") or "").endswith(s) for s in ("/commentsExtended", "/commentsIds", "/commentsExtensible")):
                name = _resolve(main, rel.get("Target") or "")
                data = pkg.get(name)
                if data:
                    root = _parse(data, name, src)
                    if _prune_extensions(root, para_ids):
                        pkg.put(name, _serialise(root, data))
    notes_roots: dict[str, etree._Element | None] = {}
    for container in ("footnotes", "endnotes"):
        notes_roots[container] = None
        for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if (rel.get("Type") or "").endswith("/" + container):
                data = pkg.get(_resolve(main, rel.get("Target") or ""))
                if data:
                    notes_roots[container] = _parse(data, container, src)
    framed = _frame_test(pkg, main, rels, src)
    paras = list(body.iter(W + "p"))
    used = [int(c.get(W + "id")) for c in comments.iter(W + "comment") if (c.get(W + "id") or "").lstrip("-").isdigit()]
    used += [int(e.get(W + "id")) for e in doc.iter(W + "commentRangeStart", W + "commentReference")
             if (e.get(W + "id") or "").lstrip("-").isdigit()]
    # Above every footnote and endnote id too: LibreOffice 7.4 imports a note whose
    # id equals a comment's with an empty body (mammoth endnotes: both endnote
    # texts gone once comments 2 and 3 existed), though the ids are separate in OOXML.
    used += [int(e.get(W + "id")) for root in (doc, *notes_roots.values()) if root is not None
             for e in root.iter(W + "footnote", W + "endnote", W + "footnoteReference", W + "endnoteReference")
             if (e.get(W + "id") or "").lstrip("-").isdigit()]
    next_id = max(used, default=-1) + 1
    date = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    # Split every body paragraph once at all the edges its notes need.
    by_para: dict[int, _Paragraph] = {}
    edges: dict[int, set[int]] = {}
    owner: dict[int, Block] = {}
    for note in notes:
        block = blocks[note.block]
        if block.anchor[0] == "body" and 0 <= block.anchor[1] < len(paras):
            edges.setdefault(block.anchor[1], set()).update(_span(note, block))
            owner.setdefault(block.anchor[1], block)
    fields = _fields(body)
    for n, cuts in edges.items():
        para = _Paragraph(paras[n], owner[n], fields)
        if para.mapped and not _in_textbox(para.p) and not framed(para.p):
            para.split(cuts)
        by_para[n] = para

    body_blocks = {paras[b.anchor[1]]: b for b in blocks if b.anchor[0] == "body" and 0 <= b.anchor[1] < len(paras)}
    fields.text_between = lambda first, last: _text_between(body, first, last)
    where = {q: i for i, q in enumerate(paras)}
    anchored: list[str] = []
    new_comments: list[str] = []
    for note in notes:
        block = blocks[note.block]
        prefix = ""
        target: _Target | None = None
        if block.anchor[0] == "body" and block.anchor[1] in by_para:
            para = by_para[block.anchor[1]]
            control = _block_control(para.p) if para.units else None
            if control is not None:
                inner = [body_blocks[q].text for q in control.iter(W + "p") if q in body_blocks]
                _place_around_control(control, paras, where, next_id, framed)
                text = "\n".join(inner)
                span = block.text[slice(*_span(note, block))]
                new_comments.append(_comment_xml(next_id, note.text + widened_note(["content control"] if text != span else None), date))
                anchored.append(text)
                next_id += 1
                continue
            if para.units:
                start, end = _span(note, block)
                target = para.target(start, end)
            elif _in_textbox(para.p) or framed(para.p):
                run = _fallback_run(para.p, paras, framed)
                prefix = "In a text box: " if _in_textbox(para.p) else "In a text frame: "
                target = _Target(run, run, run_text(run)) if run is not None else None
                holder = list(para.p.iterancestors(W + "p"))
                if target is None and holder:
                    # no other text: a point after the drawing, in the paragraph holding
                    # it — pandoc reads no comment inside a text box (docx4j textbox,
                    # mammoth text-box: 0 of 1), LibreOffice and pandoc keep this one.
                    _point_after(holder[-1], next_id)
                    new_comments.append(_comment_xml(next_id, prefix + note.text, date))
                    anchored.append("")
                    next_id += 1
                    continue
        else:
            stand_in, prefix = _note_anchor(body, paras, block, notes_roots)
            if stand_in is not None:
                target = _Target(stand_in, stand_in, "")
        if target is None:  # unmapped paragraph: the whole paragraph carries the comment
            p = paras[block.anchor[1]] if block.anchor[0] == "body" and block.anchor[1] < len(paras) else paras[0]
            runs = [r for r, _ in iter_text_pieces(p)] or [p]
            target = _Target(runs[0], runs[-1], block.text) if runs[0] is not p else None
            if target is None:
                p.insert(0, _mark("commentRangeStart", next_id))
                p.append(_mark("commentRangeEnd", next_id))
                p.append(_reference_run(next_id))
                new_comments.append(_comment_xml(next_id, prefix + note.text, date))
                anchored.append("")
                next_id += 1
                continue
        _place(target, next_id)
        new_comments.append(_comment_xml(next_id, prefix + note.text + widened_note(target.widened), date))
        anchored.append(target.text)
        next_id += 1
    comments.extend(_comments_from(new_comments))
    pkg.put(main, _serialise(doc, main_data))
    pkg.put(comments_name, etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True))
    pkg.write(out)
    return anchored


def _text_between(body: etree._Element, first: etree._Element, last: etree._Element) -> str:
    """The visible text from run ``first`` through run ``last`` across paragraphs (a
    range widened to a field spanning several), paragraphs joined by newlines."""
    order = {el: i for i, el in enumerate(body.iter())}
    lo, hi = order[first], order[last] + sum(1 for _ in last.iterdescendants())
    lines = []
    for q in body.iter(W + "p"):
        if order[q] + sum(1 for _ in q.iterdescendants()) < lo or order[q] > hi or _in_textbox(q):
            continue
        lines.append("".join(t for r, t in iter_text_pieces(q) if lo <= order[r] <= hi))
    return "\n".join(lines)


def widened_note(kinds: Sequence[str] | None) -> str:
    """The line a comment gets when its range had to grow to a whole container."""
    if not kinds:
        return ""
    return (f"\n(Anchored on the whole {' and '.join(kinds)}: Word comments placed inside "
            "one are lost or misplaced by LibreOffice and pandoc.)")


def _span(note: Note, block: Block) -> tuple[int, int]:
    """The note's span clipped to the block; an empty span widens to one character (or the block)."""
    start = max(0, min(note.start, len(block.text)))
    end = max(start, min(note.end, len(block.text)))
    if end == start:
        start, end = (start, start + 1) if start < len(block.text) else (0, len(block.text))
    return start, end
