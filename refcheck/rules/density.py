"""RC4xx: how claims and citations are distributed — uncited attribution, thin sections, stacks.

These rules count; they do not judge words.  "Cited" means the sentence holds a
citation (:func:`refcheck.analysis.evidence.is_cited`), the same test the language
rules use, so a sentence is never cited for one rule and uncited for another.

What they count is read as an editor reads it: the manuscript's own work (its
methods, its results, the discussion of its own study, appendices and derivations,
paragraphs in which the authors speak of what they did) needs no outside source,
and a sentence may take its source from its neighbour ("The researchers found …"
after a cited sentence) or give it one citation per clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from refcheck.analysis.evidence import (
    block_doc,
    block_lemmas,
    block_tokens,
    claim_kind,
    is_cited,
    is_instruction,
    points_to_display,
    sentence_citations,
    supported_by_previous,
    token_range,
)
from refcheck.analysis.genre import RESULTS_HEADING, heading_title, reports_own_study
from refcheck.model import Block, BlockKind, Citation, Finding, Manuscript, Sentence, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Family, Rule
from refcheck.rules import lexicons
from refcheck.rules.citations import FLOAT_MENTION, caption_key, float_key
from refcheck.rules.language import in_summary, section_exempt, text_blocks

# Words allowed between an attribution subject and its verb: "studies have consistently shown".
_BETWEEN = frozenset(
    ["have", "has", "had", "been", "also", "consistently", "repeatedly", "clearly", "further", "all", "generally", "recently", "previously", "now", "largely", "increasingly", "collectively", "together", "already", "indeed", "both", "convincingly", "widely", "mostly"]
)
# Determiners that make the source this manuscript or an anaphor of cited work.
_SELF = frozenset(["this", "these", "those", "our", "my", "its", "their", "we", "present", "such"])
# Modifiers that make the source future or wished-for research: a call for research.
_WISHED = frozenset(["future", "further", "additional", "more", "larger", "new", "ongoing", "prospective", "forthcoming"])
_OWN_BY_DEFAULT = frozenset(["result", "finding", "datum", "data", "observation", "work"])
_OTHERS = frozenset(["existing", "previous", "prior", "published", "earlier", "other", "recent", "several", "many", "numerous"])
_PREPOSITIONS = frozenset(["on", "of", "in", "into", "from", "with", "about", "regarding", "concerning", "across", "among"])
_PASSIVE_VERBS = frozenset(["show", "demonstrate", "report", "find", "document", "prove", "establish", "suggest", "indicate", "reveal", "confirm", "observe"])
_PP_QUANT = frozenset(
    ["recent", "previous", "prior", "earlier", "several", "many", "numerous", "multiple", "various", "some", "other", "published", "existing", "current", "clinical", "experimental", "preclinical"]
)


def attribution_verbs(options: dict[str, Any]) -> frozenset[str]:
    """Reporting-verb lemmas (Hyland 1999) adjusted by the rule's ``add``/``remove``."""
    return lexicons.effective(lexicons.words("reporting-verbs-hyland1999.txt"), options)


def attribution_sources() -> frozenset[str]:
    return lexicons.words("attribution-sources.txt")


# Words in a source's noun phrase that make it other people's published work
# ("previous studies", "many authors", "emerging evidence"), and sources that are
# always other people's ("the literature", "experts", "some authors").
_OTHERS_MARKERS = frozenset(
    ["existing", "previous", "prior", "published", "earlier", "early", "past", "other", "others", "recent", "several",
     "many", "numerous", "multiple", "various", "some", "most", "emerging", "growing", "accumulating", "increasing",
     "mounting", "extensive", "ample", "considerable", "independent", "few"]
)
_EXTERNAL_SOURCES = frozenset(
    ["literature", "author", "authors", "researcher", "researchers", "investigator", "investigators", "scientist",
     "scientists", "expert", "experts", "publication", "publications", "paper", "papers"]
)


# Source nouns that, bare (no article, demonstrative or possessive), mean the literature.
_LITERATURE_BARE = frozenset(["studies", "research", "trials", "reports", "reviews", "investigations"])
# ... and words that make the set a particular one: "all studies reported", "twelve
# studies", "both trials" (in a systematic review, the studies it included).
_DETERMINERS = frozenset(["the", "a", "an", "all", "each", "every", "both", "either", "neither", "which", "what",
                          "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                          "twelve", "included", "selected", "eligible"])


@dataclass(frozen=True)
class Attribution:
    """An attribution to research found in a sentence.

    ``start``/``end`` are character offsets in the block; ``kind`` is ``source``
    ("studies show"), ``passive`` ("it has been shown that"), ``phrase`` ("in recent
    studies") or ``according`` ("according to the literature"); ``others`` is True when
    the words mark the source as other people's published work ("previous studies",
    "some authors", "the literature", bare "studies", "it has been shown") rather than
    leaving it open ("experiments indicate", "it was shown"), which in a research
    article may be the authors' own."""

    start: int
    end: int
    kind: str
    others: bool
    source: str = ""  # lemma of the source noun ("experiment"), empty for a passive


def find_attribution(ms: Manuscript, sentence: Sentence, verbs: frozenset[str]) -> tuple[int, int] | None:
    """Character span (in the block) of an attribution to research in ``sentence``,
    or None (see :func:`find_attribution_detail`)."""
    hit = find_attribution_detail(ms, sentence, verbs)
    return None if hit is None else (hit.start, hit.end)


def _marked_as_others(doc: Any, start: int, subj: int, lemmas: list[str]) -> bool:
    """Does the source phrase ``doc[start:subj + 1]`` name other people's work?  "the other
    results" (the rest of ours) does not; "other studies", "previous work" do, and so do
    bare "studies", "research", "clinical trials", "reports": authors write "our
    studies", "this study" or "the present trial" for their own, never a bare plural."""
    if lemmas[subj] in _EXTERNAL_SOURCES or doc[subj].lower_ in _EXTERNAL_SOURCES:
        return True
    bare = doc[subj].lower_ in _LITERATURE_BARE and not any(
        doc[k].lower_ in _DETERMINERS or doc[k].lower_ in _SELF or doc[k].like_num
        for k in range(max(start - 2, 0), subj))
    if bare:
        return True
    for k in range(start, subj):
        w = doc[k].lower_
        if w in _OTHERS_MARKERS and not (w == "other" and k > 0 and doc[k - 1].lower_ == "the"):
            return True
    return False


def find_attribution_detail(ms: Manuscript, sentence: Sentence, verbs: frozenset[str]) -> Attribution | None:
    """An attribution to research in ``sentence``: "studies demonstrate", "research on X
    indicates", "it has been shown that", "X has been reported to", "in recent studies",
    "according to the literature", "experts agree".  None when there is none, or when
    the source is this manuscript ("this review shows", "our data indicate", "it is
    shown that" — the present tense reports this paper), an anaphor of cited work
    ("these findings suggest") or research still to be done ("future studies should
    show")."""
    doc = block_doc(ms, sentence.block)
    a, b = token_range(ms, sentence)  # the tokens starting inside the sentence
    if a >= b:
        return None
    lemmas = block_lemmas(ms, sentence.block)
    plain = block_tokens(ms, sentence.block)
    lowers = plain.lowers
    sources = attribution_sources()
    first = a

    def hit(a: int, b: int, kind: str, others: bool, source: int | None = None) -> Attribution:
        return Attribution(plain.starts[a], plain.ends[b - 1], kind, others, "" if source is None else lemmas[source])

    for i in range(a, b):
        lem = lemmas[i]
        # Every pattern below starts at a reporting verb, "have"/"be", "in"/"by" or
        # "according": only those tokens are made into spaCy Tokens.
        if lem not in verbs and lem not in _PATTERN_LEMMAS and lowers[i] not in _PATTERN_WORDS:
            continue
        tok = doc[i]
        # 1. Source noun + (aux/adverbs) + reporting verb.
        if lem in verbs and tok.i > first and _verb_like(doc, tok, lemmas, verbs):
            j = tok.i - 1
            while j >= first and doc[j].lower_ in _BETWEEN:
                j -= 1
            subj = _source_at(doc, j, first, sources, lemmas)
            if subj is None and j >= first:
                subj = _fronted_source(doc, j, first, sources, lemmas)
            if subj is not None and not _self_or_wished(doc, subj, first) and not _modal_or_be(doc, subj, tok.i):
                start = _phrase_start(doc, subj, first)
                if any(doc[k].lower_ in _NONFINITE_HEADS for k in range(max(start - 1, first), subj)):
                    continue  # "than having all authors agree on the workflow": advice, no source
                return hit(start, tok.i + 1, "source", _marked_as_others(doc, start, subj, lemmas), subj)
        # 2. Passive: "it has been shown that", "X have been found to", "is reported to".
        if lem in ("have", "has", "be") and tok.i + 2 < len(doc):
            nxt, verb, after = doc[tok.i + 1], doc[tok.i + 2], doc[tok.i + 3] if tok.i + 3 < len(doc) else None
            if nxt.lower_ == "been" and lemmas[verb.i] in _PASSIVE_VERBS and verb.lower_.endswith(("n", "ed")) \
                    and after is not None and after.lower_ in ("that", "to"):
                a = tok.i - 1 if tok.i > first and doc[tok.i - 1].lower_ == "it" else tok.i
                # "has/have/had been shown that": the perfect reports earlier, published
                # work; authors state their own results as "we show" or "is shown".
                return hit(a, tok.i + 3, "passive", True)
        # "It was shown that": past tense only; "it is shown that" reports this paper.
        if lem == "be" and tok.lower_ in ("was", "were") and tok.i > first and doc[tok.i - 1].lower_ == "it" \
                and tok.i + 2 < len(doc):
            verb, after = doc[tok.i + 1], doc[tok.i + 2]
            if lemmas[verb.i] in _PASSIVE_VERBS and verb.lower_.endswith(("n", "ed")) and after.lower_ == "that":
                return hit(tok.i - 1, tok.i + 2, "passive", False)
        # 3. "in recent studies", "according to (the) literature / experts".
        if tok.lower_ in ("in", "by") and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ in _PP_QUANT:
            k = tok.i + 2
            while k < len(doc) and k - tok.i <= 3 and lemmas[k] not in sources:
                k += 1
            if k < len(doc) and lemmas[k] in sources and doc[k].lower_.endswith("s") and doc[k].lower_ not in ("analysis",):
                return hit(tok.i, k + 1, "phrase", _marked_as_others(doc, tok.i + 1, k, lemmas), k)
        if tok.lower_ == "according" and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ == "to":
            k = tok.i + 2
            while k < len(doc) and k - tok.i <= 4 and lemmas[k] not in sources:
                k += 1
            if k < len(doc) and _source_at(doc, k, first, sources, lemmas) is not None \
                    and not (set(t.lower_ for t in doc[tok.i + 2 : k]) & _SELF):
                return hit(tok.i, k + 1, "according", True, k)
    return None


_PATTERN_LEMMAS = frozenset(["have", "has", "be"])
# Words after which "authors agree" is the subject of a non-finite clause the authors
# recommend ("having all authors agree", "let reviewers decide"), not a report.
_NONFINITE_HEADS = frozenset(["having", "let", "letting", "make", "making", "get", "getting", "help", "helping"])
_PATTERN_WORDS = frozenset(["in", "by", "according"])
_NOUN_AMBIGUOUS = frozenset(["claim", "report", "support", "note", "point", "document", "finding", "review", "study"])


def _verb_like(doc: Any, tok: Any, lemmas: list[str], verbs: frozenset[str] = frozenset()) -> bool:
    """Is the reporting-verb candidate a verb here?  "research finding", "research claims
    and …" are nouns; "studies claim that …" is a verb.  A tagger decides when present."""
    if tok.pos_:
        return tok.pos_ in ("VERB", "AUX")
    if tok.lower_.endswith("ing"):
        return False
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    prev = doc[tok.i - 1] if tok.i > 0 else None
    if tok.lower_.endswith("ed") and (prev is None or prev.lower_ not in {"have", "has", "had"}):
        if nxt is None or nxt.lower_ in {"by", ".", ",", "in", "for", "from", "as", ";"}:
            return False  # participle: "the studies identified by the search"
        if _finite_verb_follows(doc, nxt.i, lemmas, verbs):
            return False  # reduced relative: "the studies identified demonstrated …", "… identified limited the …"
    if lemmas[tok.i] in _NOUN_AMBIGUOUS:
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        return nxt is not None and nxt.lower_ == "that"
    return True


_FINITE_AUX = frozenset(["was", "were", "is", "are", "has", "have", "had", "did", "do", "does"])
_OBJECT_START = frozenset(["the", "a", "an", "that", "this", "these", "their", "its", "our"])


def _finite_verb_follows(doc: Any, k: int, lemmas: list[str], verbs: frozenset[str]) -> bool:
    """Is ``doc[k]`` the finite verb of the clause, so that the -ed word before it is a
    participle modifying the subject?  A reporting verb ("demonstrated"), an auxiliary
    ("were"), or an -ed verb taking an object ("limited the extent"); not an adjective
    ("reported increased mortality")."""
    w = doc[k].lower_
    if w in _FINITE_AUX:
        return True
    if w.endswith("ed") and lemmas[k] in verbs:
        return True
    return w.endswith("ed") and k + 1 < len(doc) and doc[k + 1].lower_ in _OBJECT_START


def _source_at(doc: Any, j: int, first: int, sources: frozenset[str], lemmas: list[str]) -> int | None:
    """Index of the source noun ending at ``j`` ("studies", "current literature"), or None."""
    if j < first:
        return None
    tok = doc[j]
    if lemmas[j] not in sources and tok.lower_ not in sources:
        return None
    if tok.lower_.endswith("ed") and tok.lower_ not in sources:
        return None  # "the pollutants studied demonstrate": a participle, not the noun "studies"
    if j > first and doc[j - 1].lower_ in ("a", "an", "one"):
        return None  # "a research claim": one item, not the literature
    # A countable source must be plural to stand for "the literature": "studies
    # demonstrate", not "the study demonstrates" (which is about one study, usually cited
    # or this one).
    if tok.lower_ in ("study", "trial", "experiment", "report", "paper", "analysis", "review", "investigation", "survey", "publication"):
        return None
    # "results", "data", "findings" are the authors' own unless marked as others'
    # ("existing results", "previous findings", "published data").
    if lemmas[j] in _OWN_BY_DEFAULT or tok.lower_ in _OWN_BY_DEFAULT:
        k = j - 1
        while k >= first and doc[k].is_alpha and j - k <= 3:
            if doc[k].lower_ in _OTHERS and not (doc[k].lower_ == "other" and k > 0 and doc[k - 1].lower_ == "the"):
                return j  # "existing results"; "the other results" are the rest of the authors' own
            k -= 1
        return None
    return j


_NP_STOP = frozenset(["while", "although", "though", "as", "that", "which", "because", "since", "if", "when", "whereas", "but", "and", "or", "the", "a", "an"])


def _phrase_start(doc: Any, subj: int, first: int) -> int:
    """Extend the span over the source's modifiers: "Current literature", "Initial studies"."""
    k = subj
    while k - 1 >= first and subj - (k - 1) <= 3 and doc[k - 1].is_alpha and doc[k - 1].lower_ not in _NP_STOP:
        k -= 1
    return k


def _fronted_source(doc: Any, j: int, first: int, sources: frozenset[str], lemmas: list[str]) -> int | None:
    """A sentence-initial source with a prepositional phrase: "Research on X in Y demonstrates"."""
    k = first
    while k <= j and not doc[k].is_alpha:
        k += 1
    if k > j or lemmas[k] not in sources or k + 1 > j or doc[k + 1].lower_ not in _PREPOSITIONS:
        return None
    between = doc[k + 1 : j + 1]
    if len(between) > 18 or any(t.text in ",;:" or t.lower_ in ("that", "which", "who") for t in between):
        return None
    return k


def _self_or_wished(doc: Any, subj: int, first: int) -> bool:
    """"this review", "our data", "these findings", "future studies", "current study"."""
    k = subj - 1
    while k >= first and (doc[k].is_alpha or doc[k].text == "-") and subj - k <= 4:
        w = doc[k].lower_
        if w in _SELF or w in _WISHED:
            return True
        if w in ("the", "a", "an"):
            break
        k -= 1
    return False


def _modal_or_be(doc: Any, subj: int, verb: int) -> bool:
    """"studies should show", "data are reported": not a statement of what research found."""
    return any(t.lower_ in {"should", "must", "will", "would", "could", "may", "might", "can", "need", "is", "are", "was", "were", "be", "being"}
               for t in doc[subj + 1 : verb])


# -- sections and the manuscript's own work ------------------------------------------

def heading_patterns(patterns: Iterable[Any]) -> list[re.Pattern[str]]:
    """Heading patterns of a rule option: regular expressions, searched case-insensitively
    in each heading of a section's path (numbering removed).  A plain word ("funding")
    matches as a substring, as it always did; an invalid expression is taken literally."""
    out = []
    for p in patterns:
        try:
            out.append(re.compile(str(p), re.I))
        except re.error:
            out.append(re.compile(re.escape(str(p)), re.I))
    return out


def path_matches(path: Iterable[str], patterns: list[re.Pattern[str]]) -> bool:
    """Does any heading of the section path match any pattern?"""
    return any(p.search(heading_title(t)) for t in path for p in patterns)


# The manuscript calls itself a review: "In this Review", "The focus of this review",
# "we review", a title "…: a review" or "A review of …".
_SELF_REVIEW = re.compile(r"\b(?:this|the\s+present)\s+(?:(?:systematic|narrative|short|brief|mini|critical|"
                          r"comprehensive|literature)\s+)?review\b|\bwe\s+(?:briefly\s+)?review\b", re.I)
_REVIEW_TITLE = re.compile(r"\breview\b", re.I)


def is_review(ms: Manuscript) -> bool:
    """Is the manuscript a review that reports no study of its own?  Its title says so,
    or its abstract or text calls it "this review", and it has no Methods and Results."""
    cache = ms.cache.density
    if "review" not in cache:
        said = bool(ms.title and _REVIEW_TITLE.search(ms.title)) or any(
            _SELF_REVIEW.search(b.text) for b in ms.blocks
            if b.kind in (BlockKind.ABSTRACT, BlockKind.PARAGRAPH, BlockKind.KEYWORDS))
        cache["review"] = said and not reports_own_study(ms)
    return cache["review"]


# The authors announce their own study: "Here, we report …", "In this study we show …",
# "we find that …".  Reviewing ("here we review …") is not reporting a study.
_ANNOUNCES_OWN_WORK = re.compile(
    r"\b(?:here|in\s+(?:this|the\s+present)\s+(?:study|paper|work|article|report|manuscript))\s*,?\s+we\s+"
    r"(?!review|discuss|summari|survey|outline|overview|highlight|consider|describe\s+recent)\w+"
    r"|\bwe\s+(?:(?:have|also|further|now|then)\s+)?(?:report|show|demonstrate|find|found|identif\w*|uncover\w*|"
    r"observed|measured|tested|establish\w*)\b",
    re.I,
)
# A sentence whose subject is the authors: "We replicated …", "Here, we …", "Our data …".
_FIRST_PERSON_SUBJECT = re.compile(
    r"^\W*(?:(?:here|in\s+(?:this|the\s+present)\s+\w+|thus|therefore|overall|together|finally|first|second|"
    r"in\s+addition|moreover|furthermore|importantly|again|similarly)\W+)?(?:we|our|i)\b",
    re.I,
)
_URL = re.compile(r"\bhttps?://|\bwww\.\w|\bdoi:\s*10\.", re.I)
# A named source with its citation lost: "Smith et al. showed", "Smith and Jones (2004)".
_NAMED_AUTHORS = re.compile(r"\b[A-Z][\w'’-]+\s+et\s+al\b|\b[A-Z][\w'’-]+\s+(?:and|&)\s+[A-Z][\w'’-]+\s+\(\d{4}"
                            r"|\b[A-Z][\w'’-]+\s+and\s+(?:colleagues|co-?workers|co-?authors|collaborators)\b")
# The literature named without its sources: "previous clinical studies", "several
# investigators", "a body of evidence", "one of the very first papers", "was published".
# Looser than RC401's attribution (no reporting verb needed): it only tells RC402 that a
# section already short of citations speaks of sources it does not give.
# Only words that place the work in the past: "multiple researchers", "independent
# studies", "some authors" may be the people or the studies a model is about.
_PAST_MARKERS = frozenset(["previous", "prior", "earlier", "past", "published", "existing", "early"])
_LITERATURE_NOUNS = (r"(?:studies|reports|papers|publications|investigators|researchers|authors|trials|surveys|"
                     r"analyses|experiments|reviews|efforts|investigations|literature)")
_LITERATURE_MENTION = re.compile(
    rf"\b(?:{'|'.join(sorted(_PAST_MARKERS))})\s+(?:[a-z][\w-]*\s+)?{_LITERATURE_NOUNS}\b"
    r"|\b(?:a|the)\s+(?:(?:growing|large|substantial|considerable|increasing|solid)\s+)?body\s+of\s+"
    r"(?:evidence|literature|work|research)\b"
    r"|\bthe\s+(?:very\s+)?first\s+(?:papers?|stud(?:y|ies)|reports?|publications?)\b"
    r"|\b(?:was|were|has\s+been|have\s+been)\s+(?:recently\s+)?published\b|\b(?:recent\s+)?publication\s+of\b"
    # "According to Herbert Samuel", "according to the WHO": a named source, not a figure.
    r"|\baccording\s+to\s+(?:the\s+)?(?!(?:Fig|Figure|Table|Eq|Equation|Section|Box|Appendix|Supplementary)\b)"
    r"(?-i:[A-Z][\w'’.-]+)",
    re.I,
)

# Words that carry no topic: a claim and the sentence after it share topic words when
# the second elaborates the first.
_NOT_TOPIC = frozenset(
    ["study", "research", "evidence", "literature", "trial", "experiment", "result", "finding", "datum", "data",
     "work", "report", "author", "show", "demonstrate", "suggest", "indicate", "reveal", "find", "emerge",
     "emerging", "recent", "previous", "early", "other", "many", "several", "include", "example", "instance"]
)


def _topic_lemmas(ms: Manuscript, sentence: Sentence) -> set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    a, b = token_range(ms, sentence)
    lemmas = block_lemmas(ms, sentence.block)
    toks = block_tokens(ms, sentence.block)
    return {
        lemmas[i].lower() for i in range(a, b)
        if toks.alphas[i] and len(toks.lowers[i]) > 2 and toks.lowers[i] not in STOP_WORDS
        and lemmas[i].lower() not in _NOT_TOPIC and lemmas[i].lower() not in STOP_WORDS
    }


_AN_INSTANCE = re.compile(r"^\W*(?:for\s+(?:instance|example)|e\.\s?g\.|as\s+an\s+example|in\s+one\s+study)\b", re.I)


def followed_by_cited(ms: Manuscript, sentence: Sentence, shared: int = 2) -> bool:
    """Does the very next sentence of the paragraph cite, on the same topic (``shared``
    topic words in common)?  "The syntenic regions … have been reported to be linked to
    RA. These are 1q21 … [2,4]." — the citation arrives one sentence later."""
    sents = ms.sentences_in(sentence.block)
    nxt = next((t for t in sents if t.start >= sentence.end), None)
    if nxt is None or _AN_INSTANCE.match(nxt.text):
        return False  # "Studies demonstrate X. For instance, … [16]": one instance, not the studies
    if not is_cited(ms, nxt):
        return False
    return announces(sentence.text) or len(_topic_lemmas(ms, sentence) & _topic_lemmas(ms, nxt)) >= shared


#: Words at most in a sentence that only announces what the next one details.
ANNOUNCING_WORDS = 12
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
# A short sentence that ends on a "shell noun" — limitations, mechanisms, differences —
# names a kind of content and leaves the content itself to the next sentence.
_SHELL_NOUN_END = re.compile(
    r"\b(?:limitations?|problems?|issues?|challenges?|advantages?|benefits?|drawbacks?|shortcomings?|concerns?|"
    r"differences?|factors?|mechanisms?|reasons?|ways?|approaches|strategies|patterns?|trends?|effects?|findings?|"
    r"results?|features?|properties|aspects?|gaps?|caveats?|weaknesses|strengths?|domains?|questions?)\W*$",
    re.I,
)


def announces(text: str) -> bool:
    """"However, subsequent analyses revealed important limitations.": a short sentence
    ending on a shell noun announces what the next sentence details, and that sentence's
    citation is its source."""
    return len(_WORDS.findall(text)) <= ANNOUNCING_WORDS and bool(_SHELL_NOUN_END.search(text))


def opens_cited_paragraph(ms: Manuscript, sentence: Sentence, window: int = 2, shared: int = 2) -> bool:
    """Is ``sentence`` a topic sentence whose evidence follows: the first sentence of its
    paragraph, with a cited sentence among the next ``window`` that takes up its topic
    (``shared`` topic words in common)?  "Emerging evidence suggests that the variant
    influences long COVID risk. … Meta-analyses [12] show that the odds of long COVID
    declined across variants …"."""
    sents = ms.sentences_in(sentence.block)
    if not sents or sents[0].start != sentence.start:
        return False
    mine = _topic_lemmas(ms, sentence)
    return any(is_cited(ms, s) and len(mine & _topic_lemmas(ms, s)) >= shared for s in sents[1 : 1 + window])


# Sources that may be the authors' own when nothing marks them as others' ("experiments
# indicate", "the data show"); "research" and "studies" are the literature's.
_OWN_CAPABLE = frozenset(
    ["experiment", "analysis", "result", "finding", "datum", "data", "observation", "evidence", "measurement",
     "simulation", "survey", "investigation"]
)


METHODS_PATTERNS = [
    r"\bmethods?\b", r"\bmethodology\b", r"\bmaterials\b", r"\bprocedures?\b", r"\bprotocols?\b",
    r"\bstatistical analys[ie]s\b",
]
APPENDIX_PATTERNS = [
    r"\bappendi(?:x|ces)\b", r"\bsupplementa", r"\bsupporting information\b", r"\bderivations?\b", r"\bproofs?\b",
]
ATTRIBUTION_EXEMPT = [*METHODS_PATTERNS, r"^results?\b",
                      r"^(?:numerical\s+|computational\s+)?(?:simulations?|experiments?)\b", *APPENDIX_PATTERNS]


class UncitedAttribution(Rule):
    """A sentence attributes a claim to research ("studies demonstrate") but cites nothing.

    What it flags:
        The attribution itself — "studies demonstrate", "research indicates",
        "numerous clinical trials have demonstrated", "current literature indicates",
        "it has been shown that", "X has been reported to", "in recent studies",
        "according to the literature", "experts agree" — in a sentence with no
        citation.

        Not flagged: calls for research ("more trials are needed", "future studies
        should show"); conditions ("unlikely until the model has been shown to be
        effective", "unless trials demonstrate"); advice ("should be considered by
        other researchers"); a pointer to where the text itself treats the matter
        ("as described above", "as reported later"); this manuscript and its own results ("this review shows",
        "our data indicate", "it is shown that", "We replicated effects documented in
        other studies", "the presented studies confirm", "the experiments shown in
        Figure 4", a figure whose legend cites the sources); the experiments or
        analyses of the study the paragraph has cited ("Zhang et al. [26] proposed …
        Experiments on PM2.5 show …"); a sentence that points back to the source cited just before
        it ("The researchers found …", "These studies …", "They …" after a cited
        sentence); a sentence that names its source by address (a URL or DOI); any
        sentence with a citation, wherever in the sentence it closes the clause; and
        the sections where the authors present their own work — methods, results,
        simulations, appendices, derivations and supplementary material (option ``exempt``,
        regular expressions matched in the section's headings) — unless the
        attribution names other people's work ("previous studies have shown") in a
        sentence that is not an inclusion or exclusion criterion ("data reported in
        other publications were excluded").  In a paragraph where
        the authors announce their own study ("Here, we report …"), an attribution
        that does not name other people's work ("previous", "published", "other",
        "many", "the literature", "authors") and whose source may be theirs
        ("experiments", "data", "analyses", "evidence") is taken as theirs and not
        flagged.

        Not judged: the abstract, which carries no citations by convention.  Info,
        not warning: in the conclusions, which summarise what the body cites
        (``summary_severity``).  Weak evidence gives no finding unless
        ``report_weak = true`` asks for it (then at info): a topic sentence opening a
        paragraph whose next sentences cite the evidence on the same topic
        ("Emerging evidence suggests X. … Meta-analyses [12] show X …"), or a short
        sentence that ends on a shell noun and so announces what the next, cited
        sentence details ("Subsequent analyses revealed important limitations."); and,
        in the
        Discussion of a manuscript that reports its own study (it has Methods and
        Results), an attribution that does not name other people's work ("Three
        lines of evidence indicate …").  A severity set in the configuration applies
        to every finding.

        Not run on a manuscript that reports a study of its own (Methods and Results
        headings) or on a notice (a retraction, a letter, a commentary): there such
        words mostly describe the authors' own data, and blind editors judged few of
        these findings worth sending on published research articles refcheck had not
        seen.  ``claims-everywhere = true`` runs it on them too.

    Why it matters:
        "Studies show" promises evidence and withholds it: the reader cannot tell
        which studies, how many, or whether they exist.  It is the commonest form of
        unsupported claim in reviews.

    Example:
        "Studies demonstrate that hUC-MSCs can protect and repair the liver." — no
        citation: "Studies demonstrate" is flagged.

    How to fix:
        Cite the studies meant, right after the claim they support — or, if the
        claim is the authors' own reasoning or result, say so and drop the
        attribution.
    """

    code = "RC401"
    english_only = True
    literature_claims = True
    name = "uncited-attribution"
    default_severity = Severity.WARNING
    options = {"add": [], "remove": [], "summary_severity": "info", "exempt": ATTRIBUTION_EXEMPT, "report_weak": False}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        verbs = attribution_verbs(options)
        # A severity the user configured is what every finding gets; the defaults grade.
        summary_sev = self.severity if self.configured else Severity(str(options.get("summary_severity", "info")).lower())
        exempt = heading_patterns(options.get("exempt", ATTRIBUTION_EXEMPT))
        blocks = {b.index: b for b in text_blocks(ms)}
        for s in ms.sentences:
            block = blocks.get(s.block)
            if block is None or block.kind is BlockKind.ABSTRACT:
                continue  # abstracts carry no citations by convention: their sources are in the body
            judged = judge_attribution(ms, s, block, verbs)
            if judged is None:
                continue
            hit, why = judged
            # Methods, results and appendices report the authors' own work; there only
            # an attribution marked as other people's ("previous studies have shown")
            # still asks for its source.
            if path_matches(block.section, exempt) and (not hit.others or _CRITERION.search(s.text)):
                continue  # (an eligibility criterion names "other publications" as a filter, not a source)
            if in_summary(block):
                severity = summary_sev
            elif why and not self.configured:
                if not options.get("report_weak"):
                    continue  # weak evidence: silence, unless the user asks for it
                severity = Severity.INFO
            else:
                severity, why = self.severity, None
            phrase = block.text[hit.start : hit.end]
            yield self.finding(
                ms, block.index, hit.start, hit.end,
                f"“{phrase}” attributes the claim to published research, but the sentence cites none. "
                "Cite the studies meant.",
                severity=severity,
                suggestion="Add the citation(s) for the research this sentence refers to.",
                data={"graded": why} if why else None,
            )


# A source noun qualified by the steps of a systematic search names the studies the
# authors' own review collected, not published support for a claim.
_SEARCH_PARTICIPLE = re.compile(
    r"\s*(?:stud(?:y|ies)|trials|reports|articles|papers)?\s*\b(?:identified|included|selected|retrieved|screened|"
    r"eligible|excluded|analy[sz]ed|assessed|reviewed|pooled)\b",
    re.I,
)


def judge_attribution(ms: Manuscript, s: Sentence, block: Block, verbs: frozenset[str]) -> tuple[Attribution, str | None] | None:
    """RC401's reading of one sentence: None when it holds no uncited attribution an
    editor would query, else the attribution and, when the evidence is weak, why (a
    topic sentence whose next sentences cite; the discussion of the authors' own study)."""
    if is_cited(ms, s):
        return None
    hit = find_attribution_detail(ms, s, verbs)
    if hit is None or supported_by_previous(ms, s) or _URL.search(s.text):
        return None
    if _SEARCH_PARTICIPLE.match(block.text, hit.end) or _SEARCH_PARTICIPLE.search(block.text[hit.start : hit.end]):
        return None  # "for most studies identified …": the studies the authors' own search found
    if _HYPOTHETICAL.search(block.text[s.start : hit.start]):
        return None  # "unlikely until the model has been shown to be effective": a condition, not a claim
    if _RECOMMENDED.search(block.text[s.start : hit.start]):
        return None  # "should be considered carefully by other researchers": advice to them, not their finding
    if _REVIEWED_SOURCE.search(s.text) and ms.citations and ms.citations[0].block <= s.block:
        return None  # "The presented studies confirm …": the studies this review has cited
    if _CROSS_REFERENCE.search(s.text):
        return None  # "as described above", "as reported later": the text cites them where it says
    if hit.kind == "phrase" and _FIRST_PERSON_SUBJECT.match(s.text):
        return None  # "We replicated several effects documented in other studies": the authors' result
    if not hit.others and hit.source in _OWN_CAPABLE and _ANNOUNCES_OWN_WORK.search(block.text):
        return None  # "Here, we report … Genetic epistasis experiments indicate …": their experiments
    if not hit.others and reports_own_study(ms) and _in_discussion(block):
        return hit, "discussion of the authors' own study"
    if _anaphoric(ms, s, block, hit):
        return None  # "According to the authors …" after Pan et al. [12]: the source is cited
    if _shown_in_display(ms, s, hit):
        return None  # "The DSC experiments shown in Figure 49 …": the evidence is on display
    if opens_cited_paragraph(ms, s):
        return hit, "topic sentence; the next sentences cite"
    if followed_by_cited(ms, s):
        return hit, "the next sentence cites the evidence on the same topic"
    return hit, None


# A subordinator that makes what follows a condition or a hypothesis: "until the model
# has been shown to be effective", "unless trials demonstrate", "if studies confirm".
# Only in the clause just before the attribution (no sentence break, at most six words).
_HYPOTHETICAL = re.compile(r"\b(?:until|unless|if|once|whether)\s+(?:[\w'’-]+\s+){0,6}$", re.I)
# A modal of obligation just before the attribution: advice addressed to researchers.
_RECOMMENDED = re.compile(r"\b(?:should|must|ought\s+to|needs?\s+to)\s+(?:[\w'’-]+\s+){0,4}$", re.I)
# Sources the sentence itself says were presented in this text: "the presented studies",
# "the studies reviewed above" (those it has cited).
_REVIEWED_SOURCE = re.compile(
    r"\b(?:the|these)\s+(?:presented|reviewed|above|aforementioned|above-?mentioned|cited|discussed|mentioned|included|"
    r"surveyed)\s+(?:stud(?:y|ies)|works?|papers?|articles?|reports?|publications?|trials?)\b"
    r"|\b(?:stud(?:y|ies)|works?|papers?|articles?)\s+(?:reviewed|presented|discussed|cited|mentioned)\s+(?:above|here|earlier)\b",
    re.I,
)
# A pointer to where this text itself treats the matter (and cites it).
_CROSS_REFERENCE = re.compile(
    r"\bas\s+(?:described|discussed|mentioned|reported|reviewed|noted|shown|outlined|detailed)\s+"
    r"(?:above|below|later|earlier|previously\s+in\s+this|in\s+(?:section|chapter)\s+\d|in\s+the\s+(?:previous|next|following)\s+section)",
    re.I,
)
# Inclusion and exclusion criteria of the authors' own search (in their methods).
_CRITERION = re.compile(r"\b(?:were|was|are|is|be)\s+(?:excluded|included)\b|\beligib|\b(?:inclusion|exclusion)\b", re.I)


# "the authors", "the researchers", "the study": a definite source is one the paragraph
# has already named; "This methodology has been shown …" points at the sentence before.
_DEFINITE_SOURCE = re.compile(r"\bthe\s+(?:authors?|researchers?|investigators?|group|team|study|trial)\b", re.I)
_DEMONSTRATIVE_START = re.compile(r"^\W*(?:this|these|such|those)\s+[a-z]", re.I)


def _anaphoric(ms: Manuscript, s: Sentence, block: Block, hit: Attribution) -> bool:
    """Does the attribution point back to a source cited earlier in its paragraph?
    "Experiments by the authors showed …" (any earlier sentence cites the authors
    meant) or "This methodology has been shown …" (the sentence just before cites)."""
    earlier = [t for t in ms.sentences_in(s.block) if t.end <= s.start]
    if not earlier:
        return False
    cited_before = any(is_cited(ms, t) for t in earlier)
    if _DEFINITE_SOURCE.search(s.text) and cited_before:
        return True  # "According to experiments done by the authors …" after "In [12] the authors …"
    if (not hit.others and hit.source in _OWN_CAPABLE and cited_before
            and not _PERFECT.search(block.text[hit.start : hit.end])):
        # "Zhang et al. [26] proposed … Experiments on PM2.5 concentrations show …": the
        # experiments, analyses and results of the study the paragraph has cited.  The
        # perfect ("experiments have revealed") states what the literature holds.
        return True
    if not hit.others and cited_before and _NARRATED.search(block.text[hit.start : hit.end]):
        # "Haloi [33] trained a CNN … Experiments on ROC and DIA demonstrated …": the
        # simple past goes on telling the cited study; "experiments have shown" (the
        # perfect) would state what the literature holds.
        return True
    return bool(_DEMONSTRATIVE_START.match(s.text)) and is_cited(ms, earlier[-1])


def _shown_in_display(ms: Manuscript, s: Sentence, hit: Attribution) -> bool:
    """Does the sentence send the reader to a figure or table that holds the evidence:
    the authors' own ("experiments shown in Figure 49", an attribution not marked as
    others'), or one whose caption cites the sources ("Figure 2 summarizes the
    conductivities reported in previous research" under a legend that cites them)?"""
    if not points_to_display(s.text):
        return False
    if not hit.others:
        return True
    keys = {float_key(m.group(1), m.group(2)) for m in FLOAT_MENTION.finditer(s.text)}
    return any(caption_key(ms.blocks[c.block].text) in keys for c in ms.citations
               if ms.blocks[c.block].kind is BlockKind.CAPTION)


_PERFECT = re.compile(r"\b(?:has|have|had)\b", re.I)


# A reporting verb in the simple past, no perfect: "experiments demonstrated", "the
# analysis showed" — narration of one study, not "experiments have demonstrated".
_NARRATED = re.compile(r"^(?!.*\b(?:has|have|had)\b).*\b(?:\w+ed|showed|shown|found|saw|made|gave|led|held|took)\s*$",
                       re.I | re.S)


_DISCUSSION_HEADING = re.compile(r"^(?:general\s+)?discussion\b|^results\s+and\s+discussion\b", re.I)


def _in_discussion(block: Block) -> bool:
    return any(_DISCUSSION_HEADING.search(heading_title(t)) for t in block.section)


# -- RC402 --------------------------------------------------------------------

DEFAULT_EXEMPT = [
    # front matter and back matter
    r"^authors?\b", r"^author (?:information|details|affiliations?|notes?)\b", r"\baffiliations?\b",
    # Word-bounded, so that "Financial incentives", "Conflict between models", "The
    # contribution of genetics" and "Cross-references" stay body sections.
    r"\bcorrespondence\b", r"\borcid\b", r"\bcontributors?\b", r"contributions?$", r"contribution statement",
    r"author(?:s'?|'s)? contributions?",
    "abstract", r"key ?words", "conclusion", "concluding", "summary", "acknowledg", r"\bfunding\b",
    r"^financial (?:support|disclosures?|interests?)\b", r"\bdisclosures?\b", r"conflicts? of interests?",
    r"competing (?:financial )?interests?", "data availability", r"availability of (?:data|materials|code)",
    "code availability", r"^references?[.:]?$", r"\breferences[.:]?$", "bibliography", r"^declarations?\b",
    r"declaration of (?:interest|compet)", r"^publisher", "abbreviation",
    # the authors' own work: methods, results, appendices and derivations, limitations, plans
    *METHODS_PATTERNS, r"^results?\b", "case report", "case presentation",
    r"^ethics(?: approval| statement| declarations?)?[.:]?$", r"ethics (?:approval|statement|committee)",
    *APPENDIX_PATTERNS, r"\blimitations?\b",
    # sidebars that explain ("Box 2: How version control systems work") and glossaries;
    # the figures and tables a manuscript collects at its end (their legends)
    r"^box\s*\d+\b", r"\bglossary\b",
    r"^(?:figures?|tables?)(?:\s+and\s+(?:figures?|tables?))?(?:\s+(?:legends?|captions?))?[.:]?$",
    r"\bfuture (?:work|directions?|enhancements?|plans?|developments?|perspectives?|research|studies)\b",
]
# Exempt when the manuscript reports its own study (see reports_own_study).
DEFAULT_EXEMPT_OWN_STUDY = [r"^(?:general\s+)?discussion\b"]
_OWN_WORK = re.compile(r"\b(?:we|our|us)\b|\b(?:Fig(?:ure)?s?\.?|Table|Supplementary)\s*S?\d", re.I)


def _sections(ms: Manuscript) -> list[tuple[Block | None, list[Block]]]:
    """(heading, body paragraphs up to the next heading of any level), in order."""
    out: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for b in ms.blocks:
        if b.kind is BlockKind.HEADING:
            out.append((b, []))
        elif b.kind is BlockKind.PARAGRAPH:
            out[-1][1].append(b)
    return out


# The authors as writers, not as researchers: "we shall define", "we do not consider",
# "For each library, we describe …", "We illustrate with specific examples".  Such a
# sentence guides the reader; it neither marks the claims around it as the authors'
# own findings nor is a claim itself.
_DISCOURSE = re.compile(
    r"\b(?:we|I)\s+(?:(?:shall|will|do|does|not|briefly|first|now|then|also|further|next|only|here|"
    r"can(?:not)?|won't|don't)\s+)*(?:define|discuss|consider|review|focus|summari[sz]e|outline|look\s+at|"
    r"turn\s+to|refer|mention|return\s+to|illustrate|describe|demonstrate\s+with|report\s+on)\b"
    r"|\bthis\s+(?:review|essay|perspective|primer|tutorial)\s+(?:is\s+(?:structured|organi[sz]ed)|"
    r"focus|will|examines|discusses|considers|looks|covers)",
    re.I,
)


def _discourse(ms: Manuscript, sentence: Sentence) -> bool:
    """In a review, the authors guiding the reader ("we do not consider …", "For each
    library, we describe …", "This Review is structured as follows")."""
    return is_review(ms) and bool(_DISCOURSE.search(sentence.text))


def _own_work(sentence: Sentence) -> bool:
    """About the authors' own work: "we", "our", "Figure 2", "Table 1"."""
    return bool(_OWN_WORK.search(sentence.text)) or points_to_display(sentence.text)


def _count(ms: Manuscript, blocks: list[Block], by_block: dict[int, list[Sentence]]) -> tuple[int, int, int]:
    """(claim sentences, cited claim sentences, words) over ``blocks``.

    A cited sentence counts as a claim even when no claim pattern fires: the author
    judged it needed support.  Sentences about the authors' own work ("we", "our",
    "Figure 2") are not counted: they need no citation.
    """
    claims = cited = words = 0
    for b in blocks:
        words += len(b.text.split())
        for s in by_block.get(b.index, []):
            c = is_cited(ms, s)
            if c:
                claims += 1
                cited += 1
            elif not _own_work(s) and not _discourse(ms, s) and (claim_kind(ms, s) or _names_sources(s)):
                claims += 1
    return claims, cited, words


def _names_sources(sentence: Sentence) -> str | None:
    """The words by which a sentence speaks of sources: named authors ("Smith et al.")
    or the literature ("previous studies", "a body of evidence").  Such a sentence is a
    claim about the literature whether or not a claim pattern fires."""
    m = _NAMED_AUTHORS.search(sentence.text) or _LITERATURE_MENTION.search(sentence.text)
    return m.group(0) if m else None


def _uncited_appeal(ms: Manuscript, blocks: list[Block], by_block: dict[int, list[Sentence]],
                    verbs: frozenset[str]) -> str | None:
    """The first words in ``blocks`` that refer to sources without citing them — an
    attribution to research ("numerous trials have demonstrated") or named authors
    ("Smith et al. showed") in an uncited sentence, not pointing back to a cited one.
    Such a section says its claims come from the literature and gives none of it."""
    for b in blocks:
        for s in by_block.get(b.index, []):
            if is_cited(ms, s) or _URL.search(s.text) or supported_by_previous(ms, s):
                continue
            named = _names_sources(s)
            if named:
                return named
            judged = judge_attribution(ms, s, b, verbs)
            if judged is not None and judged[1] is None:
                return b.text[judged[0].start : judged[0].end]
    return None


DISPLAY_WEIGHT = 4
_ADVICE = re.compile(
    r"\b(?:should|must|we\s+(?:recommend|suggest|advise|encourage)|it\s+is\s+(?:worth|best|advisable|a\s+good\s+idea)|"
    r"(?:need|needs|have|has)\s+to|may\s+wish\s+to|be\s+sure)\b",
    re.I,
)


def _unmarked(ms: Manuscript, blocks: list[Block], by_block: dict[int, list[Sentence]]) -> bool:
    """Does nothing in ``blocks`` tell the reader the claims are the authors' own?  At
    most a quarter of the sentences are the authors' (first person, "we", "our"), a
    pointer to their own figure or table counting for ``DISPLAY_WEIGHT`` sentences:
    one figure in a short section marks it, one figure in twenty claims does not.
    In a review (:func:`is_review`) the figures and tables sum up the literature, so a
    pointer to one counts as one sentence, and the authors guiding the reader ("we
    describe …", "we do not consider …") mark nothing."""
    sents = [s for b in blocks for s in by_block.get(b.index, []) if not _discourse(ms, s)]
    # A pointer to the authors' own figure or table stands for the few claims around it
    # (counted four times); a long section of claims with one such pointer stays unmarked.
    weight = 1 if is_review(ms) else DISPLAY_WEIGHT
    own = sum(weight if points_to_display(s.text) else 1 for s in sents if _own_work(s))
    if 4 * own > len(sents):
        return False
    # A section of advice ("Add a file called CHANGELOG.txt …", "raw data should not
    # change", "we recommend …") is the authors' own recommendation, marked as such.
    advice = sum(1 for s in sents if _ADVICE.search(s.text) or is_instruction(s.text))
    return not (advice >= 3 and 3 * advice >= len(sents))


class LowCitationDensity(Rule):
    """A body section (or paragraph) whose claims go largely uncited.

    What it flags:
        Per section, heading to heading: the claim sentences — effects and causes
        ("X reduces Y"), attributions ("studies show"), comparisons, numbers — and how
        many of them carry a citation.  A section with at least ``min_claims`` (3)
        claims of which under ``min_cited_ratio`` (25%) are cited is flagged on its
        heading, with the figures ("5 claims, 0 cited, 98 words").  A paragraph of at
        least ``paragraph_min_claims`` (4) claims and no citation at all is flagged on
        its first sentence when its section as a whole passed and no sentence of it
        speaks of the authors' own work.  Sentences about the authors' own work
        ("we", "our", "Figure 2") are not counted.

        The finding is a warning when the section (or paragraph) also appeals to
        sources it does not cite — "numerous clinical trials have demonstrated",
        "Initial studies indicate", "Smith et al. showed", "a body of evidence has
        confirmed", "one of the very first papers", "according to Herbert Samuel"
        with no citation (such a sentence counts as a claim) — so its claims say
        they come from the literature and the sources are missing; and
        when a titled section cites nothing at all and nothing in it is the
        authors' own (no pointer to their figures or tables, at most a quarter of
        its sentences in the first person), so nothing tells the reader where its
        claims come from.  In a review (it calls itself one and reports no study of
        its own) a figure or table sums up the literature and counts as one
        sentence, and the authors guiding the reader ("For each library, we
        describe …", "we do not consider …") mark nothing.  Otherwise the sparse citations may be the authors' own
        synthesis or argument (an essay's untitled opening, a model, a description
        of their software next to its figure): weak evidence, no finding unless
        ``report_weak = true`` asks for it (then at info).  A severity set in the
        configuration applies to every finding.

        Only body prose is tested.  Exempt by default (option ``exempt``: regular
        expressions searched in the section's headings, numbering removed): front
        matter (authors, affiliations, correspondence, ORCID, contributions),
        abstract, keywords, conclusions, acknowledgements, funding, disclosures and
        conflicts, data availability, references; methods, results, case reports,
        ethics; appendices, derivations, proofs and supplementary material;
        limitations; future work and plans.  In a manuscript that reports its own
        study (it has a Methods and a Results heading) the Discussion is exempt too
        (option ``exempt_own_study``): it interprets the authors' own data.

        Not run on a manuscript that reports a study of its own (Methods and Results
        headings) or on a notice (a retraction, a letter, a commentary): there such
        words mostly describe the authors' own data, and blind editors judged few of
        these findings worth sending on published research articles refcheck had not
        seen.  ``claims-everywhere = true`` runs it on them too.

    Why it matters:
        A stretch of review or introduction with no citations is either the authors'
        own synthesis, which should say so, or claims whose sources were lost.
        Either way the reader cannot check it.

    Example:
        "2.5.2. Economic evaluation" — 4 claims about costs and benefits, none cited,
        and "Initial studies indicate …" with no study named: a warning.

    How to fix:
        Cite the sources of the claims, or make plain which statements are the
        authors' own argument.  Tune with ``[tool.refcheck.options.RC402]``:
        ``min_claims``, ``min_cited_ratio``, ``paragraph_min_claims``, ``exempt``,
        ``exempt_own_study``.
    """

    code = "RC402"
    english_only = True
    literature_claims = True
    name = "low-citation-density"
    default_severity = Severity.WARNING
    options = {"min_claims": 3, "min_cited_ratio": 0.25, "paragraph_min_claims": 4, "exempt": DEFAULT_EXEMPT,
               "exempt_own_study": DEFAULT_EXEMPT_OWN_STUDY, "report_weak": False}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        if ms.citation_style == "none" and not ms.references:
            return
        min_claims = int(options.get("min_claims", 3))
        ratio = float(options.get("min_cited_ratio", 0.25))
        para_min = int(options.get("paragraph_min_claims", 4))
        exempt = heading_patterns(options.get("exempt", DEFAULT_EXEMPT))
        if reports_own_study(ms):
            exempt += heading_patterns(options.get("exempt_own_study", DEFAULT_EXEMPT_OWN_STUDY))
        verbs = attribution_verbs({})
        by_block: dict[int, list[Sentence]] = {}
        for s in ms.sentences:
            by_block.setdefault(s.block, []).append(s)

        report_weak = bool(options.get("report_weak"))

        def grade(appeal: str | None, unmarked: bool = False) -> Severity:
            return self.severity if self.configured or appeal or unmarked else Severity.INFO

        def weak(appeal: str | None, unmarked: bool = False) -> bool:
            """Weak evidence (no uncited appeal to sources, marked as the authors' own)
            gives no finding unless ``report_weak`` asks for one, at info severity."""
            return grade(appeal, unmarked) is Severity.INFO and not report_weak

        for heading, body in _sections(ms):
            if not body:
                continue
            path = heading.section if heading is not None else body[0].section
            if heading is not None and not path:
                path = (heading.text,)
            if path_matches(path, exempt) or section_exempt(body[0]) or path_matches(body[0].section, exempt):
                continue
            body = [b for b in body if not in_summary(b)]
            claims, cited, words = _count(ms, body, by_block)
            if claims >= min_claims and cited < ratio * claims:
                anchor = heading if heading is not None else body[0]
                text = anchor.text
                start = len(text) - len(text.lstrip())
                title = heading.text.strip() if heading is not None else "the text before the first heading"
                appeal = _uncited_appeal(ms, body, by_block, verbs)
                unmarked = heading is not None and cited == 0 and _unmarked(ms, body, by_block)
                why = f" It refers to sources it does not cite (“{appeal}”)." if appeal else ""
                if weak(appeal, unmarked):
                    continue
                yield self.finding(
                    ms, anchor.index, start, len(text.rstrip()),
                    f"Section “{title}”: {claims} claims, {cited} cited, {words} words. "
                    f"Most of its claims give the reader no source to check.{why}",
                    severity=grade(appeal, unmarked),
                    suggestion="Cite the sources of these claims, or make clear which are the authors' own argument.",
                    data={"claims": claims, "cited": cited, "words": words, "scope": "section", "appeal": appeal},
                )
                continue
            for b in body:
                claims, cited, words = _count(ms, [b], by_block)
                sents = by_block.get(b.index, [])
                if claims < para_min or cited or any(_own_work(s) for s in sents):
                    continue
                appeal = _uncited_appeal(ms, [b], by_block, verbs)
                if weak(appeal):
                    continue
                why = f" It refers to sources it does not cite (“{appeal}”)." if appeal else ""
                s = sents[0]
                yield self.finding(
                    ms, b.index, s.start, s.end,
                    f"Paragraph of {claims} claims with no citation ({words} words).{why}",
                    severity=grade(appeal),
                    suggestion="Cite the sources of these claims, or make clear they are the authors' own argument.",
                    data={"claims": claims, "cited": 0, "words": words, "scope": "paragraph", "appeal": appeal},
                )


# -- RC403 --------------------------------------------------------------------

STACKING_EXEMPT = [*METHODS_PATTERNS, *APPENDIX_PATTERNS]
_NUMBER_WORDS = {
    w: n for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "hundreds": 100, "dozens": 24}
# "many studies", "numerous recent works", "seven controlled IPTc studies", "over 16 trials":
# the sentence speaks of a set of studies, and the citation lists its members.
_STUDY_SET = re.compile(
    r"\b(?P<q>many|numerous|several|multiple|various|a\s+number\s+of|a\s+series\s+of|a\s+range\s+of|dozens\s+of|"
    r"hundreds\s+of|\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(?:[\w-]+\s+){0,3}?"
    r"(?:stud(?:y|ies)|trials|works|papers|reports|publications|articles|investigations|experiments|cohorts|"
    r"analyses|reviews|groups|datasets|surveys|meta-analyses)\b",
    re.I,
)
# Between two citations, nothing but connectives: "[1–4] and [5–8]", "[3], see also [9–12]".
_CONNECTIVE_GAP = re.compile(
    r"^(?:[\s,;:()\[\]–—-]|\band\b|\bor\b|\bsee\b|\balso\b|\be\.g\.|\bcf\.?|\bi\.e\.|\breviewed\s+in\b|"
    r"\bfor\s+(?:a\s+)?reviews?\b|\brefs?\.?|\breferences\s+therein\b)*$",
    re.I,
)
_COORDINATOR = re.compile(r"(?<!,)\s+(?:and|or)\s+", re.I)


# A class of works the authors' field builds or runs: "Semi-automatic methods are a way
# to accelerate curation [28,32–37]", "individual crosses for specific traits [4]…[41]".
_CLASS_OF_WORKS = re.compile(
    r"\b(?:methods|tools|approaches|techniques|algorithms|databases|resources|platforms|programs|packages|"
    r"pipelines|frameworks|software|crosses|surveys|cohorts|datasets|projects|initiatives)\b",
    re.I,
)


# "many sources [2–8]", "Several aligners have been developed … [7 refs]": a quantified
# plural names the set its citation lists, whatever the noun.
_QUANTIFIED_PLURAL = re.compile(
    r"\b(?:many|numerous|several|multiple|various|a\s+(?:number|range|variety|series)\s+of)\s+"
    r"(?:[\w-]+\s+){0,2}?[a-z][\w-]{2,}(?<!s)s\b",
    re.I,
)


# A systematic review's tally of its included studies: "Sweden (n=19) [52]–[70]".
_TALLY = re.compile(r"\(\s*[nk]\s*=\s*(\d+)\s*\)\s*$", re.I)


def _in_results(block: Block) -> bool:
    """Under a "Results" heading.  In a manuscript reporting its own study, a long
    citation there lists the works the study synthesised — the included studies of a
    systematic review behind each theme — not references padding a claim."""
    return any(RESULTS_HEADING.search(heading_title(t)) for t in block.section)


def _names_its_set(segment: str, n: int) -> bool:
    """Does the clause before the citation speak of the set of studies it cites?  A count
    must be at least half the references cited ("twelve studies [12–23]"); a class of
    works ("semi-automatic methods", "individual crosses") is listed by its members; a
    tally "(n=19)" right before the citation counts the very studies it lists."""
    tally = _TALLY.search(segment)
    if tally and int(tally.group(1)) * 2 >= n:
        return True
    if _CLASS_OF_WORKS.search(segment) or _QUANTIFIED_PLURAL.search(segment):
        return True
    for m in _STUDY_SET.finditer(segment):
        q = m.group("q").lower()
        value = int(q) if q.isdigit() else _NUMBER_WORDS.get(q)
        if value is None or value * 2 >= n:
            return True
    return False


def _enumerates(segment: str, n: int) -> bool:
    """Is the citation the sources of a list of at least three items ("mice lacking GH,
    estrogen, IGF-1, GH receptor, or ERα [17,24–31]") with at most two references per
    item?  Then each listed item has its sources: the references are distributed."""
    commas = segment.count(",")
    coordinators = len(_COORDINATOR.findall(segment)) + len(re.findall(r",\s+(?:and|or)\s+", segment, re.I))
    if commas < 1 or not coordinators:
        return False
    items = commas + len(_COORDINATOR.findall(segment)) + 1
    return items >= 3 and n <= 2 * items


def _groups(block_text: str, cits: list[Citation]) -> list[list[Citation]]:
    """The sentence's citations, adjacent ones merged: only connectives between them."""
    groups: list[list[Citation]] = []
    for c in cits:
        if groups and _CONNECTIVE_GAP.match(block_text[groups[-1][-1].end : c.start]):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


# A legend or a table row written as text (Markdown): "Figure 2. …", "Table S1: …",
# "![Figure 1 …](fig1.png)", "| a | [1–12] |".
_LEGEND_TEXT = re.compile(
    r"^\s*(?:!\[|\|)|^\s*(?:(?:Supplementary|Additional|Supporting)\s+)?(?:Fig(?:ure)?s?\.?|Tables?|Box)\s*S?\d+[A-Za-z]?\s*[.:|]",
    re.I,
)


def is_legend(block: Block) -> bool:
    """A figure legend, table cell or supplementary caption, by reader kind or by form."""
    return block.kind in (BlockKind.CAPTION, BlockKind.TABLE_CELL) or bool(_LEGEND_TEXT.match(block.text))


def _reference_count(cits: list[Citation]) -> int:
    return len({n for c in cits for n in c.numbers}) + sum(len(c.authors_year) for c in cits if not c.numbers)


class CitationStacking(Rule):
    """One citation, or one run of adjacent citations, that names more than N references.

    What it flags:
        A single citation naming more than ``max_references`` (6) references
        ("[3–12]"), and a run of citations with only connectives between them
        ("[1–4] and [5–8]", "[3], see also [9–12]") naming more than that many
        together, flagged on the run.

        Not flagged: a sentence whose clauses each carry their own citations
        ("… development [15–19], and … injury in mammals [5] and lower vertebrates
        [20,21]"), however many references they add up to; a citation after a list of
        at least three items with at most two references per item ("mice lacking GH,
        estrogen, IGF-1, GH receptor, or ERα [17,24–31]"); a citation of the very set
        of studies the sentence speaks of ("many studies applied this technique
        [15–22]", "pooling of data across twelve studies [12,13,19–28]", a review's
        tally of its included studies "Sweden (n=19) [52]–[70]") or of the
        members of a class of works it names ("semi-automatic methods are a way to
        accelerate curation [28,32–37]"); figure
        legends, table cells and supplementary captions, which list the studies a
        meta-analysis includes (``legends = true`` checks them); the Results of a
        manuscript that reports its own study (there the citations are the works it
        synthesised: a systematic review's included studies behind each theme); and methods, appendices and
        supplementary material (option ``exempt``, regular expressions matched in the
        section's headings).

    Why it matters:
        A long run of references behind one statement hides which source supports
        what; it is a common sign of citation padding and makes the claim hard to
        check.

    Example:
        "MSCs are widely studied [3–12]." — ten references for one general statement.

    How to fix:
        Cite the few sources that support this specific statement, or a review, and
        move the others to the statements they support.
    """

    code = "RC403"
    english_only = True
    name = "citation-stacking"
    default_severity = Severity.WARNING
    options = {"max_references": 6, "exempt": STACKING_EXEMPT, "legends": False}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        limit = int(options.get("max_references", 6))
        exempt = heading_patterns(options.get("exempt", STACKING_EXEMPT))
        legends = bool(options.get("legends", False))
        synthesis = reports_own_study(ms)
        for s in ms.sentences:
            block = ms.blocks[s.block]
            if block.kind is BlockKind.REFERENCE or (not legends and is_legend(block)) \
                    or path_matches(block.section, exempt) or (synthesis and _in_results(block)):
                continue
            cits = sentence_citations(ms, s)
            previous_end = s.start
            for group in _groups(block.text, cits):
                n = _reference_count(group)
                segment = block.text[previous_end : group[0].start]
                previous_end = group[-1].end
                if n <= limit or _names_its_set(segment, n) or _enumerates(segment, n):
                    continue
                numbers = sorted({x for c in group for x in c.numbers})
                if len(group) == 1:
                    message = (f"One citation of {n} references (more than {limit}). Cite the sources that support "
                               "this specific statement, or a review.")
                else:
                    message = (f"These adjacent citations name {n} references (more than {limit}). Say which source "
                               "supports which part, or cite a review.")
                yield self.finding(ms, s.block, group[0].start, group[-1].end, message,
                                   references=numbers, data={"references": n})


RULES: tuple[type[Rule], ...] = (UncitedAttribution, LowCitationDensity, CitationStacking)


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return list(RULES)


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC4", "density", "#2471a3")]
