"""Runs split at character offsets, and a paragraph's runs mapped to block characters.

Why it is shared: a finding's span (Word comments) and a citation's span
(renumbering) are in block characters, and ``Block.source`` maps those to
``(piece index, offset)`` over the pieces of
:func:`refcheck.ooxml.text.iter_text_pieces`.  To touch exactly those characters
a writer splits the runs at the span edges — deep-copying the ``w:r`` (its
``w:rPr`` kept) and dividing its text — so formatting is unchanged.
:class:`ParagraphRuns` does that for one paragraph and works out which elements a
span's comment range must start and end at, widened out of fields (also those
spanning several paragraphs, :func:`cross_paragraph_fields`), content controls
and the other containers of :mod:`refcheck.ooxml.marks`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from refcheck.model import Block
from refcheck.ooxml.marks import Target, in_textbox, outermost_container
from refcheck.ooxml.namespaces import XML_SPACE, W
from refcheck.ooxml.text import is_run_props, iter_text_pieces, run_child_text, run_text


def split_run(run: etree._Element, offset: int) -> etree._Element:
    """Split ``run`` at character ``offset``; return the new left part (inserted before it).

    The left part is a deep copy (same ``w:rPr``), holding the characters before
    ``offset``; ``run`` itself keeps the rest.  A ``w:t`` cut in two keeps
    ``xml:space="preserve"`` on both halves so edge spaces survive.
    """
    left = copy.deepcopy(run)
    content = [c for c in run if not is_run_props(c)]
    left_content = [c for c in left if not is_run_props(c)]
    pos = 0
    cut = len(content)  # index of the first child that goes right
    for i, child in enumerate(content):
        text = run_child_text(child)
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


@dataclass
class CrossFields:
    """Complex fields (fldChar begin … end) that cross paragraph boundaries, found in one
    walk over the body before any splitting: a table of contents or table of figures
    is one field whose result spans many paragraphs.  LibreOffice 7.4 drops comments
    anchored inside its entries (tika testWORD_2006ml: 2 of 2 lost, also with the
    marks outside the entry's hyperlink); it keeps them with the marks outside the
    whole field, so such a range is widened to the field like a one-paragraph one."""

    open_at: dict[etree._Element, list[etree._Element]]  # paragraph -> begin runs open at its start
    end_of: dict[etree._Element, etree._Element]  # begin run -> end run (in a later paragraph)
    text_between: Callable[[etree._Element, etree._Element], str] | None = None


def cross_paragraph_fields(body: etree._Element) -> CrossFields:
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
    return CrossFields(open_at, end_of)


class ParagraphRuns:
    """A paragraph (``p``, read as ``block``) whose runs are split at the span edges
    a writer needs, each part mapped to block characters.

    ``mapped`` says whether the paragraph's pieces are exactly the block's text
    (when not, a writer must not split: the characters would not line up);
    after :meth:`split`, ``units`` holds ``(run, block start, block end)`` for every
    piece or piece part, and :meth:`target` gives a span's comment range.
    ``fields`` (from :func:`cross_paragraph_fields`) lets a range widen to a field
    that began in an earlier paragraph or ends in a later one.
    """

    def __init__(self, p: etree._Element, block: Block, fields: CrossFields | None = None):
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
        """Split the runs at every block offset in ``edges`` (once per paragraph:
        splitting again would re-split the parts) and index the result."""
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

    def target(self, start: int, end: int) -> Target | None:
        """The comment range for block span ``start:end``, widened out of fields and
        the containers a mark may not sit in; None when no split unit covers it."""
        covered = [(r, a, b) for r, a, b in self.units if a < end and start < b and b > a]
        if not covered:
            return None
        first, last = covered[0][0], covered[-1][0]
        kinds: set[str] = set()
        for _ in range(4):  # a field inside a content control inside a field …
            first, k1 = outermost_container(first)
            last, k2 = outermost_container(last)
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
            return Target(first, last, self.block.text[covered[0][1] : covered[-1][2]])
        span = self.block.text[covered[0][1] : covered[-1][2]]
        if (first not in self.order or last not in self.order) and self.fields and self.fields.text_between:
            text = self.fields.text_between(first, last)
            return Target(first, last, text, widened=sorted(kinds) if text != span else None)
        lo, hi = self.order[first], self._last_index(last)
        inside = [(a, b) for r, a, b in self.units if lo <= self.order[r] <= hi and b > a]
        text = self.block.text[inside[0][0] : inside[-1][1]] if inside else ""
        return Target(first, last, text, widened=sorted(kinds) if text != span else None)


def text_between(body: etree._Element, first: etree._Element, last: etree._Element) -> str:
    """The visible text from run ``first`` through run ``last`` across paragraphs (a
    range widened to a field spanning several), paragraphs joined by newlines."""
    order = {el: i for i, el in enumerate(body.iter())}
    lo, hi = order[first], order[last] + sum(1 for _ in last.iterdescendants())
    lines = []
    for q in body.iter(W + "p"):
        if order[q] + sum(1 for _ in q.iterdescendants()) < lo or order[q] > hi or in_textbox(q):
            continue
        lines.append("".join(t for r, t in iter_text_pieces(q) if lo <= order[r] <= hi))
    return "\n".join(lines)
