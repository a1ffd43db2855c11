"""The WordprocessingML text walker: a paragraph's visible text, run by run.

Why it is shared: the DOCX reader maps each character of a block back to the run
it came from (``Segment.locator`` is a piece index), and the writers — Word
comments, renumbering — must split exactly those runs at exactly those
characters.  Reader and writers therefore walk paragraphs with this one walker and
count a run's characters with this one :func:`run_child_text`.

Reading order and what counts as visible text: the walk descends into
hyperlinks, insertions, smart tags, content controls, simple fields, custom XML,
move destinations and math; it skips deletions, move sources, nested text boxes
(they are paragraphs of their own), property elements and field codes, keeping
field results — tracked changes are read as if accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from refcheck.ooxml.namespaces import MC, M, W, w_val

# Paragraph children (and their descendants) whose runs are part of the visible text.
_CONTAINERS = frozenset(
    W + t for t in ("hyperlink", "ins", "smartTag", "sdtContent", "customXml", "moveTo", "dir", "bdo")
) | frozenset({M + "oMath", M + "oMathPara"})
# Deleted or moved-away content: reading tracked changes as if accepted.
_SKIPPED = frozenset(W + t for t in ("del", "moveFrom", "txbxContent", "pPr", "sdtPr", "sdtEndPr", "rPr"))
_RUNS = frozenset({W + "r", M + "r"})


@dataclass
class Field:
    """A complex or simple field being walked: code first, then result.

    Public because the reader reads citation-manager fields (Zotero, EndNote …)
    from the instruction of the fields each piece sits in."""

    instruction: str = ""
    in_result: bool = False


#: One piece of a paragraph: the run, its visible text, and the fields it sits in
#: (outermost first).
Piece = tuple[etree._Element, str, tuple[Field, ...]]


def _sym_char(sym: etree._Element) -> str:
    """w:sym carries a hex code point (often in the symbol-font private area)."""
    try:
        code = int(w_val(sym, "char") or "", 16)
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


def run_text(run: etree._Element) -> str:
    """The characters of a run as the splitter counts them: every child with text,
    without the walker's field bookkeeping.  Why: a writer splits a run only when
    this equals the run's piece, so a run partly hidden by a field is left whole."""
    return "".join(t for c in run if (t := run_child_text(c)) is not None)


def is_run_props(child: etree._Element) -> bool:
    """Whether a run child is its formatting (``w:rPr``/``m:rPr``), not its content.

    Why public: the writers keep a run's formatting when they split it or empty it."""
    return child.tag in (W + "rPr", M + "rPr")


def _visible(stack: list[Field]) -> bool:
    """Text shows only when every enclosing field is past its separator."""
    return all(f.in_result for f in stack)


def _walk_run(run: etree._Element, stack: list[Field]) -> Iterator[Piece]:
    """Yield the run's visible text (one piece), updating the field stack."""
    parts: list[str] = []
    fields: tuple[Field, ...] | None = None
    for child in run:
        tag = child.tag
        if tag == W + "fldChar":
            kind = w_val(child, "fldCharType")
            if kind == "begin":
                stack.append(Field())
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


def _walk(parent: etree._Element, stack: list[Field]) -> Iterator[Piece]:
    """Depth-first walk of a paragraph's content in reading order."""
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag in _RUNS:
            yield from _walk_run(child, stack)
        elif tag == W + "fldSimple":
            simple = Field(instruction=w_val(child, "instr") or "", in_result=True)
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


def walk_paragraph(p: etree._Element) -> Iterator[Piece]:
    """Yield ``(run, text, fields)`` for every run of a paragraph that contributes
    visible text, in reading order; ``fields`` are the fields the text sits in.

    The reader uses the fields to find citation-manager citations; everyone
    else wants :func:`iter_text_pieces`."""
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
    for run, text, _fields in walk_paragraph(p_element):
        yield run, text
