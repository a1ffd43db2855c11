"""Word comments anchored on exactly the flagged characters.

This module writes the comments part and decides, note by note, what each comment
is anchored on; the package and the runs are :mod:`refcheck.ooxml`'s.  The promise
is that *nothing else changes*: every ZIP entry except the main document part, the
comments part, the main part's relationships and ``[Content_Types].xml`` is copied
byte for byte (:class:`~refcheck.ooxml.package.PackageCopy`; when refcheck's own
earlier comments are replaced, the comment-extension parts lose just their
entries).  The comments we write are the plain ECMA-376 ``w:comment`` form that
Word, LibreOffice, pandoc and python-docx all read.

Anchoring: a finding's span is in block characters; ``Block.source`` maps those to
``(piece index, offset)`` where pieces are what
:func:`refcheck.ooxml.text.iter_text_pieces` yields for the paragraph
``Block.anchor`` names — the reader's own walk.  Runs are split at the span edges
(:class:`refcheck.ooxml.runs.ParagraphRuns`), so formatting is unchanged and the
comment covers the flagged word alone; the marks go where real clients keep them
(:mod:`refcheck.ooxml.marks`): out of fields and content controls, and on the text
after a text box or frame.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from refcheck.model import Block, InputError
from refcheck.ooxml.marks import (
    Target,
    block_control,
    comment_mark,
    fallback_run,
    frame_test,
    in_textbox,
    place,
    place_around_control,
    point_after,
    reference_run,
)
from refcheck.ooxml.namespaces import PKG_REL_NS, W_NS, W
from refcheck.ooxml.package import (
    EDIT_PARSER,
    STRICT_MARK,
    PackageCopy,
    parse_part,
    rels_name,
    resolve_target,
    serialise,
)
from refcheck.ooxml.runs import ParagraphRuns, cross_paragraph_fields, text_between
from refcheck.ooxml.text import is_run_props, iter_text_pieces, run_text
from refcheck.reporters.common import Note  # noqa: F401 - re-exported for callers

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
W16CID = "{http://schemas.microsoft.com/office/word/2016/wordml/cid}"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
AUTHOR = "refcheck"
INITIALS = "RC"


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


def _comments_from(xml: list[str]) -> list[etree._Element]:
    wrapper = etree.fromstring(f'<w:comments xmlns:w="{W_NS}">{"".join(xml)}</w:comments>', EDIT_PARSER)
    return list(wrapper)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (controls, U+FFFE/U+FFFF)."""
    return _NOT_XML.sub("", text)


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
            if all(is_run_props(c) for c in run):
                run.getparent().remove(run)
    return ids, para_ids


def _comments_part(pkg: PackageCopy, main: str) -> tuple[str, etree._Element, bool]:
    """Name, parsed relationships root, and whether the comments part already exists."""
    rels_part = rels_name(main)
    data = pkg.get(rels_part)
    rels = parse_part(data, rels_part, pkg.path) if data else etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("Type") == REL_COMMENTS and rel.get("TargetMode") != "External":
            name = resolve_target(main, rel.get("Target") or "")
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
    pkg.put(rels_part, etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True))
    types_data = pkg.get("[Content_Types].xml")
    if types_data is None:
        raise InputError(str(pkg.path), "cannot annotate: the package has no [Content_Types].xml")
    types = parse_part(types_data, "[Content_Types].xml", pkg.path)
    override = etree.SubElement(types, f"{{{CT_NS}}}Override")
    override.set("PartName", "/" + name)
    override.set("ContentType", CT_COMMENTS)
    pkg.put("[Content_Types].xml", serialise(types, types_data))
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


@dataclass
class _Layout:
    """The document as note placement needs it: its body paragraphs (with their
    index), the body paragraphs notes fall in with their runs split, the blocks
    read from body paragraphs, the footnote and endnote parts, and the text-frame
    test."""

    body: etree._Element
    blocks: Sequence[Block]
    paras: list[etree._Element]
    where: dict[etree._Element, int]
    by_para: dict[int, ParagraphRuns]
    body_blocks: dict[etree._Element, Block]
    notes_roots: dict[str, etree._Element | None]
    framed: Callable[[etree._Element], bool]


def annotate_docx(src: Path, out: Path, blocks: Sequence[Block], notes: Sequence[Note],
                  pkg: PackageCopy | None = None) -> list[str]:
    """Write ``src`` with ``notes`` as comments to ``out`` (a temporary path).

    ``pkg`` is the copy of the package the reader checked (``annotate`` makes it
    from ``Manuscript.raw``); without it ``src`` is read once, bounded.  Earlier
    refcheck comments are removed first.  Returns the anchored text of each note in
    order ("" for notes anchored on a stand-in such as a footnote reference mark).
    """
    pkg = pkg if pkg is not None else PackageCopy(src)
    main, main_data, doc, body = _main_document(pkg)
    comments_name, rels, existed = _comments_part(pkg, main)
    comments = parse_part(pkg.get(comments_name) or b"", comments_name, src) if existed else \
        etree.Element(W + "comments", nsmap={"w": W_NS})
    _removed, para_ids = remove_refcheck_comments(doc, comments)
    if para_ids:
        _prune_extension_parts(pkg, main, rels, para_ids)
    notes_roots = _notes_roots(pkg, main, rels)
    framed = frame_test(pkg, main, rels)
    paras = list(body.iter(W + "p"))
    next_id = _first_free_id(doc, comments, notes_roots)
    date = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    layout = _layout(body, blocks, notes, paras, notes_roots, framed)
    anchored: list[str] = []
    new_comments: list[str] = []
    for note in notes:
        text, anchored_text = _anchor_note(note, layout, next_id)
        new_comments.append(_comment_xml(next_id, text, date))
        anchored.append(anchored_text)
        next_id += 1
    comments.extend(_comments_from(new_comments))
    pkg.put(main, serialise(doc, main_data))
    pkg.put(comments_name, etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True))
    pkg.write(out)
    return anchored


def _main_document(pkg: PackageCopy) -> tuple[str, bytes, etree._Element, etree._Element]:
    """The main part's name, bytes, parsed root and body; refused when missing or Strict."""
    src = pkg.path
    main = pkg.main_part()
    main_data = pkg.get(main)
    if main_data is None:
        raise InputError(str(src), f"cannot annotate: main part {main} is missing")
    if STRICT_MARK in main_data[:4000]:
        raise InputError(str(src), "cannot annotate Strict Open XML documents; save as a standard .docx first")
    doc = parse_part(main_data, main, src)
    body = doc.find(W + "body")
    if body is None:
        raise InputError(str(src), "cannot annotate: the document has no body")
    return main, main_data, doc, body


def _prune_extension_parts(pkg: PackageCopy, main: str, rels: etree._Element, para_ids: set[str]) -> None:
    """Drop the removed comments' entries (by paraId) from the commentsExtended,
    commentsIds and commentsExtensible parts; a part with none is left as it was."""
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if any((rel.get("Type") or "").endswith(s) for s in ("/commentsExtended", "/commentsIds", "/commentsExtensible")):
            name = resolve_target(main, rel.get("Target") or "")
            data = pkg.get(name)
            if not data:
                continue
            root = parse_part(data, name, pkg.path)
            removed = [el for el in root if (el.get(W15 + "paraId") or el.get(W16CID + "paraId")) in para_ids]
            for el in removed:
                root.remove(el)
            if removed:
                pkg.put(name, serialise(root, data))


def _notes_roots(pkg: PackageCopy, main: str, rels: etree._Element) -> dict[str, etree._Element | None]:
    """The parsed footnotes and endnotes parts (None when absent)."""
    notes_roots: dict[str, etree._Element | None] = {}
    for container in ("footnotes", "endnotes"):
        notes_roots[container] = None
        for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
            if (rel.get("Type") or "").endswith("/" + container):
                data = pkg.get(resolve_target(main, rel.get("Target") or ""))
                if data:
                    notes_roots[container] = parse_part(data, container, pkg.path)
    return notes_roots


def _first_free_id(doc: etree._Element, comments: etree._Element,
                   notes_roots: dict[str, etree._Element | None]) -> int:
    """The first comment id above every id in use."""
    used = [int(c.get(W + "id")) for c in comments.iter(W + "comment") if (c.get(W + "id") or "").lstrip("-").isdigit()]
    used += [int(e.get(W + "id")) for e in doc.iter(W + "commentRangeStart", W + "commentReference")
             if (e.get(W + "id") or "").lstrip("-").isdigit()]
    # Above every footnote and endnote id too: LibreOffice 7.4 imports a note whose
    # id equals a comment's with an empty body (mammoth endnotes: both endnote
    # texts gone once comments 2 and 3 existed), though the ids are separate in OOXML.
    used += [int(e.get(W + "id")) for root in (doc, *notes_roots.values()) if root is not None
             for e in root.iter(W + "footnote", W + "endnote", W + "footnoteReference", W + "endnoteReference")
             if (e.get(W + "id") or "").lstrip("-").isdigit()]
    return max(used, default=-1) + 1


def _layout(body: etree._Element, blocks: Sequence[Block], notes: Sequence[Note], paras: list[etree._Element],
            notes_roots: dict[str, etree._Element | None], framed: Callable[[etree._Element], bool]) -> _Layout:
    """Split every body paragraph once at all the edges its notes need."""
    by_para: dict[int, ParagraphRuns] = {}
    edges: dict[int, set[int]] = {}
    owner: dict[int, Block] = {}
    for note in notes:
        block = blocks[note.block]
        if block.anchor[0] == "body" and 0 <= block.anchor[1] < len(paras):
            edges.setdefault(block.anchor[1], set()).update(_span(note, block))
            owner.setdefault(block.anchor[1], block)
    fields = cross_paragraph_fields(body)
    for n, cuts in edges.items():
        para = ParagraphRuns(paras[n], owner[n], fields)
        if para.mapped and not in_textbox(para.p) and not framed(para.p):
            para.split(cuts)
        by_para[n] = para

    body_blocks = {paras[b.anchor[1]]: b for b in blocks if b.anchor[0] == "body" and 0 <= b.anchor[1] < len(paras)}
    fields.text_between = lambda first, last: text_between(body, first, last)
    where = {q: i for i, q in enumerate(paras)}
    return _Layout(body, blocks, paras, where, by_para, body_blocks, notes_roots, framed)


def _anchor_note(note: Note, lay: _Layout, cid: int) -> tuple[str, str]:
    """Place comment ``cid``'s marks for ``note``; return the comment's text and the
    anchored text ("" for a stand-in)."""
    block = lay.blocks[note.block]
    prefix = ""
    target: Target | None = None
    if block.anchor[0] == "body" and block.anchor[1] in lay.by_para:
        para = lay.by_para[block.anchor[1]]
        control = block_control(para.p) if para.units else None
        if control is not None:
            return _anchor_on_control(note, block, control, lay, cid)
        if para.units:
            start, end = _span(note, block)
            target = para.target(start, end)
        elif in_textbox(para.p) or lay.framed(para.p):
            run = fallback_run(para.p, lay.paras, lay.framed)
            prefix = "In a text box: " if in_textbox(para.p) else "In a text frame: "
            target = Target(run, run, run_text(run)) if run is not None else None
            holder = list(para.p.iterancestors(W + "p"))
            if target is None and holder:
                # no other text: a point after the drawing, in the paragraph holding
                # it — pandoc reads no comment inside a text box (docx4j textbox,
                # mammoth text-box: 0 of 1), LibreOffice and pandoc keep this one.
                point_after(holder[-1], cid)
                return prefix + note.text, ""
    else:
        stand_in, prefix = _note_anchor(lay.body, lay.paras, block, lay.notes_roots)
        if stand_in is not None:
            target = Target(stand_in, stand_in, "")
    if target is None:  # unmapped paragraph: the whole paragraph carries the comment
        target = _whole_paragraph(block, lay, cid)
        if target is None:
            return prefix + note.text, ""
    place(target, cid)
    return prefix + note.text + widened_note(target.widened), target.text


def _anchor_on_control(note: Note, block: Block, control: etree._Element, lay: _Layout, cid: int) -> tuple[str, str]:
    """A note in a block-level content control: the range covers the whole control."""
    inner = [lay.body_blocks[q].text for q in control.iter(W + "p") if q in lay.body_blocks]
    place_around_control(control, lay.paras, lay.where, cid, lay.framed)
    text = "\n".join(inner)
    span = block.text[slice(*_span(note, block))]
    return note.text + widened_note(["content control"] if text != span else None), text


def _whole_paragraph(block: Block, lay: _Layout, cid: int) -> Target | None:
    """The range over all of the block's paragraph (the first body paragraph for a
    block with no body paragraph).  A paragraph with no text run gets the marks
    around its content here, and None is returned."""
    paras = lay.paras
    p = paras[block.anchor[1]] if block.anchor[0] == "body" and block.anchor[1] < len(paras) else paras[0]
    runs = [r for r, _ in iter_text_pieces(p)] or [p]
    if runs[0] is not p:
        return Target(runs[0], runs[-1], block.text)
    p.insert(0, comment_mark("commentRangeStart", cid))
    p.append(comment_mark("commentRangeEnd", cid))
    p.append(reference_run(cid))
    return None


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
