"""RC4xx: how claims and citations are distributed — uncited attribution, thin sections, stacks.

These rules count; they do not judge words.  "Cited" means the sentence holds a
citation (:func:`refcheck.analysis.evidence.is_cited`), the same test the language
rules use, so a sentence is never cited for one rule and uncited for another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from refcheck.rules import lexicons
from refcheck.rules.language import METHODS_SECTION, in_summary, section_exempt, text_blocks

from refcheck.analysis.evidence import (
    block_doc,
    block_lemmas,
    block_tokens,
    claim_kind,
    is_cited,
    sentence_citations,
    token_range,
)
from refcheck.model import Block, BlockKind, Finding, Manuscript, Sentence, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Rule

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


def find_attribution(ms: Manuscript, sentence: Sentence, verbs: frozenset[str]) -> tuple[int, int] | None:
    """Character span (in the block) of an attribution to research in ``sentence``:
    "studies demonstrate", "research on X indicates", "it has been shown that",
    "X has been reported to", "in recent studies", "according to the literature",
    "experts agree".  None when there is none, or when the source is this manuscript
    ("this review shows", "our data indicate"), an anaphor of cited work ("these
    findings suggest") or research still to be done ("future studies should show")."""
    doc = block_doc(ms, sentence.block)
    a, b = token_range(ms, sentence)  # the tokens starting inside the sentence
    if a >= b:
        return None
    lemmas = block_lemmas(ms, sentence.block)
    plain = block_tokens(ms, sentence.block)
    lowers = plain.lowers
    sources = attribution_sources()
    first = a

    def span(a: int, b: int) -> tuple[int, int]:
        return plain.starts[a], plain.ends[b - 1]

    for i in range(a, b):
        lem = lemmas[i]
        # Every pattern below starts at a reporting verb, "have"/"be", "in"/"by" or
        # "according": only those tokens are made into spaCy Tokens.
        if lem not in verbs and lem not in _PATTERN_LEMMAS and lowers[i] not in _PATTERN_WORDS:
            continue
        tok = doc[i]
        # 1. Source noun + (aux/adverbs) + reporting verb.
        if lem in verbs and tok.i > first and _verb_like(doc, tok, lemmas):
            j = tok.i - 1
            while j >= first and doc[j].lower_ in _BETWEEN:
                j -= 1
            subj = _source_at(doc, j, first, sources, lemmas)
            if subj is None and j >= first:
                subj = _fronted_source(doc, j, first, sources, lemmas)
            if subj is not None and not _self_or_wished(doc, subj, first) and not _modal_or_be(doc, subj, tok.i):
                return span(_phrase_start(doc, subj, first), tok.i + 1)
        # 2. Passive: "it has been shown that", "X have been found to", "is reported to".
        if lem in ("have", "has", "be") and tok.i + 2 < len(doc):
            nxt, verb, after = doc[tok.i + 1], doc[tok.i + 2], doc[tok.i + 3] if tok.i + 3 < len(doc) else None
            if nxt.lower_ == "been" and lemmas[verb.i] in _PASSIVE_VERBS and verb.lower_.endswith(("n", "ed")) \
                    and after is not None and after.lower_ in ("that", "to"):
                a = tok.i - 1 if tok.i > first and doc[tok.i - 1].lower_ == "it" else tok.i
                return span(a, tok.i + 3)
        if lem == "be" and tok.i > first and doc[tok.i - 1].lower_ == "it" and tok.i + 2 < len(doc):
            verb, after = doc[tok.i + 1], doc[tok.i + 2]
            if lemmas[verb.i] in _PASSIVE_VERBS and verb.lower_.endswith(("n", "ed")) and after.lower_ == "that":
                return span(tok.i - 1, tok.i + 2)
        # 3. "in recent studies", "according to (the) literature / experts".
        if tok.lower_ in ("in", "by") and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ in _PP_QUANT:
            k = tok.i + 2
            while k < len(doc) and k - tok.i <= 3 and lemmas[k] not in sources:
                k += 1
            if k < len(doc) and lemmas[k] in sources and doc[k].lower_.endswith("s") and doc[k].lower_ not in ("analysis",):
                return span(tok.i, k + 1)
        if tok.lower_ == "according" and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ == "to":
            k = tok.i + 2
            while k < len(doc) and k - tok.i <= 4 and lemmas[k] not in sources:
                k += 1
            if k < len(doc) and _source_at(doc, k, first, sources, lemmas) is not None \
                    and not (set(t.lower_ for t in doc[tok.i + 2 : k]) & _SELF):
                return span(tok.i, k + 1)
    return None


_PATTERN_LEMMAS = frozenset(["have", "has", "be"])
_PATTERN_WORDS = frozenset(["in", "by", "according"])
_NOUN_AMBIGUOUS = frozenset(["claim", "report", "support", "note", "point", "document", "finding", "review", "study"])


def _verb_like(doc: Any, tok: Any, lemmas: list[str]) -> bool:
    """Is the reporting-verb candidate a verb here?  "research finding", "research claims
    and …" are nouns; "studies claim that …" is a verb.  A tagger decides when present."""
    if tok.pos_:
        return tok.pos_ in ("VERB", "AUX")
    if tok.lower_.endswith("ing"):
        return False
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    prev = doc[tok.i - 1] if tok.i > 0 else None
    if tok.lower_.endswith("ed") and (nxt is None or nxt.lower_ in {"by", ".", ",", "in", "for", "from", "as", ";"}) \
            and (prev is None or prev.lower_ not in {"have", "has", "had"}):
        return False  # participle: "the studies identified by the search"
    if lemmas[tok.i] in _NOUN_AMBIGUOUS:
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        return nxt is not None and nxt.lower_ == "that"
    return True


def _source_at(doc: Any, j: int, first: int, sources: frozenset[str], lemmas: list[str]) -> int | None:
    """Index of the source noun ending at ``j`` ("studies", "current literature"), or None."""
    if j < first:
        return None
    tok = doc[j]
    if lemmas[j] not in sources and tok.lower_ not in sources:
        return None
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
            if doc[k].lower_ in _OTHERS:
                return j
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


class UncitedAttribution(Rule):
    """A sentence attributes a claim to research ("studies demonstrate") but cites nothing.

    What it flags:
        The attribution itself — "studies demonstrate", "research indicates",
        "numerous clinical trials have demonstrated", "current literature indicates",
        "it has been shown that", "X has been reported to", "in recent studies",
        "according to the literature", "experts agree" — in a sentence with no
        citation.  Not flagged: calls for research ("more trials are needed",
        "future studies should show"), statements about this manuscript ("this
        review shows", "our data indicate"), anaphors of work just cited ("these
        findings suggest"), and any sentence with a citation, wherever in the
        sentence it closes the clause.  In the abstract and conclusions, where
        citations are not customary, the severity is info by default.

    Why it matters:
        "Studies show" promises evidence and withholds it: the reader cannot tell
        which studies, how many, or whether they exist.  It is the commonest form of
        unsupported claim in reviews.

    Example:
        "Studies demonstrate that hUC-MSCs can protect and repair the liver." — no
        citation: "Studies demonstrate" is flagged.

    How to fix:
        Cite the studies meant, right after the claim they support — or, if the
        claim is the authors' own reasoning, say so and drop the attribution.
    """

    code = "RC401"
    name = "uncited-attribution"
    default_severity = Severity.WARNING
    options = {"add": [], "remove": [], "summary_severity": "info"}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        verbs = attribution_verbs(options)
        summary_sev = Severity(str(options.get("summary_severity", "info")).lower())
        blocks = {b.index: b for b in text_blocks(ms)}
        for s in ms.sentences:
            block = blocks.get(s.block)
            if block is None or is_cited(ms, s) or any(METHODS_SECTION.search(t) for t in block.section):
                continue
            hit = find_attribution(ms, s, verbs)
            if hit is None:
                continue
            start, end = hit
            phrase = block.text[start:end]
            yield self.finding(
                ms, block.index, start, end,
                f"“{phrase}” attributes the claim to published research, but the sentence cites none. "
                "Cite the studies meant.",
                severity=summary_sev if in_summary(block) else self.severity,
                suggestion="Add the citation(s) for the research this sentence refers to.",
            )


# -- RC402 --------------------------------------------------------------------

DEFAULT_EXEMPT = [
    "abstract", "keywords", "key words", "conclusion", "concluding", "summary", "acknowledg", "funding",
    "financial", "disclosure", "conflict", "competing", "contribution", "data availability",
    "availability of data", "references", "bibliography", "declaration", "publisher", "abbreviation",
    "supplementa", "methods", "materials", "results", "case report", "case presentation",
    "statistical analysis", "ethics",
]
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
            elif not _OWN_WORK.search(s.text) and claim_kind(ms, s):
                claims += 1
    return claims, cited, words


class LowCitationDensity(Rule):
    """A body section (or paragraph) whose claims go largely uncited.

    What it flags:
        Per section, heading to heading: the claim sentences — effects and causes
        ("X reduces Y"), attributions ("studies show"), comparisons, numbers — and how
        many of them carry a citation.  A section with at least ``min_claims`` (3)
        claims of which under ``min_cited_ratio`` (25%) are cited is flagged on its
        heading, with the figures ("5 claims, 0 cited, 98 words").  A paragraph of at
        least ``paragraph_min_claims`` (4) claims and no citation at all is flagged on
        its first sentence when its section as a whole passed.  Sentences about the
        authors' own work ("we", "our", "Figure 2") are not counted.  Exempt by
        default (option ``exempt``, matched as words in the heading): abstract,
        keywords, conclusions, acknowledgements, funding, disclosure and conflicts,
        author contributions, data availability, references, methods and results.

    Why it matters:
        A stretch of review or introduction with no citations is either the authors'
        own synthesis, which should say so, or claims whose sources were lost.
        Either way the reader cannot check it.

    Example:
        "2.5.2. Economic evaluation" — 4 claims about costs and benefits, none cited.

    How to fix:
        Cite the sources of the claims, or make plain which statements are the
        authors' own argument.  Tune with ``[tool.refcheck.options.RC402]``:
        ``min_claims``, ``min_cited_ratio``, ``paragraph_min_claims``, ``exempt``.
    """

    code = "RC402"
    name = "low-citation-density"
    default_severity = Severity.WARNING
    options = {"min_claims": 3, "min_cited_ratio": 0.25, "paragraph_min_claims": 4, "exempt": DEFAULT_EXEMPT}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        if ms.citation_style == "none" and not ms.references:
            return
        min_claims = int(options.get("min_claims", 3))
        ratio = float(options.get("min_cited_ratio", 0.25))
        para_min = int(options.get("paragraph_min_claims", 4))
        exempt = [str(e).lower() for e in options.get("exempt", DEFAULT_EXEMPT)]
        by_block: dict[int, list[Sentence]] = {}
        for s in ms.sentences:
            by_block.setdefault(s.block, []).append(s)
        for heading, body in _sections(ms):
            if not body:
                continue
            path = heading.section if heading is not None else body[0].section
            if any(e in t.lower() for t in path for e in exempt) or section_exempt(body[0]):
                continue
            body = [b for b in body if not in_summary(b)]
            claims, cited, words = _count(ms, body, by_block)
            if claims >= min_claims and cited < ratio * claims:
                anchor = heading if heading is not None else body[0]
                text = anchor.text
                start = len(text) - len(text.lstrip())
                title = heading.text.strip() if heading is not None else "the text before the first heading"
                yield self.finding(
                    ms, anchor.index, start, len(text.rstrip()),
                    f"Section “{title}”: {claims} claims, {cited} cited, {words} words. "
                    "Most of its claims give the reader no source to check.",
                    suggestion="Cite the sources of these claims, or make clear which are the authors' own argument.",
                    data={"claims": claims, "cited": cited, "words": words, "scope": "section"},
                )
                continue
            for b in body:
                claims, cited, words = _count(ms, [b], by_block)
                if claims >= para_min and cited == 0:
                    s = by_block[b.index][0]
                    yield self.finding(
                        ms, b.index, s.start, s.end,
                        f"Paragraph of {claims} claims with no citation ({words} words).",
                        suggestion="Cite the sources of these claims, or make clear they are the authors' own argument.",
                        data={"claims": claims, "cited": 0, "words": words, "scope": "paragraph"},
                    )


# -- RC403 --------------------------------------------------------------------


class CitationStacking(Rule):
    """One citation, or one sentence, that cites more than N references at once.

    What it flags:
        A single citation naming more than ``max_references`` (6) references
        ("[3–12]"), and a sentence whose citations together name more than that
        many distinct references (flagged on the span from its first to its last
        citation, when no single citation in it is already flagged).

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
    name = "citation-stacking"
    default_severity = Severity.WARNING
    options = {"max_references": 6}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        limit = int(options.get("max_references", 6))
        flagged: set[tuple[int, int]] = set()
        for c in ms.citations:
            n = len(set(c.numbers)) or len(c.authors_year)
            if n > limit:
                flagged.add((c.block, c.start))
                yield self.finding(
                    ms, c.block, c.start, c.end,
                    f"One citation of {n} references (more than {limit}). Cite the sources that support this "
                    "specific statement, or a review.",
                    references=c.numbers, data={"references": n},
                )
        for s in ms.sentences:
            cits = sentence_citations(ms, s)
            if len(cits) < 2 or any((c.block, c.start) in flagged for c in cits):
                continue
            numbers = {n for c in cits for n in c.numbers}
            n = len(numbers) + sum(len(c.authors_year) for c in cits)
            if n > limit:
                yield self.finding(
                    ms, s.block, cits[0].start, cits[-1].end,
                    f"This sentence cites {n} references (more than {limit}). Say which source supports which "
                    "part, or cite a review.",
                    references=sorted(numbers), data={"references": n},
                )


RULES: tuple[type[Rule], ...] = (UncitedAttribution, LowCitationDensity, CitationStacking)


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return list(RULES)
