"""Document structure: title, front matter, abstract, keywords, reference list, sections.

Readers say what they can see (a Heading 2 style, a Markdown ``##``); this pass adds
what needs the whole document: where the reference list is, which blocks are the
abstract and keywords, and the heading path every block sits under.
"""

from __future__ import annotations

import re
from dataclasses import replace

from refcheck.model import Block, BlockKind

REFERENCE_HEADING = re.compile(
    r"^\s*(?:\d+\.?\s*)?(references?(?: list| cited)?|bibliography|literature(?: cited)?|"
    r"works cited|cited literature|citations|reference and notes|references and notes)\s*:?\s*$",
    re.I,
)
AFTER_REFERENCES = re.compile(
    r"^\s*(?:\d+\.?\s*)?(publisher'?s note|appendix|appendices|supplementary|supporting information|"
    r"figure legends?|figures?|tables?|acknowledg|author|abbreviations|notes)",
    re.I,
)
ABSTRACT_LABEL = re.compile(r"^\s*(abstract|summary)\s*[:.—–-]\s*", re.I)
ABSTRACT_HEADING = re.compile(r"^\s*(abstract|summary)\s*$", re.I)
KEYWORDS_LABEL = re.compile(r"^\s*key\s*-?\s*words?\s*[:.—–-]", re.I)
# Up to five digits: entries 10,000 and on of a long list keep their numbers
# (99,999 entries is beyond any reference list; six-digit "labels" are data).
REFERENCE_LABEL = re.compile(r"^\s*(?:\[(\d{1,5})\]|(\d{1,5})[.)]\s|\((\d{1,5})\)\s)")
_FRONT_NOISE = re.compile(r"(https?://|www\.|issn|doi:|copyright|©|received|accepted|published|online publication)", re.I)


def reference_label(text: str) -> int | None:
    m = REFERENCE_LABEL.match(text)
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def _trailing_numbered_run(blocks: list[Block]) -> int | None:
    """Start of a final run of numbered entries (a reference list with no heading)."""
    start = None
    expected = None
    for b in reversed(blocks):
        if b.kind not in (BlockKind.PARAGRAPH,):
            break
        n = reference_label(b.text)
        if n is None and b.list_label:
            n = reference_label(b.list_label + " ")
        if n is None:
            break
        if expected is not None and n != expected - 1:
            break
        expected = n
        start = b.index
    if start is not None and expected == 1 and len(blocks) - start >= 3:
        return start
    return None


def _is_labelled(block: Block) -> bool:
    return bool(block.list_label) or reference_label(block.text) is not None


_CONTINUATION = re.compile(r"^[a-z(]|\b(?:19|20)\d\d\b|\bdoi\b|10\.\d{4,}/|\d+\s*[:(]\s*\d")


def _prune_unlabelled(items: list[Block], kinds: list[BlockKind], region: list[int]) -> None:
    """In a labelled reference list, an unlabelled block is an entry broken over two
    paragraphs only if it follows an entry and reads like one ("e0288185.", "2019;
    12:45"); link furniture ("View Article", "Google Scholar") is not a reference."""
    labelled = [i for i in region if _is_labelled(items[i])]
    if len(labelled) < max(3, len(region) * 0.3):
        return
    prev_ref = False
    for i in region:
        if _is_labelled(items[i]):
            prev_ref = True
            continue
        if prev_ref and _CONTINUATION.search(items[i].text) and len(items[i].text) > 6:
            continue
        kinds[i] = BlockKind.PARAGRAPH
        prev_ref = False


def classify(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Return the blocks with kinds and section paths completed: the reference list
    first (its end bounds the rest), then the front matter, then each block's path."""
    items = list(blocks)
    kinds = [b.kind for b in items]
    _mark_references(items, kinds)
    _mark_front(items, kinds)
    return _with_sections(items, kinds)


def _mark_references(items: list[Block], kinds: list[BlockKind]) -> None:
    """Blocks after a references heading, up to the next unrelated heading, are the
    reference list; with no such heading, a trailing run of numbered entries is."""
    in_refs = False
    region: list[int] = []
    ref_level = 0
    found_refs = False
    for i, b in enumerate(items):
        if b.kind is BlockKind.HEADING:
            if REFERENCE_HEADING.match(b.text):
                in_refs, ref_level, found_refs = True, b.level or 1, True
                continue
            if in_refs and (b.level <= ref_level or AFTER_REFERENCES.match(b.text)):
                in_refs = False
        elif in_refs and b.kind in (BlockKind.PARAGRAPH, BlockKind.REFERENCE):
            if AFTER_REFERENCES.match(b.text) and len(b.text.split()) <= 4:
                in_refs = False
                kinds[i] = BlockKind.HEADING
                items[i] = replace(b, kind=BlockKind.HEADING, level=ref_level)
                continue
            kinds[i] = BlockKind.REFERENCE
            region.append(i)
    _prune_unlabelled(items, kinds, region)
    if not found_refs:
        start = _trailing_numbered_run(items)
        if start is not None:
            for i in range(start, len(items)):
                kinds[i] = BlockKind.REFERENCE


def _mark_front(items: list[Block], kinds: list[BlockKind]) -> None:
    """Title, front matter, abstract and keywords among the plain paragraphs."""
    first_heading = next((i for i, b in enumerate(items) if b.kind is BlockKind.HEADING), len(items))
    has_title = any(k is BlockKind.TITLE for k in kinds)
    under_abstract = False
    for i, b in enumerate(items):
        if b.kind is BlockKind.HEADING:
            under_abstract = bool(ABSTRACT_HEADING.match(b.text))
            continue
        if kinds[i] is not BlockKind.PARAGRAPH:
            continue
        if KEYWORDS_LABEL.match(b.text):
            kinds[i] = BlockKind.KEYWORDS
        elif ABSTRACT_LABEL.match(b.text) or under_abstract:
            kinds[i] = BlockKind.ABSTRACT
        elif i < first_heading:
            if not has_title and _looks_like_title(b.text):
                kinds[i] = BlockKind.TITLE
                has_title = True
            else:
                kinds[i] = BlockKind.FRONT_MATTER


_OUTSIDE_SECTIONS = {BlockKind.ABSTRACT: ("Abstract",), BlockKind.KEYWORDS: ("Keywords",),
                     BlockKind.TITLE: ("Front matter",), BlockKind.FRONT_MATTER: ("Front matter",)}


def _with_sections(items: list[Block], kinds: list[BlockKind]) -> tuple[Block, ...]:
    """Each block with its kind and the path of headings above it."""
    stack: list[tuple[int, str]] = []
    out: list[Block] = []
    for i, b in enumerate(items):
        kind = kinds[i]
        if kind is BlockKind.HEADING:
            level = b.level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            section = tuple(t for _, t in stack)
            stack.append((level, b.text.strip()))
            out.append(replace(b, kind=kind, level=level, section=section + (b.text.strip(),)))
            continue
        if not stack and kind in _OUTSIDE_SECTIONS:
            section = _OUTSIDE_SECTIONS[kind]
        else:
            section = tuple(t for _, t in stack)
        out.append(replace(b, kind=kind, section=section))
    return tuple(out)


def _looks_like_title(text: str) -> bool:
    words = text.split()
    return 4 <= len(words) <= 40 and not _FRONT_NOISE.search(text) and not text.rstrip().endswith(".")
