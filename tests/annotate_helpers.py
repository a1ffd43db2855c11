"""Independent readers of annotated outputs, used by the annotate and real-client tests.

They do not reuse the writer's code: anchored text is recomputed from the saved
XML (Word) or the LibreOffice .fodt, so a writer bug cannot hide behind itself.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from refcheck.model import Block, BlockKind, Manuscript
from refcheck.reporters.docx_comments import Note

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"


def norm(text: str) -> str:
    """Whitespace-insensitive; soft hyphens (which the reader drops) removed."""
    return " ".join(text.replace("\xad", "").split())


def synthetic_notes(ms: Manuscript, findings: list, limit: int = 60) -> list[Note]:
    """Notes for every finding plus spans that stress the splitter: a middle word, a
    span crossing run boundaries, a superscript range, the whole block — in body
    paragraphs, table cells, headings and references alike."""
    notes = [Note(f.block, f.start, f.end, f"#{k} {f.code}") for k, f in enumerate(findings)]
    for b in ms.blocks:
        if len(notes) >= limit:
            break
        text = b.text
        if len(text.strip()) < 3:
            continue
        words = list(re.finditer(r"\w+", text))
        spans = []
        if words:
            w = words[len(words) // 2]
            spans.append((w.start(), w.end()))
        segs = [s for s in b.source.segments if s.length]
        if len(segs) > 1:
            edge = segs[1].start
            spans.append((max(0, edge - 2), min(len(text), edge + 2)))
        for lo, hi in b.superscript[:1]:
            spans.append((lo, hi))
        if b.kind in (BlockKind.HEADING, BlockKind.REFERENCE, BlockKind.TABLE_CELL):
            spans.append((0, len(text)))
        for start, end in spans:
            if end > start and text[start:end].strip():
                notes.append(Note(b.index, start, end, f"#{len(notes)} synthetic"))
    return notes


def expected_text(block: Block, note: Note) -> str:
    """What the comment must cover: the span, or "" for notes anchored on a stand-in."""
    if block.anchor[0] != "body":
        return ""
    return block.text[note.start : note.end]


def _visible(el: etree._Element) -> str | None:
    tag = el.tag
    if tag == W + "t":
        return el.text or ""
    if tag in (W + "tab", W + "ptab"):
        return "\t"
    if tag in (W + "br", W + "cr"):
        return "\n"
    if tag == W + "noBreakHyphen":
        return "-"
    return None


def main_part(zf: zipfile.ZipFile) -> str:
    """The officeDocument part named by _rels/.rels (not always word/document.xml)."""
    rels = etree.fromstring(zf.read("_rels/.rels"))
    for r in rels.iter(PKG_REL + "Relationship"):
        if r.get("Type", "").endswith("/officeDocument"):
            return r.get("Target", "").lstrip("/")
    return "word/document.xml"


def docx_anchored(path: Path) -> dict[str, tuple[str, str, str]]:
    """``{comment id: (author, comment text, anchored text)}`` read from the saved package."""
    with zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        main = main_part(zf)
        directory, base = posixpath.split(main)
        doc = etree.fromstring(zf.read(names[main.lower()]))
        rels = etree.fromstring(zf.read(names[posixpath.join(directory, "_rels", base + ".rels").lower()]))
        target = next(r.get("Target") for r in rels.iter(PKG_REL + "Relationship") if r.get("Type", "").endswith("/comments"))
        comments = etree.fromstring(zf.read(names[posixpath.normpath(posixpath.join(directory, target)).lower()]))
    info = {}
    for c in comments.iter(W + "comment"):
        body = "\n".join("".join(t.text or "" for t in p.iter(W + "t")) for p in c.iter(W + "p"))
        info[c.get(W + "id")] = [c.get(W + "author"), body, ""]
    open_ids: set[str] = set()
    skip_depth: list[etree._Element] = []
    for event, el in etree.iterwalk(doc, events=("start", "end")):
        if el.tag in (MC + "Fallback", W + "del", W + "moveFrom", W + "instrText", W + "txbxContent"):
            if event == "start":
                skip_depth.append(el)
            else:
                skip_depth.pop()
            continue
        if event != "start" or skip_depth:
            continue
        if el.tag == W + "commentRangeStart":
            open_ids.add(el.get(W + "id"))
        elif el.tag == W + "commentRangeEnd":
            open_ids.discard(el.get(W + "id"))
        else:
            text = _visible(el)
            if text:
                for cid in open_ids:
                    if cid in info:
                        info[cid][2] += text
    return {k: tuple(v) for k, v in info.items()}


def fodt_annotations(path: Path) -> list[tuple[str, str]]:
    """``(comment text, anchored text)`` of every office:annotation LibreOffice wrote."""
    root = etree.parse(str(path)).getroot()
    # Tracked deletions LibreOffice keeps inline between change-start/-end: not text.
    deleted = {r.get(TEXT + "id") or r.get("{http://www.w3.org/XML/1998/namespace}id")
               for r in root.iter(TEXT + "changed-region") if r.find(TEXT + "deletion") is not None}
    in_deletion: set[str] = set()
    found: dict[str, list[str]] = {}
    order: list[str] = []
    open_names: set[str] = set()
    inside: list[etree._Element] = []
    k = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if el.tag == OFFICE + "annotation":
            if event == "start":
                name = el.get(OFFICE + "name") or f"_point{k}"
                k += 1
                body = " ".join("".join(p.itertext()) for p in el.iter(TEXT + "p"))
                found[name] = [body, ""]
                order.append(name)
                if el.get(OFFICE + "name"):
                    open_names.add(name)
                inside.append(el)
                continue
            inside.pop()
            if inside or not open_names:
                continue
            for name in open_names:
                found[name][1] += el.tail or ""
            continue
        # Drawing objects (frames, groups, shapes with their text boxes, svg:desc/title)
        # anchored in the paragraph are written inline, often right after the
        # annotation start: they float beside the text, they are not the anchored text.
        drawing = el.tag.startswith((DRAW, SVG)) if isinstance(el.tag, str) else False
        if drawing or el.tag in (TEXT + "change-start", TEXT + "change-end", TEXT + "tracked-changes", TEXT + "note"):
            cid = el.get(TEXT + "change-id")
            if drawing or el.tag in (TEXT + "tracked-changes", TEXT + "note"):  # not the anchored text itself
                if event == "start":
                    # ... except a custom footnote mark ("*", w:customMarkFollows): a
                    # character of the document in Word and LibreOffice alike.
                    cite = el.find(TEXT + "note-citation") if el.tag == TEXT + "note" else None
                    if cite is not None and cite.get(TEXT + "label") and not inside:
                        for name in open_names:
                            found[name][1] += cite.get(TEXT + "label")
                    inside.append(el)
                    continue
                inside.pop()  # then fall through: its tail is anchored text
            elif event == "start" and cid in deleted:
                (in_deletion.add if el.tag == TEXT + "change-start" else in_deletion.discard)(cid)
            if event == "start":
                continue
        if el.tag == OFFICE + "annotation-end" and event == "start":
            open_names.discard(el.get(OFFICE + "name"))
            continue
        if inside or not open_names:
            continue
        if event == "start":
            piece = el.text or ""
            if el.tag == TEXT + "s":
                piece = " " * int(el.get(TEXT + "c", "1"))
            elif el.tag == TEXT + "tab":
                piece = "\t"
            elif el.tag == TEXT + "line-break":
                piece = "\n"
        else:
            piece = el.tail or ""
        if event == "start" and in_deletion:
            piece = ""
        for name in open_names:
            found[name][1] += piece
    return [tuple(found[n]) for n in order]


def fodt_paragraph_texts(path: Path) -> list[str]:
    """The text of every paragraph and heading LibreOffice holds, whitespace removed,
    comments (bodies and range marks) taken out and empty paragraphs dropped:
    LibreOffice 7.4 keeps an empty paragraph before a table that opens the document
    whenever the document has comments at all (poi Bug66988, with a comment after the
    table too).  Embedded objects are skipped: their settings carry per-conversion ids."""
    root = etree.parse(str(path)).getroot()
    body = root.find(OFFICE + "body")
    for el in list(body.iter(OFFICE + "annotation", OFFICE + "annotation-end", DRAW + "object")):
        parent, prev = el.getparent(), el.getprevious()
        if el.tail:
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
    texts = ("".join("".join(p.itertext()).split()) for p in body.iter(TEXT + "p", TEXT + "h"))
    return [t for t in texts if t]


MCE = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _understood_only(root: etree._Element) -> etree._Element:
    """Markup-compatibility processing as a consumer that knows no extension: drop
    ignorable namespaces' elements and attributes, take each mc:AlternateContent's
    Fallback.  What remains is what the ECMA-376 schema can judge."""
    ignorable: set[str] = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(f"{{{MCE}}}Ignorable"):
            ignorable |= {el.nsmap.get(p) for p in el.get(f"{{{MCE}}}Ignorable").split()} - {None}
    for alt in list(root.iter(f"{{{MCE}}}AlternateContent")):
        parent = alt.getparent()
        if parent is None:
            continue
        fallback = alt.find(f"{{{MCE}}}Fallback")
        at = parent.index(alt)
        parent.remove(alt)
        for k, child in enumerate(list(fallback) if fallback is not None else []):
            parent.insert(at + k, child)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace in ignorable and el.getparent() is not None:
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            if etree.QName(name).namespace in ignorable | {MCE}:
                del el.attrib[name]
    return root


def wml_schema_errors(schema: etree.XMLSchema, path: Path) -> dict[str, set[str]]:
    """ECMA-376 (transitional) validation errors of every main-document and comments
    part of a package, by part name, line numbers left out so that input and output
    can be compared."""
    found: dict[str, set[str]] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            data = zf.read(name)
            if b"<w:document" not in data[:3000] and b"<w:comments" not in data[:3000]:
                continue
            root = _understood_only(etree.fromstring(data))
            schema.validate(root)
            found[name] = {" ".join(e.message.split()) for e in schema.error_log}
    return found


def check_package(src: Path, out: Path) -> list[str]:
    """Problems with the output package: parts lost or added beyond the comment parts,
    malformed XML, unresolvable relationships, changed bytes of untouched parts."""
    problems = []
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        before, after = set(a.namelist()), set(b.namelist())
        lost = before - after
        if lost:
            problems.append(f"parts lost: {sorted(lost)}")
        extra = {n for n in after - before if not re.search(r"(comments\d*\.xml|\.rels)$", n)}
        if extra:
            problems.append(f"unexpected parts: {sorted(extra)}")
        main = main_part(b)
        directory, base = posixpath.split(main)
        edited = {"[Content_Types].xml", main, posixpath.join(directory, "_rels", base + ".rels")}
        for name in before & after:
            if a.read(name) != b.read(name) and name not in edited and not re.search(r"comments\w*\.xml$", name):
                problems.append(f"part changed: {name}")
        lowered = {n.lower() for n in after}
        for name in after:
            if name.endswith((".xml", ".rels")) and (name not in before or a.read(name) != b.read(name)):
                try:
                    etree.fromstring(b.read(name))
                except etree.XMLSyntaxError as exc:
                    problems.append(f"{name} not well-formed: {exc}")
            if name.endswith(".rels") and (name not in before or name in edited):
                src_part = name.replace("_rels/", "").removesuffix(".rels")
                for rel in etree.fromstring(b.read(name)).iter(PKG_REL + "Relationship"):
                    if rel.get("TargetMode") == "External":
                        continue
                    tgt = rel.get("Target", "")
                    resolved = tgt.lstrip("/") if tgt.startswith("/") else posixpath.normpath(
                        posixpath.join(posixpath.dirname(src_part), tgt))
                    was_ok = resolved.lower() in {n.lower() for n in before}
                    if resolved.lower() not in lowered and not was_ok and rel.get("Type", "").endswith("/comments"):
                        problems.append(f"{name}: relationship {rel.get('Id')} -> {tgt} does not resolve")
    return problems


def math_paragraphs(path: Path) -> set[tuple[str, int]]:
    """Anchors ("body", n) of paragraphs holding OMML math or tracked deletions."""
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read(main_part(zf)))
    omml = "{http://schemas.openxmlformats.org/officeDocument/2006/math}oMath"
    odd = (omml, W + "del", W + "moveFrom")  # LibreOffice shows formula source / tracked deletions inline
    return {("body", n) for n, p in enumerate(doc.find(W + "body").iter(W + "p"))
            if any(p.find(".//" + tag) is not None for tag in odd)}


def textbox_paragraphs(path: Path) -> set[tuple[str, int]]:
    """Anchors of paragraphs inside text boxes or text frames (w:framePr, direct or
    through the paragraph style's basedOn chain): their comments sit on a stand-in."""
    with zipfile.ZipFile(path) as zf:
        main = main_part(zf)
        doc = etree.fromstring(zf.read(main))
        styles_name = posixpath.join(posixpath.dirname(main), "styles.xml")
        styles = etree.fromstring(zf.read(styles_name)) if styles_name in zf.namelist() else None
    framed: set[str] = set()
    default = None
    if styles is not None:
        based = {st.get(W + "styleId"): st for st in styles.iter(W + "style")}
        for sid in based:
            seen, cur = set(), sid
            while cur in based and cur not in seen:
                seen.add(cur)
                if based[cur].find(f"{W}pPr/{W}framePr") is not None:
                    framed.add(sid)
                    break
                nxt = based[cur].find(W + "basedOn")
                cur = nxt.get(W + "val") if nxt is not None else None
        default = next((st.get(W + "styleId") for st in styles.iter(W + "style")
                        if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true")), None)

    def in_frame(p: etree._Element) -> bool:
        if p.find(f"{W}pPr/{W}framePr") is not None:
            return True
        style = p.find(f"{W}pPr/{W}pStyle")
        return (style.get(W + "val") if style is not None else default) in framed

    return {("body", n) for n, p in enumerate(doc.find(W + "body").iter(W + "p"))
            if any(a.tag == W + "txbxContent" for a in p.iterancestors()) or in_frame(p)}
