"""RC2xx: topical relevance — references off the manuscript's topic or off the citing sentence.

Both rules ask the relevance scorer (``refcheck_relevance_scorer`` hook; the lexical
one unless a plugin provides another) for a score in [0, 1] and then judge each
score against the manuscript's *own* distribution: a reference is flagged when it
is a low outlier among the manuscript's references (below a fraction of their
median), not when it misses one fixed cut that suits one field
and fails the next.  A reference whose title has only generic words ("Research
progress") is not judged.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from refcheck.analysis.abbreviations import expansion_map, find_abbreviations
from refcheck.analysis.citations import blank_citations
from refcheck.model import BlockKind, Citation, Finding, Manuscript, Reference, Sentence, Severity
from refcheck.plugins import hookimpl
from refcheck.relevance import Match, Weighted, get_scorer
from refcheck.rule import Rule

BODY_WEIGHT = 0.05  # per use in the running text: a word used 20 times counts like a title word
_BAD_TITLE = re.compile(r"\d+\s*\(\d+\)|\bdoi\b|https?://", re.I)
_IDS = re.compile(r"https?://\S+|\bdoi:?\s*\S+|\b10\.\d{4,}/\S+|\d+", re.I)


def abbreviations_of(ms: Manuscript) -> dict[str, str]:
    """Short → long forms: from prepare when it found them, else found here."""
    found = list(ms.abbreviations) or find_abbreviations(ms.blocks)
    return expansion_map(found)


def topic_parts(ms: Manuscript) -> list[Weighted]:
    """What the manuscript is about: title (1.0), abstract and keywords (0.5), headings (0.25).

    A term's presence is capped at 1, so a word of the title, or one the abstract
    uses twice, counts fully; a word of one heading only a quarter.

    Without an abstract or keywords the running text stands in, at low weight, so a
    bare manuscript still has a profile.
    """
    parts: list[Weighted] = []
    if ms.title:
        parts.append((ms.title, 1.0))
    has_summary = False
    for b in ms.blocks:
        if b.kind in (BlockKind.ABSTRACT, BlockKind.KEYWORDS):
            parts.append((b.text, 0.5))
            has_summary = True
        elif b.kind is BlockKind.HEADING:
            parts.append((b.text, 0.25))
    body = BODY_WEIGHT if has_summary else 2 * BODY_WEIGHT
    by_block: dict[int, list[Citation]] = {}
    for c in ms.citations:
        by_block.setdefault(c.block, []).append(c)
    parts += [(blank_citations(b.text, by_block.get(b.index, ())), body) for b in ms.blocks if b.kind is BlockKind.PARAGRAPH]
    return parts


def reference_parts(ref: Reference) -> list[Weighted]:
    """The reference's title (1.0) and journal (0.4); the whole entry, less authors,
    identifiers and numbers, when the parser found no usable title."""
    title = ref.title or ""
    if title and not _BAD_TITLE.search(title):
        parts = [(title, 1.0)]
        if ref.journal:
            parts.append((ref.journal, 0.4))
        return parts
    text = ref.text
    for a in ref.authors:
        text = text.replace(a, " ")
    text = _IDS.sub(" ", re.sub(r"\bet al\b\.?", " ", text))
    return [(text, 0.8)]


def reference_label(ref: Reference) -> str:
    title = ref.title if ref.title and not _BAD_TITLE.search(ref.title) else ref.text
    return " ".join(title.split())[:200]


def short_label(ref: Reference, limit: int = 90) -> str:
    """The title for a one-line message: cut at a word boundary, marked with "…"."""
    label = reference_label(ref)
    if len(label) <= limit:
        return label
    cut = label[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return cut + "…"


@dataclass(frozen=True)
class Cut:
    """The manuscript's own yardstick: median score and the flagging threshold."""

    median: float
    threshold: float


def adaptive_cut(scores: Sequence[float], ratio: float) -> Cut:
    """Flag below ``ratio`` × the manuscript's median score.

    Why the median and a ratio: scores of real bibliographies differ by field and by
    how much the abstract says (a median of 0.13 for an essay, 0.7 for a
    meta-analysis); a reference is suspicious when it fits far worse than the
    manuscript's typical reference, whatever that level is.
    """
    med = statistics.median(scores)
    return Cut(med, ratio * med)


def _terms(ts: Sequence[str], n: int = 6) -> str:
    return ", ".join(ts[:n]) if ts else "(no distinctive words)"


def explain(match: Match, subject: str, cut: Cut) -> str:
    shared = (f"they share only: {_terms(match.shared, 5)}" if match.shared
              else "they share no distinctive term")
    return (f"relevance {match.score:.2f} against a median of {cut.median:.2f} for this "
            f"manuscript's references; {subject} is about {_terms(match.query_terms)}; "
            f"the reference is about {_terms(match.candidate_terms)}; {shared}")


def _data(match: Match, ref: Reference, cut: Cut) -> dict[str, Any]:
    return {
        "score": match.score,
        "median": round(cut.median, 4),
        "threshold": round(cut.threshold, 4),
        "shared_terms": list(match.shared),
        "topic_terms": list(match.query_terms),
        "reference_terms": list(match.candidate_terms),
        "reference_title": reference_label(ref),
    }


_OPTIONS = {"ratio": 0.25, "min_references": 6, "min_mass": 0.6}


def _flagged(match: Match, cut: Cut, options: Mapping[str, Any]) -> bool:
    return match.mass >= options["min_mass"] and match.score < cut.threshold


class OffTopicReference(Rule):
    """A reference whose title and journal have nothing in common with the manuscript's topic.

    What it flags:
        A reference entry whose relevance to the manuscript's topic profile (title,
        abstract, keywords and headings, with abbreviations such as "ALF" expanded
        from their definitions) is a low outlier among the manuscript's own
        references: below ``ratio`` × the median score of its references.  Relevance is
        measured by the relevance scorer (lexical by default: distinctive shared
        lemmas and word stems; generic words such as "cell", "study", "therapy" count
        little).  Entries whose title has only generic words are not judged, nor are
        lists of fewer than ``min_references`` judgeable entries.

    Why it matters:
        A review on stem cells in liver failure that lists papers on gastric-cancer
        immunotherapy or smooth-muscle migration has a bibliography that was padded,
        pasted from another manuscript or fabricated; editors and reviewers rarely
        read every title.

    Example:
        In "Umbilical cord mesenchymal stem cells in acute liver failure", the entry
        "Immune Checkpoint Inhibitor Combination Therapy for Gastric Cancer: Research
        Progress" shares no distinctive term with the topic.

    How to fix:
        Check that the entry is the source you meant; replace it with the work that
        supports the claim, or delete it and its citations.
    """

    code = "RC201"
    name = "off-topic-reference"
    default_severity = Severity.WARNING
    options = dict(_OPTIONS)

    def scores(self, ms: Manuscript, options: Mapping[str, Any]) -> list[tuple[Reference, Match]]:
        """Every reference with its match against the topic profile."""
        refs = [r for r in ms.references]
        if not refs:
            return []
        scorer = get_scorer(dict(options))
        matches = scorer.score(topic_parts(ms), [reference_parts(r) for r in refs], abbreviations_of(ms))
        return list(zip(refs, matches, strict=True))

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        pairs = self.scores(ms, options)
        judged = [m.score for _, m in pairs if m.mass >= options["min_mass"]]
        if len(judged) < options["min_references"]:
            return
        cut = adaptive_cut(judged, options["ratio"])
        for ref, match in pairs:
            if not _flagged(match, cut, options):
                continue
            label = f"Reference {ref.number}" if ref.number is not None else "This reference"
            block = ms.blocks[ref.block]
            start, end = 0, len(block.text.rstrip())  # the whole entry: the comment shows its title
            yield self.finding(
                ms, ref.block, start, end,
                f"{label} looks off-topic for this manuscript (\"{short_label(ref)}\"): "
                + explain(match, "the manuscript", cut) + ".",
                references=[ref.number] if ref.number is not None else [],
                suggestion="Check that this is the source meant; replace or remove it and its citations.",
                data=_data(match, ref, cut),
            )


class CitationContextMismatch(Rule):
    """A citation whose reference does not match the sentence that cites it.

    What it flags:
        A numeric citation naming a reference whose title (and journal) fits the
        citing sentence — with its paragraph and section heading as weaker context —
        far worse than the manuscript's other citations fit theirs (below ``ratio``
        × the median), and which also fits the manuscript's topic less well than
        its typical reference does, and fits none of the sentences that cite it.
        When one citation names several references, only the mismatched ones are
        named.  The finding is a warning when the reference is also well below the
        manuscript's typical topical fit (``strong_topic_ratio`` × the median), and
        information otherwise.

    Why it matters:
        A claim about stem-cell migration supported by a paper on ovarian-cancer
        proliferation is not supported at all; mismatches are the commonest trace of
        shifted numbering, a wrong pick from a reference manager, or invented sources.

    Example:
        "hUC-MSCs can promote migration to liver injury areas ^[22]" where [22] is
        "Aptamer attenuates vascular smooth muscle cell proliferation and migration".

    How to fix:
        Open the cited work and check that it says what the sentence claims; cite the
        right source (renumbering if needed) or rephrase the claim.
    """

    code = "RC202"
    name = "citation-context-mismatch"
    default_severity = Severity.WARNING
    options = {"ratio": 0.75, "min_references": 6, "min_mass": 0.6, "strong_topic_ratio": 0.8}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        refs = {r.number: r for r in ms.references if r.number is not None}
        cites = [c for c in ms.citations if c.style == "numeric" and c.numbers and not c.malformed]
        if not refs or not cites:
            return
        scorer = get_scorer(dict(options))
        abbreviations = abbreviations_of(ms)
        ref_parts = {n: reference_parts(r) for n, r in refs.items()}
        scored: list[tuple[Any, int, Match]] = []
        prose_of: dict[int, str] = {}
        by_block: dict[int, list[Citation]] = {}
        for x in ms.citations:
            by_block.setdefault(x.block, []).append(x)
        for c in cites:
            numbers = [n for n in dict.fromkeys(c.numbers) if n in refs]
            if not numbers:
                continue
            block = ms.blocks[c.block]
            if c.block not in prose_of:
                prose_of[c.block] = blank_citations(block.text, by_block[c.block])
            prose = prose_of[c.block]
            sentence = _citing_sentence(ms, c, prose)
            context = [(sentence, 1.0), (prose, 0.3)]
            if block.section_title:
                context.append((block.section_title, 0.3))
            matches = scorer.score(context, [ref_parts[n] for n in numbers], abbreviations)
            scored += [(c, n, m) for n, m in zip(numbers, matches, strict=True)]
        judged = [m.score for _, _, m in scored if m.mass >= options["min_mass"]]
        if len(judged) < options["min_references"]:
            return
        cut = adaptive_cut(judged, options["ratio"])
        topic = {r.number: m for r, m in OffTopicReference().scores(ms, options)}
        topic_median = statistics.median(m.score for m in topic.values())
        by_citation: dict[Any, list[tuple[int, Match]]] = {}
        # Sentences are short and lexical overlap with them is noisy, so a reference is
        # named only when the evidence agrees: it fits the manuscript's topic less well
        # than its typical reference, and it fits none of the sentences that cite it
        # (a reference that fits one of its citing sentences is on topic; low overlap
        # at another citation says more about that sentence's wording).
        fits_somewhere = {n for _, n, m in scored if not _flagged(m, cut, options)}
        for c, n, m in scored:
            if _flagged(m, cut, options) and topic[n].score < topic_median and n not in fits_somewhere:
                by_citation.setdefault(c, []).append((n, m))
        for c, bad in by_citation.items():
            parts = [
                f"reference {n} (\"{short_label(refs[n])}\") does not match the citing sentence: "
                + explain(m, "the sentence", cut)
                for n, m in bad
            ]
            n0, m0 = bad[0]
            data = _data(m0, refs[n0], cut)
            data["mismatched"] = {str(n): _data(m, refs[n], cut) for n, m in bad}
            # Graded: a warning when the reference is also clearly off the manuscript's
            # topic (below strong_topic_ratio × the median), information otherwise.
            strong = any(topic[n].score < options["strong_topic_ratio"] * topic_median for n, _ in bad)
            yield self.finding(
                ms, c.block, c.start, c.end,
                "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + ".",
                severity=self.severity if strong else Severity.INFO,
                references=[n for n, _ in bad],
                suggestion="Check that the cited work supports this sentence; cite the right source.",
                data=data,
            )


def _citing_sentence(ms: Manuscript, c: Citation, prose: str) -> str:
    """The text of the first sentence of the block with ``start <= c.start <= end``
    (the whole paragraph if none), found by bisection on the sentence ends."""
    sentences, ends = _block_sentences(ms, c.block)
    if ends is None:  # sentences out of order: the plain scan
        return next((prose[s.start : s.end] for s in sentences if s.start <= c.start < s.end + 1), prose)
    # Ends and starts both ascend, so the first sentence ending at or after the
    # citation is the only candidate for the first match.
    k = bisect_left(ends, c.start)
    if k < len(sentences) and sentences[k].start <= c.start:
        return prose[sentences[k].start : sentences[k].end]
    return prose


def _block_sentences(ms: Manuscript, block: int) -> tuple[list[Sentence], list[int] | None]:
    """A block's sentences and their ends (None when not in order), once per block."""
    cache = ms.metadata.setdefault("_relevance", {}).setdefault("sentences", {})
    if block not in cache:
        sentences = ms.sentences_in(block)
        ordered = all(a.start <= b.start and a.end <= b.end for a, b in zip(sentences, sentences[1:], strict=False))
        cache[block] = (sentences, [s.end for s in sentences] if ordered else None)
    return cache[block]


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return [OffTopicReference, CitationContextMismatch]
