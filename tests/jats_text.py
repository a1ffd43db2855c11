"""Turn a JATS article into Markdown text for tests of the text pipeline.

Independent of refcheck's own JATS reader on purpose: the foundation tests check
that real published articles, read as plain text, give no citation-number findings.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)


def _text(el) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local in ("table-wrap", "fig", "disp-formula", "supplementary-material"):
            if node.tail:
                parts.append(node.tail)
            return
        sup_cite = local == "sup" and node.find(".//xref") is not None
        if sup_cite:
            parts.append("^[")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if sup_cite:
            parts.append("]")
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    return " ".join("".join(parts).split())


def jats_to_markdown(path: Path) -> str:
    root = etree.parse(str(path), _PARSER).getroot()
    out: list[str] = []
    title = root.find(".//article-meta//article-title")
    if title is not None:
        out.append("# " + _text(title))
    for p in root.findall(".//article-meta/abstract//p"):
        out.append(_text(p))
    body = root.find(".//body")

    def sec(node, depth: int) -> None:
        for child in node:
            local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if local == "sec":
                t = child.find("title")
                if t is not None and _text(t):
                    out.append("#" * min(depth + 1, 6) + " " + _text(t))
                sec(child, depth + 1)
            elif local == "p":
                out.append(_text(child))
            elif local in ("table-wrap", "fig", "supplementary-material", "boxed-text") and child.find(".//sec") is None:
                cap = child.find(".//caption")
                label = child.find("label")
                if cap is not None:
                    lab = _text(label) if label is not None else ""
                    out.append(f"{lab}. {_text(cap)}" if lab else _text(cap))
                for cell in child.iter("td", "th"):
                    if _text(cell):
                        out.append(_text(cell))
                for foot in child.iter("table-wrap-foot"):
                    out.append(_text(foot))
                if local == "boxed-text":
                    for para in child.iter("p"):
                        out.append(_text(para))
            elif local not in ("title", "label", "caption"):
                sec(child, depth)

    if body is not None:
        sec(body, 1)
    out.append("## References")
    for i, ref in enumerate(root.findall(".//back//ref-list/ref"), start=1):
        cit = ref.find("mixed-citation")
        text = _text(cit) if cit is not None else _from_elements(ref)
        out.append(f"[{i}] {text}")
    return "\n\n".join(s for s in out if s.strip()) + "\n"


def _from_elements(ref) -> str:
    """Vancouver-style text from an <element-citation>'s fields (no punctuation of its own)."""
    cit = ref.find("element-citation")
    if cit is None:
        cit = ref.find("citation")
    if cit is None:
        return ""
    names = [
        " ".join(filter(None, [_text(n.find("surname")) if n.find("surname") is not None else "",
                               _text(n.find("given-names")) if n.find("given-names") is not None else ""]))
        for n in cit.iter("name")
    ]
    def field(tag: str) -> str:
        el = cit.find(tag)
        return _text(el) if el is not None else ""
    parts = [", ".join(names), field("article-title") or field("chapter-title"), field("source")]
    text = ". ".join(p for p in parts if p) + "."
    year, vol, fpage = field("year"), field("volume"), field("fpage")
    return f"{text} {year};{vol}:{fpage}." if year else text
