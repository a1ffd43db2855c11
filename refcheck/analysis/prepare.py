"""Turn a reader's Manuscript into an indexed one: structure, references, citations, sentences.

This is the only place the passes are wired together, so every format gets the
same treatment and every rule sees the same index.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from refcheck.analysis.citations import expand_numbers, find_citations
from refcheck.analysis.fields import apply_field_items
from refcheck.analysis.nlp import sentence_boundaries
from refcheck.analysis.references import bibliography_references, parse_reference_blocks
from refcheck.analysis.structure import classify
from refcheck.model import Block, BlockKind, Citation, Manuscript, Sentence

_NO_SENTENCES = (BlockKind.REFERENCE,)


_UNIT_AFTER = re.compile(r"\s*(?:[nµμm]?m|cm|km|m?s|min|h|[mkµμ]?g|°|%|deg(?:rees?)?|[kM]?Hz|K|V|mV|ml|mL|l|L)\b")


def untagged_citations(blocks: tuple[Block, ...] | list[Block], citations: list[Citation], style: str,
                       max_ref: int) -> list[Citation]:
    """Bracketed numbers in running text that the publisher did not tag: "… increases in
    DOC [57]." in an article whose other citations are tagged "[n]" xrefs.  Only in a
    numeric article that writes its citations in square brackets, only in paragraphs,
    only numbers of its reference list, and never over a tagged citation."""
    if style != "numeric" or not max_ref:
        return []
    if sum(1 for c in citations if c.superscript or c.text[:1].isdigit()) * 2 > len(citations):
        return _untagged_superscripts(blocks, citations, max_ref)  # superscript (or bare-number) citations
    bracketed = sum(1 for c in citations if c.text.startswith("["))
    if bracketed * 2 <= len(citations):
        return []
    taken: dict[int, list[tuple[int, int]]] = {}
    for c in citations:
        taken.setdefault(c.block, []).append((c.start, c.end))
    paragraphs = [b for b in blocks if b.kind is BlockKind.PARAGRAPH and "[" in b.text]
    blocks_by_index = {b.index: b for b in paragraphs}
    found, _ = find_citations(paragraphs, max_ref)
    out = []
    for c in found:
        spans = taken.get(c.block, [])
        text = blocks_by_index[c.block].text
        if c.start and (text[c.start - 1].isalnum() or text[c.start - 1] in "_^"):
            continue  # "F[1,12] = 8.1": degrees of freedom, an index
        if _UNIT_AFTER.match(text, c.end):
            continue  # "the interval [10, 20] mm"
        if (c.style == "numeric" and c.text.startswith("[") and c.numbers and not c.malformed
                and all(1 <= n <= max_ref for n in c.numbers)
                and not any(s < c.end and c.start < e for s, e in spans)):
            out.append(c)
    return out


# "… a major threat to public health worldwide.1 Indeed, …": a superscript citation whose
# formatting was lost in conversion, right after a word and its punctuation, before the
# next sentence.  Not after an abbreviation ("Fig.1", "No.3") or inside a number ("2.1").
_LOST_SUPERSCRIPT = re.compile(
    r"(?<=[a-z\)])(?<!\bFig)(?<!\bNo)(?<!\bvol)(?<!\bp)(?<!\bref)[.,;:]"
    r"(\d{1,3}(?:\s?[,–-]\s?\d{1,3})*)(?=\s+[A-Z(]|\s*$)")


def _untagged_superscripts(blocks: tuple[Block, ...] | list[Block], citations: list[Citation],
                           max_ref: int) -> list[Citation]:
    """Reference numbers left as plain text after a sentence in an article whose tagged
    citations are superscripts (a PMC conversion: "worldwide.1 Indeed" beside tagged
    "origin.<sup>3</sup>"): each cites, when all its numbers are on the list."""
    taken: dict[int, list[tuple[int, int]]] = {}
    for c in citations:
        taken.setdefault(c.block, []).append((c.start, c.end))
    out = []
    for b in blocks:
        if b.kind is not BlockKind.PARAGRAPH:
            continue
        for m in _LOST_SUPERSCRIPT.finditer(b.text):
            listed = expand_numbers(m.group(1))
            numbers = tuple(dict.fromkeys(listed.numbers))
            if (numbers and listed.problem is None and all(1 <= n <= max_ref for n in numbers)
                    and not any(s < m.end(1) and m.start(1) < e for s, e in taken.get(b.index, []))):
                out.append(Citation(b.index, m.start(1), m.end(1), m.group(1), numbers, "numeric", True))
    return out


def prepare(manuscript: Manuscript, config: dict[str, Any] | None = None) -> Manuscript:
    """Return ``manuscript`` with blocks classified and sentences, citations and references indexed.

    Readers that already know the structure (JATS) set ``metadata["prepared_structure"]``
    and keep their own block kinds and references.
    """
    meta = manuscript.metadata
    meta["spacy_model"] = (config or {}).get("spacy_model")  # rules build their Docs with it
    meta["retractions"] = (config or {}).get("retractions")  # the RC5xx rules' Retraction Watch CSV
    meta["verify_online"] = bool((config or {}).get("verify-online"))  # RC504/RC505 ask Crossref only then
    meta["mailto"] = (config or {}).get("mailto")
    blocks = manuscript.blocks if meta.get("prepared_structure") else classify(manuscript.blocks)
    if manuscript.references and meta.get("prepared_structure"):
        references = list(manuscript.references)
    else:
        references = parse_reference_blocks([b for b in blocks if b.kind is BlockKind.REFERENCE])
    numbers = [r.number for r in references if r.number is not None]
    max_ref = max(numbers, default=0)
    if manuscript.citations and meta.get("prepared_structure"):
        citations, style = list(manuscript.citations), manuscript.citation_style
        extra = untagged_citations(blocks, citations, style, max_ref)
        if extra:
            citations = sorted(citations + extra, key=lambda c: (c.block, c.start))
    else:
        # A pathological file's citations are capped; the note says so (issue 18).
        citations, style = find_citations(blocks, max_ref, notes=meta.setdefault("limit_notices", []))
    if any(b.field_citations for b in blocks):
        # Zotero/Mendeley/EndNote fields carry each cited item as the library holds it.
        references, citations = apply_field_items(blocks, citations, references)
    bibliography = meta.get("bibliography")
    if not references and getattr(bibliography, "entries", None) and any(c.style == "key" for c in citations):
        # pandoc renders the reference list from the bibliography the metadata names.
        references, citations = bibliography_references(bibliography.entries, citations)
    by_block: dict[int, list[tuple[int, int]]] = {}
    for c in citations:
        by_block.setdefault(c.block, []).append((c.start, c.end))
    sentences: list[Sentence] = []
    for b in blocks:
        if b.kind in _NO_SENTENCES or not b.text.strip():
            continue
        starts = sentence_boundaries(b.text, by_block.get(b.index, []))
        ends = starts[1:] + [len(b.text)]
        for s, e in zip(starts, ends, strict=True):
            while e > s and b.text[e - 1].isspace():
                e -= 1
            if e > s:
                sentences.append(Sentence(b.index, s, e, b.text[s:e]))
    title = manuscript.title or next((b.text for b in blocks if b.kind is BlockKind.TITLE), None)
    return replace(
        manuscript,
        blocks=blocks,
        sentences=tuple(sentences),
        citations=tuple(citations),
        references=tuple(references),
        citation_style=style,
        title=title,
    )
