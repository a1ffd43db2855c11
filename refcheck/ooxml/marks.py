"""Where Word comment marks go: around a span's runs, out of fields, content
controls, smart tags, math and text boxes, and beside text frames.

Why a module of its own: every rule here was measured on real clients —
LibreOffice 7.4 drops or empties comments whose marks sit inside a field, a
content control, a table-of-contents entry, a text box or a text frame, and pandoc
reads marks only at paragraph-content level — and a writer that anchors anything
on a Word range must follow the same rules.  :func:`outermost_container` says
where a mark may sit; :func:`place`, :func:`point_after` and
:func:`place_around_control` put ``w:commentRangeStart``/``End`` and the
reference run there; :func:`fallback_run` and :func:`frame_test` find the text
that stands in for a text box or frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from refcheck.ooxml.namespaces import PKG_REL_NS, M, W
from refcheck.ooxml.package import PackageCopy, parse_part, resolve_target
from refcheck.ooxml.styles import Styles
from refcheck.ooxml.text import iter_text_pieces


@dataclass
class Target:
    """Where a comment's range starts and ends after run splitting.

    Public because it is what :meth:`refcheck.ooxml.runs.ParagraphRuns.target`
    computes and :func:`place` consumes; a writer may also build one directly for a
    stand-in (a footnote reference, the run after a text box)."""

    first: etree._Element
    last: etree._Element
    text: str  # the anchored text, for checks
    point: bool = False  # an empty range just before ``first`` (e.g. a text box's anchor run)
    widened: list[str] | None = None  # containers the range was widened to (named in the comment)


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


def outermost_container(el: etree._Element) -> tuple[etree._Element, set[str]]:
    """The outermost container of ``el`` (below its paragraph) marks may sit beside,
    and the kinds of container climbed out of (named in the comment, since its
    range grew to the whole container)."""
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


def fallback_run(
    p: etree._Element, paras: list[etree._Element], framed: Callable[[etree._Element], bool]
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
        if in_textbox(q) or framed(q) or has_control(q) or in_toc(q):  # where LibreOffice loses comments
            continue
        pieces = [(r, t) for r, t in iter_text_pieces(q) if not any(a.tag == W + "txbxContent" for a in r.iterancestors())]
        if pieces:  # the first visible word, not a leading tab
            return next((r for r, t in pieces if t.strip()), pieces[0][0])
    return None


def in_toc(p: etree._Element) -> bool:
    """A table-of-contents entry (a hyperlink to a "_Toc" bookmark): LibreOffice 7.4
    drops comments anchored in one (tika testWORD_2006ml)."""
    return any((h.get(W + "anchor") or "").startswith("_Toc") for h in p.iter(W + "hyperlink"))


def in_textbox(p: etree._Element) -> bool:
    """Whether paragraph ``p`` is inside a text box (a story of its own, drawn
    floating: comments there are lost, so they go on the text after it)."""
    return any(a.tag == W + "txbxContent" for a in p.iterancestors())


def frame_test(pkg: PackageCopy, main: str, rels: etree._Element) -> Callable[[etree._Element], bool]:
    """Whether a body paragraph is part of a text frame (w:framePr, its own or its
    style's).  LibreOffice 7.4 builds a frame from such paragraphs, but one holding
    a comment mark stays in the text flow (the frame left empty, its text moved into
    the page: poi stress010, checkboxes) and a comment whose reference mark is moved
    out of it is dropped, so findings there sit on the text after the frame."""
    root = None
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if (rel.get("Type") or "").endswith("/styles") and rel.get("TargetMode") != "External":
            data = pkg.get(resolve_target(main, rel.get("Target") or ""))
            # most documents have no frame style: skip parsing the styles part then
            root = parse_part(data, "styles", pkg.path) if data and b"framePr" in data else None
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


def comment_mark(tag: str, cid: int) -> etree._Element:
    """A ``w:commentRangeStart``/``w:commentRangeEnd`` (``tag``) for comment ``cid``."""
    el = etree.Element(W + tag)
    el.set(W + "id", str(cid))
    return el


def reference_run(cid: int) -> etree._Element:
    """The run holding ``w:commentReference``: where Word shows the comment's mark."""
    r = etree.Element(W + "r")
    ref = etree.SubElement(r, W + "commentReference")
    ref.set(W + "id", str(cid))
    return r


def block_control(p: etree._Element) -> etree._Element | None:
    """The innermost block- or cell-level content control (w:sdt) holding paragraph
    ``p``, if any (run-level controls inside the paragraph are :func:`outermost_container`'s).

    LibreOffice 7.4 loses the first comment whose reference sits inside such a
    control (its text is emptied, its range collapsed, a second one on the same
    spot dropped): measured on poi Bug54849/Bug55142/Bug54771a and tika
    testWORD_missing_text.  It keeps one that starts at the head of the control,
    ends just after it and has its reference in a paragraph outside every control,
    so that is where such a comment goes (see :func:`place_around_control`).
    """
    for a in p.iterancestors():
        if a.tag in (W + "body", W + "txbxContent"):
            return None
        if a.tag == W + "sdt":
            return a
    return None


def has_control(p: etree._Element) -> bool:
    """Whether paragraph ``p`` is inside any content control (``w:sdt``)."""
    return any(a.tag == W + "sdt" for a in p.iterancestors())


def _has_bound_control(p: etree._Element) -> bool:
    """Whether ``p`` sits in a data-bound content control (w:dataBinding): one whose
    text Word and LibreOffice refill from a custom-XML or document-property value."""
    return any(a.tag == W + "sdt" and a.find(f"{W}sdtPr/{W}dataBinding") is not None for a in p.iterancestors())


def place_around_control(sdt: etree._Element, paras: list[etree._Element], where: dict[etree._Element, int],
                          cid: int, framed: Callable[[etree._Element], bool]) -> None:
    """Start at the head of the control's first paragraph (pandoc ignores a start
    outside paragraphs); end right after the control — beside it when it is a
    block (body, cell or control content), else (a control wrapping a table cell)
    at the head of the next paragraph; the reference run at the head of the next
    paragraph in no control, text box or text frame, else at the end of the previous
    one (failing both, the same in no data-bound control)."""
    inner = list(sdt.iter(W + "p"))
    first = inner[0]
    first.insert(_after_props(first), comment_mark("commentRangeStart", cid))
    last = where[inner[-1]]
    end = comment_mark("commentRangeEnd", cid)
    if sdt.getparent() is not None and sdt.getparent().tag != W + "tr":
        sdt.addnext(end)
    else:
        nxt = paras[last + 1] if last + 1 < len(paras) else None
        if nxt is not None:
            nxt.insert(_after_props(nxt), end)
        else:
            next(sdt.iterancestors(W + "tbl")).addnext(end)
    ref = reference_run(cid)
    # Best outside every control; else (a document that is one cover-page control,
    # poi Bug54771a) outside every data-bound one: a reference inside a data-bound
    # control loses its comment's text in LibreOffice 7.4.
    for free in (has_control, _has_bound_control):
        plain = [q for q in paras[last + 1 :] if not free(q) and not in_textbox(q) and not framed(q)]
        before = [q for q in paras[: where[first]] if not free(q) and not in_textbox(q) and not framed(q)]
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


def _after_props(p: etree._Element) -> int:
    ppr = p.find(W + "pPr")
    return p.index(ppr) + 1 if ppr is not None else 0


def place(target: Target, cid: int) -> None:
    """Put comment ``cid``'s range marks and reference around ``target``, outside
    every container a mark may not sit in (:func:`outermost_container`)."""
    first, last = outermost_container(target.first)[0], outermost_container(target.last)[0]
    if target.point:
        # Enclosing a drawing run in a comment range hangs LibreOffice (seen with a
        # floating text box in a cover-page content control): mark the spot instead.
        first.addprevious(comment_mark("commentRangeStart", cid))
        first.addprevious(comment_mark("commentRangeEnd", cid))
        first.addprevious(reference_run(cid))
        return
    holder = first.getparent()
    before = holder.getprevious() if first.tag == M + "oMathPara" and holder is not None else None
    if before is not None and before.tag == W + "p":
        # pandoc reads a paragraph holding display math (m:oMathPara) as that formula
        # alone, dropping every comment mark in it (d2p equations: 4 of 8 lost), so
        # the range starts at the end of the paragraph before; Word and LibreOffice
        # then cover that paragraph's mark and the formula.
        before.append(comment_mark("commentRangeStart", cid))
    else:
        first.addprevious(comment_mark("commentRangeStart", cid))
    end = comment_mark("commentRangeEnd", cid)
    last.addnext(end)
    end.addnext(reference_run(cid))


def point_after(p: etree._Element, cid: int) -> None:
    """An empty range and its reference at the end of paragraph ``p``."""
    p.append(comment_mark("commentRangeStart", cid))
    p.append(comment_mark("commentRangeEnd", cid))
    p.append(reference_run(cid))

