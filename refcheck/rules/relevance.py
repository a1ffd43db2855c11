"""RC2xx: topical relevance — references off the manuscript's topic or off the citing sentence.

Both rules decide from absolute evidence (:mod:`refcheck.analysis.subjects`): a
central subject of the manuscript that a cited title does not cover, title words the
manuscript never uses, no specific word shared with the citing paragraph — and speak
only when the manuscript shows a pattern of such references.  A reference's rank
among the manuscript's own references is no evidence: every bibliography has a
bottom fifth.  RC201 asks the relevance scorer (``refcheck_relevance_scorer`` hook;
the lexical one unless a plugin provides another) whether a work fits the manuscript.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from refcheck.analysis.abbreviations import expansion_map, find_abbreviations
from refcheck.analysis.citations import blank_citations
from refcheck.analysis.evidence import sentence_citations
from refcheck.analysis.scorer import Weighted, get_scorer, terms
from refcheck.analysis.subjects import (
    ManuscriptVocabulary,
    Subject,
    covers_subject,
    distinctive,
    manuscript_title,
    named_in_sentence,
    names_subject,
    reference_title_lemmas,
    specific,
    title_subjects,
)
from refcheck.model import BlockKind, Citation, Finding, Manuscript, Reference, Sentence, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Family, Rule

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


_SCOPE_OUT = re.compile(
    r"previously described|as described (?:in|by|previously)|according to|following the (?:method|protocol)|"
    r"\bwe (?:do|did) not (?:consider|discuss|address)|neither do we|see also|\be\.g\.",
    re.I,
)
_METHODS = re.compile(r"\b(?:methods?|materials|procedures?|protocols?|statistical analys[ie]s)\b", re.I)
_TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.ABSTRACT)


@dataclass(frozen=True)
class Mismatch:
    """Why one reference does not fit: the subject it misses, its foreign words."""

    number: int
    subject: str
    foreign: tuple[str, ...]
    citation: Citation | None = None


@dataclass
class Evidence:
    """Per manuscript: the off-topic references (RC201), the mismatched citations
    (RC202), and whether they form a pattern strong enough to report."""

    off_topic: dict[int, Mismatch]
    mismatches: list[Mismatch]
    pattern: bool


def _surface(title: str, lemmas: Sequence[str], abbreviations: Mapping[str, str]) -> tuple[str, ...]:
    """The title's own words for the given lemmas ("Anaplasmosis", not "anaplasmosis")."""
    wanted, out = set(lemmas), []
    for word in re.findall(r"[^\W_][\w'’\-/]*", title):
        if any(t in wanted for t in terms(word, abbreviations)) and word not in out:
            out.append(word)
    return tuple(out)


def evidence(ms: Manuscript, options: Mapping[str, Any]) -> Evidence:
    """Computed once per manuscript (both rules ask) and kept in its metadata."""
    cache = ms.cache.relevance
    # dataclasses.replace() shares the analysis cache: the key names the very
    # reference list, citations and scorer this evidence was computed from.
    scorer = get_scorer(dict(options))
    key = ("evidence", tuple(sorted((k, str(v)) for k, v in options.items())), id(ms.references), id(ms.citations),
           type(scorer).__qualname__, getattr(scorer, "name", ""), id(getattr(scorer, "weights", scorer)))
    # The entry keeps the very objects its key names: an id() is only unique while its
    # object lives, and a caller that swaps reference lists in a loop (the relevance
    # benchmark does) was handed the evidence of a list freed a moment before.
    held = (ms.references, ms.citations, getattr(scorer, "weights", scorer))
    entry = cache.get(key)
    if entry is None or any(a is not b for a, b in zip(entry[0], held, strict=True)):
        entry = cache[key] = (held, _evidence(ms, options, scorer))
    return entry[1]


#: Words above which a "sentence" is not judged as a claim.  The longest real claim
#: sentence in the corpus has under 200 words; the only longer ones are lists (a
#: 527-word roll of contributors) and paragraphs with no full stop, where scoring the
#: whole text for every citation in it took minutes (issue 18).
MAX_CLAIM_WORDS = 400


def _too_long_for_a_claim(text: str) -> bool:
    """More than :data:`MAX_CLAIM_WORDS` words, counted by the gaps between them."""
    return len(text) > MAX_CLAIM_WORDS * 2 and len(_WORD_GAP.findall(text)) >= MAX_CLAIM_WORDS


_WORD_GAP = re.compile(r"\s+")


def _evidence(ms: Manuscript, options: Mapping[str, Any], scorer: Any) -> Evidence:
    abbreviations = abbreviations_of(ms)
    subjects = title_subjects(manuscript_title(ms), abbreviations)
    vocabulary = ManuscriptVocabulary(ms, abbreviations)
    titles: dict[int, list[str]] = {}
    refs: dict[int, Reference] = {}
    for r in ms.references:
        lemmas = None if r.number is None or r.confidence < MIN_CONFIDENCE else reference_title_lemmas(r, abbreviations)
        if lemmas is not None:
            refs[r.number], titles[r.number] = r, lemmas
    foreign: dict[int, list[str]] = {}
    for n, r in refs.items():
        names = {w.lower() for a in r.authors for w in re.findall(r"\w+", a)}
        foreign[n] = [t for t in vocabulary.foreign(titles[n]) if t not in names]
    min_foreign = int(options.get("min_foreign", _OPTIONS["min_foreign"]))
    subject_terms = {t for s in subjects for t in s.lemmas}

    def uncovered(n: int, named: Sequence[Subject]) -> Subject | None:
        return next((s for s in named if not covers_subject(titles[n], s)), None)

    # The sentences whose citations can be judged: running-text claims citing at most
    # ``max_references_per_sentence`` works, outside methods, scope statements and
    # "e.g." lists; with, per reference, whether some such sentence cites it without
    # naming it ("Young and collaborators have …" names the cited authors).
    by_block: dict[int, list[Citation]] = {}
    for c in ms.citations:
        by_block.setdefault(c.block, []).append(c)
    max_refs = int(options.get("max_references_per_sentence", _OPTIONS["max_references_per_sentence"]))
    claims: list[tuple[Sentence, list[Citation], list[int]]] = []
    judgeable: set[int] = set()
    for sentence in ms.sentences:
        block = ms.blocks[sentence.block]
        if block.kind not in _TEXT_KINDS or any(_METHODS.search(t) for t in block.section):
            continue
        cites = [c for c in sentence_citations(ms, sentence) if c.numbers and not c.malformed]
        numbers = list(dict.fromkeys(n for c in cites for n in c.numbers))
        if not cites or len(numbers) > max_refs or _SCOPE_OUT.search(sentence.text):
            continue
        if _too_long_for_a_claim(sentence.text):
            continue
        claims.append((sentence, cites, numbers))
        judgeable.update(n for n in numbers if n in refs and not named_in_sentence(refs[n], sentence.text))

    # RC201: the entry itself shares no distinctive word with the manuscript and names
    # none of its subjects, and several of its words appear nowhere in it.
    topic = scorer.score(topic_parts(ms), [reference_parts(refs[n]) for n in refs], abbreviations)
    off_topic: dict[int, Mismatch] = {}
    for (n, r), m in zip(refs.items(), topic, strict=True):
        fits = m.shared_distinctive > 0 or m.score >= FITS
        if (subjects and n in judgeable and foreign[n] and not fits
                and not any(covers_subject(titles[n], s) for s in subjects)):
            off_topic[n] = Mismatch(n, _subject_label(subjects), _surface(r.title or "", foreign[n], abbreviations))

    # RC202: a claim about a central subject, cited to a work that names neither that
    # subject nor anything specific of the sentence's paragraph, in words the
    # manuscript never uses.
    mismatches: list[Mismatch] = []
    contexts: dict[int, set[str]] = {}
    for sentence, cites, numbers in claims:
        block = ms.blocks[sentence.block]
        sentence_terms = terms(sentence.text, abbreviations)
        named = [s for s in subjects if names_subject(sentence_terms, s) or s.head in sentence_terms]
        if not named:
            continue
        candidates = [n for n in numbers if n in refs and foreign[n] and not named_in_sentence(refs[n], sentence.text)]
        if not candidates:
            continue
        # What the paragraph says beyond the subject itself: a specific word of it in
        # the title ("Arctic sea ice") is evidence that the work fits.  Once per
        # paragraph: per sentence, a paragraph of thousands of sentences was quadratic.
        if block.index not in contexts:
            prose = blank_citations(block.text, by_block.get(block.index, ()))
            contexts[block.index] = set(terms(prose, abbreviations)) - subject_terms
        context = contexts[block.index]
        for n in candidates:
            missed = uncovered(n, named)
            if missed is None or any(specific(t) and t in context for t in titles[n]):
                continue
            cite = next(c for c in cites if n in c.numbers)
            mismatches.append(Mismatch(n, _display(missed.phrase), _surface(refs[n].title or "", foreign[n], abbreviations), cite))

    # A pattern: one lexical mismatch in a sound bibliography is more often a synonym
    # the word lists do not know than a wrong citation; several, making up a real share
    # of the cited works, are what padded, pasted or invented reference lists look like.
    def strong(m: Mismatch) -> bool:
        """Mostly words the manuscript never uses, and at least ``min_foreign`` of them."""
        dist = len([t for t in dict.fromkeys(titles[m.number]) if distinctive(t)])
        return len(foreign[m.number]) >= min_foreign and 2 * len(foreign[m.number]) >= dist

    cited = {n for c in ms.citations for n in c.numbers if n in refs}
    bad = {m.number for m in [*mismatches, *off_topic.values()] if strong(m)}
    share = len(bad) / max(len(cited), 1)
    pattern = len(bad) >= int(options.get("min_pattern", _OPTIONS["min_pattern"])) and share >= float(options.get("min_share", _OPTIONS["min_share"]))
    # Within a pattern, a citation with weaker evidence (one foreign word) is credible
    # too: the manuscript has shown what its other references look like.
    return Evidence(off_topic, mismatches, pattern)


def _display(phrase: str) -> str:
    """A title phrase in running text: "Acute Liver Failure" -> "acute liver failure",
    acronyms and names with inner capitals ("hUC-MSCs", "SirT1") kept."""
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in phrase.split())


def _subject_label(subjects: Sequence[Subject]) -> str:
    return " or ".join(_display(s.phrase) for s in subjects[:3])


def _quoted(words: Sequence[str], n: int = 4) -> str:
    return ", ".join(f"“{w}”" for w in words[:n])


MIN_CONFIDENCE = 0.8  # only titles the reader is sure of (structured sources, recognised entries)
FITS = 0.5  # a scorer's score at or above which a work fits (a plugin scorer has no term lists)
_OPTIONS = {"min_foreign": 2, "min_pattern": 3, "min_share": 0.15, "max_references_per_sentence": 2}


def _unread_list_note(rule: Rule, ms: Manuscript) -> Iterator[Finding]:
    """One info note when most of a reference list's titles could not be read, so the
    editor knows the relevance rules were silent for want of evidence, not because
    the references fit — never one finding per entry."""
    numbered = [r for r in ms.references if r.number is not None]
    unread = [r for r in numbered if r.confidence < MIN_CONFIDENCE]
    if len(numbered) < 5 or len(unread) * 2 <= len(numbered):
        return
    first = ms.blocks[unread[0].block]
    yield rule.finding(
        ms, first.index, 0, len(first.text.rstrip()),
        f"The titles of {len(unread)} of the {len(numbered)} reference-list entries could not be read, "
        "so whether those references fit the manuscript was not judged (RC201, RC202).",
        severity=Severity.INFO,
        suggestion="Write each entry with its authors, year, title and venue, or check a copy whose "
                   "citations are reference-manager fields.",
        data={"unread_titles": [r.number for r in unread]},
    )


class OffTopicReference(Rule):
    """A reference whose title has nothing in common with the manuscript.

    What it flags:
        A reference-list entry whose title names none of the manuscript's central
        subjects (the noun phrases of its title, abbreviations expanded), shares no
        distinctive word with the manuscript's text, and carries at least
        ``min_foreign`` distinctive words the manuscript never uses ("Human
        Granulocytotropic Anaplasmosis" in a review of stem cells in liver failure),
        and is cited at least once in a running-text claim that cites at most
        ``max_references_per_sentence`` works and does not name its authors
        ("Young and collaborators have …" cites them for who they are).  A
        reference read from a bibliography file sits on its first citation.
        Reported only when the manuscript shows a pattern: at least ``min_pattern``
        references with such evidence (here or under RC202), making up at least
        ``min_share`` of its cited references.  A single odd entry in a sound
        bibliography is far more often an epigraph, a "see also" or a word the
        lists do not know than a wrong reference, so it is left alone.  Entries with
        no usable title (a lone "Abstract", a URL) or in another language are not
        judged; when that is most of the list, one info note on the list says so.

    Why it matters:
        A review on stem cells in liver failure that lists papers on gastric-cancer
        immunotherapy or anaplasmosis has a bibliography that was padded, pasted from
        another manuscript or fabricated; editors and reviewers rarely read every title.

    Example:
        In "Umbilical cord mesenchymal stem cells in acute liver failure", the entry
        "Immune Checkpoint Inhibitor Combination Therapy for Gastric Cancer: Research
        Progress", alongside several others like it.

    How to fix:
        Check that the entry is the source you meant; replace it with the work that
        supports the claim, or delete it and its citations.
    """

    code = "RC201"
    english_only = True
    name = "off-topic-reference"
    default_severity = Severity.WARNING
    options = dict(_OPTIONS)

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        yield from _unread_list_note(self, ms)
        ev = evidence(ms, options)
        if not ev.pattern:
            return
        for ref in ms.references:
            m = ev.off_topic.get(ref.number) if ref.number is not None else None
            if m is None:
                continue
            block = ms.blocks[ref.block]
            where = (ref.block, 0, len(block.text.rstrip()))
            if block.kind is not BlockKind.REFERENCE:  # from a bibliography file: on its first citation
                first = next((c for c in ms.citations if ref.number in c.numbers), None)
                if first is not None:
                    where = (first.block, first.start, first.end)
            yield self.finding(
                ms, *where,
                f"Reference {ref.number} (“{short_label(ref, 60)}”) names {_quoted(m.foreign)}, found nowhere "
                f"else in the manuscript, and none of its subjects ({m.subject}).",
                references=[ref.number],
                suggestion="Check that this is the source meant; replace or remove it and its citations.",
                data={"foreign_terms": list(m.foreign), "subjects": m.subject, "reference_title": reference_label(ref)},
            )


class CitationContextMismatch(Rule):
    """A citation whose reference does not match the claim that cites it.

    What it flags:
        A numeric citation in running text where the sentence makes a claim about one
        of the manuscript's central subjects (the noun phrases of its title, and
        abbreviations such as "hUC-MSCs" defined for them), and the cited work's title
        names neither that subject nor its head noun unqualified ("cell
        transplantation" covers stem cells, "ovarian cancer cells" do not), shares no
        distinctive word with the sentence or its paragraph, and carries at least
        ``min_foreign`` distinctive words the manuscript never uses.  A sentence that
        names the cited work (an author's surname, "DISEASES [12]") fits it.  Reported
        only when the manuscript shows a pattern: at least ``min_pattern`` references
        with such evidence, making up at least ``min_share`` of its cited
        references.  Not judged: methods sections, "as previously described",
        scope statements and "e.g." lists, sentences citing more than
        ``max_references_per_sentence`` works (an enumeration spreads its claim over
        them), "sentences" of more than 400 words (a list of names or a paragraph with
        no full stop: which words the citation supports cannot be told), figure
        legends, tables and reference entries.  References that RC201
        names as off-topic are named there once, not at each citation.

    Why it matters:
        A claim about stem-cell migration supported by a paper on smooth-muscle
        aptamers is not supported at all; mismatches are the commonest trace of
        shifted numbering, a wrong pick from a reference manager, or invented sources.

    Example:
        "hUC-MSCs can promote migration to liver injury areas ^[22]" where [22] is
        "Avβ3 Single-Stranded DNA Aptamer Attenuates Vascular Smooth Muscle Cell
        Proliferation and Migration".

    How to fix:
        Open the cited work and check that it says what the sentence claims; cite the
        right source (renumbering if needed) or rephrase the claim.
    """

    code = "RC202"
    english_only = True
    name = "citation-context-mismatch"
    default_severity = Severity.WARNING
    options = dict(_OPTIONS)

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        ev = evidence(ms, options)
        if not ev.pattern:
            return
        by_citation: dict[Citation, list[Mismatch]] = {}
        for m in ev.mismatches:
            if m.number not in ev.off_topic and m.citation is not None:
                by_citation.setdefault(m.citation, []).append(m)
        for c, bad in by_citation.items():
            parts = []
            for m in bad:
                ref = ms.reference(m.number)
                parts.append(f"Reference {m.number} (“{short_label(ref, 60)}”) names {_quoted(m.foreign, 3)} but not "
                             f"{m.subject}, which the sentence is about.")
            yield self.finding(
                ms, c.block, c.start, c.end, " ".join(parts),
                references=[m.number for m in bad],
                suggestion="Check that the cited work supports this sentence; cite the right source.",
                data={"mismatched": {str(m.number): {"foreign_terms": list(m.foreign), "subject": m.subject}
                                     for m in bad}},
            )


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return [OffTopicReference, CitationContextMismatch]


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC2", "relevance", "#8e44ad")]
