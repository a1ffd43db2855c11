"""The comments already in a Word document, with the text range each is anchored on.

Why the reader needs them: an editor who accepts a finding says so where editors
already talk — a Word comment on the flagged words whose text starts
``refcheck: ignore RC301`` (:mod:`refcheck.suppress` reads that syntax).  For that the
comment's text (``comments.xml``) must be joined to its range in the body
(``w:commentRangeStart`` / ``w:commentRangeEnd`` with the same ``w:id``, or only a
``w:commentReference`` for a comment on a point), and the range expressed in the
characters the reader gave each paragraph, so it can be compared with a finding's span.

Offsets count exactly the pieces :func:`refcheck.ooxml.text.iter_text_pieces`
yields — the ones a block's text is made of — so a range and a finding agree to the
character.  A marker outside any paragraph (between two, as Word writes a comment on
whole paragraphs) takes the start of the next paragraph or the end of the previous.
Only the body is read: a comment inside a footnote is rare and stays unread.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from lxml import etree

from refcheck.ooxml.namespaces import W
from refcheck.ooxml.text import iter_text_pieces

_END = 10**9  # "the end of the paragraph", whatever its length


@dataclass(frozen=True)
class CommentRange:
    """One comment: who wrote it, what it says and where it is anchored.

    ``start``/``end`` are ``(n, offset)``: ``n`` the index of the paragraph among the
    body's ``w:p`` in document order (what ``Block.anchor[1]`` holds for the body), and
    ``offset`` the character offset in that paragraph's text.  ``end`` is exclusive;
    ``start == end`` for a comment on a point.
    """

    id: str
    author: str
    text: str
    start: tuple[int, int]
    end: tuple[int, int]


def comment_texts(comments: etree._Element | None) -> dict[str, tuple[str, str]]:
    """``{id: (author, text)}`` from ``comments.xml``; paragraphs joined by line breaks."""
    out: dict[str, tuple[str, str]] = {}
    if comments is None:
        return out
    for c in comments.iter(W + "comment"):
        cid = c.get(W + "id")
        if cid is None:
            continue
        paras = ["".join(t.text or "" for t in p.iter(W + "t")) for p in c.iter(W + "p")]
        out[cid] = (c.get(W + "author") or "", "\n".join(x for x in paras if x.strip()).strip())
    return out


def _owner(el: etree._Element) -> etree._Element | None:
    """The paragraph a marker sits in, if any."""
    return next(el.iterancestors(W + "p"), None)


def read_comment_ranges(
    body: etree._Element | None,
    comments: etree._Element | None,
) -> list[CommentRange]:
    """Every comment of ``comments.xml`` anchored in ``body``, with its range; the
    offsets are counted over exactly the pieces of :func:`iter_text_pieces`."""
    texts = comment_texts(comments)
    if body is None or not texts:
        return []
    paras = list(body.iter(W + "p"))
    index = {p: n for n, p in enumerate(paras)}
    order = {el: i for i, el in enumerate(body.iter())}
    para_at = [order[q] for q in paras]
    starts: dict[str, etree._Element] = {}
    ends: dict[str, etree._Element] = {}
    refs: dict[str, etree._Element] = {}
    for el in body.iter(W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference"):
        cid = el.get(W + "id")
        if cid is None or cid not in texts:
            continue
        target = starts if el.tag == W + "commentRangeStart" else ends if el.tag == W + "commentRangeEnd" else refs
        target.setdefault(cid, el)
    offsets: dict[etree._Element, list[tuple[int, int]]] = {}

    def position(el: etree._Element, is_start: bool) -> tuple[int, int]:
        p = _owner(el)
        if p is None or p not in index:
            # between paragraphs: the next paragraph's start, or the previous one's end
            after = bisect_right(para_at, order[el])  # paragraphs are in document order
            if is_start:
                return (min(after, len(paras) - 1), 0)
            return (max(after - 1, 0), _END)
        runs = offsets.get(p)
        if runs is None:
            runs, pos = [], 0
            for run, text in iter_text_pieces(p):
                runs.append((order.get(run, -1), pos))
                pos += len(text)
            runs.append((_END, pos))  # the paragraph's end
            offsets[p] = runs
        at = order[el]
        return (index[p], next(pos for run_at, pos in runs if run_at > at))

    out = []
    for cid, (author, text) in texts.items():
        # (lxml elements without children are falsy: no ``or`` chains here)
        first = next((el for el in (starts.get(cid), refs.get(cid)) if el is not None), None)
        last = next((el for el in (ends.get(cid), refs.get(cid), first) if el is not None), None)
        if first is None or last is None:
            continue  # a comment with no anchor in the body (a footnote's, or orphaned)
        start, end = position(first, True), position(last, False)
        if end < start:
            end = start
        out.append(CommentRange(cid, author, text, start, end))
    return sorted(out, key=lambda c: (c.start, c.end, c.id))

