"""Does a sentence carry its own evidence?  Citations, data, and parsed text per block.

Several rules ask the same questions of a sentence — is it cited, does it give a
figure, is it a claim at all — and they must agree, or a sentence could be "cited"
for one rule and "uncited" for the next.  The answers live here, computed once per
manuscript and cached in ``manuscript.metadata`` (the dataclass is frozen, its
metadata dict is the sanctioned cache).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from refcheck.analysis.nlp import get_nlp, lemma, lemma_table, text_lemma
from refcheck.model import Citation, Manuscript, Sentence

_UNIT = (
    r"%|‰|percent|per\s?cent|fold|-fold|times|mg|µg|μg|ug|ng|pg|g|kg|ml|mL|µl|μl|ul|l|L|dl|dL|"
    r"mmol|µmol|μmol|nmol|mol|mM|µM|μM|nM|pM|M|IU|U|mmHg|cm|mm|µm|μm|nm|m|km|kDa|Da|bp|kb|Mb|"
    r"°C|°F|K|Hz|kHz|MHz|h|hr|hrs|hours?|min|minutes?|s|sec|seconds?|days?|weeks?|months?|years?|"
    r"patients|participants|subjects|individuals|people|persons|cases|controls|children|adults|"
    r"women|men|mice|rats|animals|samples|eyes|cells/mL|cells|studies|trials|articles|respondents"
)
_NUMBER = r"(?<![\w./-])[-−+]?\d+(?:[.,]\d+)?"
DATA_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("p-value", re.compile(r"\b[pP]\s*(?:[<>=≤≥]|&lt;|&gt;)\s*0?\.\d+")),
    ("confidence interval", re.compile(r"\b\d{2}(?:\.\d)?\s*%\s*(?:CI|confidence interval|credible interval)\b", re.I)),
    ("sample size", re.compile(r"(?<![A-Za-z])[nN]\s*=\s*\d[\d,]*")),
    ("effect size", re.compile(r"\b(?:OR|HR|RR|IRR|aOR|aHR|SMD|MD|AUC|r|R2|R²|ρ|β|κ)\s*[=:]\s*[-−]?\d", re.UNICODE)),
    ("percentage", re.compile(_NUMBER + r"\s?(?:%|percent\b|per cent\b)")),
    ("quantity", re.compile(_NUMBER + r"(?:\s?[-–]\s?\d+(?:[.,]\d+)?)?\s?(?:" + _UNIT + r")(?![\w])")),
    ("ratio", re.compile(r"\b\d+(?:\.\d+)?\s?(?:-fold|fold|times)\b|\b\d+\s+(?:of|out of)\s+\d+\b")),
    # "rose from two to 41", "fell from 12.5 to 3": a change in a count (four-digit
    # numbers are left out: "from 1990 to 2010" is a period, not a figure).
    ("change", re.compile(r"\b(?:increas|decreas|r[io]se|fell|f[ae]ll|grew|grow|dropp|declin|went|jump)\w*\s+"
                          r"from\s+(?:\d{1,3}(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few)"
                          r"\s+to\s+\d{1,3}(?:[.,]\d+)?\b(?![.,]?\d)", re.I)),
)


_DIGIT = re.compile(r"\d")


def find_data(text: str) -> list[tuple[int, int, str]]:
    """Spans of data in ``text``: (start, end, kind) for p-values, confidence intervals,
    sample sizes, effect sizes, percentages, numbers with units, ratios.

    Bare numbers are not data: years, section numbers, citation numbers and the
    digits of names such as "IL-6", "CXCL12" or "PI3K" say nothing about an effect.
    """
    found: list[tuple[int, int, str]] = []
    if not _DIGIT.search(text):  # every pattern needs a digit; most sentences have none
        return found
    for kind, pattern in DATA_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), kind))
    return sorted(found)


def has_data(text: str) -> bool:
    """True when ``text`` reports a figure (see :func:`find_data`)."""
    return bool(find_data(text))


# "(Fig 2G)", "Figure S7B", "Table 1", "Supplementary Table S2", "Box 1", and the
# cross-references of Quarto and pandoc-crossref ("@fig-circ", "[@tbl:gaps]").
DISPLAY_REFERENCE = re.compile(
    r"\b(?:Fig(?:ure)?s?\.?|Tables?|Box(?:es)?|(?:Supplementary|Additional)\s+(?:file|data|material|information)s?)"
    r"\s*(?:S|A)?\d+[A-Za-z]?\b|@(?:fig|tbl|tab)[-:]\w",
    re.I,
)


def points_to_display(text: str) -> bool:
    """True when ``text`` sends the reader to the manuscript's own figure, table or box:
    the authors show their evidence there."""
    return bool(DISPLAY_REFERENCE.search(text))


def citations_by_block(ms: Manuscript) -> dict[int, list[Citation]]:
    """Citations grouped by block, computed once per manuscript."""
    cache = ms.cache.evidence
    if "by_block" not in cache:
        by_block: dict[int, list[Citation]] = {}
        for c in ms.citations:
            by_block.setdefault(c.block, []).append(c)
        cache["by_block"] = by_block
    return cache["by_block"]


def sentence_citations(ms: Manuscript, sentence: Sentence) -> list[Citation]:
    """The citations that sit inside ``sentence`` (a citation moved after the full stop
    by the sentence splitter belongs to the sentence it follows)."""
    cits = citations_by_block(ms).get(sentence.block, [])
    starts = _citation_starts(ms, sentence.block)
    if starts is None:  # not in start order: the plain scan keeps the list's order
        return [c for c in cits if sentence.start <= c.start and c.end <= sentence.end]
    # Only the citations starting inside the sentence can be inside it: bisect, so a
    # paragraph of thousands of cited sentences stays linear.
    lo, hi = bisect_left(starts, sentence.start), bisect_right(starts, sentence.end)
    return [c for c in cits[lo:hi] if c.end <= sentence.end]


def _citation_starts(ms: Manuscript, block: int) -> list[int] | None:
    """Start offsets of a block's citations when they are in start order, else None."""
    cache = ms.cache.evidence.setdefault("cite_starts", {})
    if block not in cache:
        starts = [c.start for c in citations_by_block(ms).get(block, [])]
        cache[block] = starts if all(a <= b for a, b in zip(starts, starts[1:], strict=False)) else None
    return cache[block]


def is_cited(ms: Manuscript, sentence: Sentence) -> bool:
    """True when the sentence carries at least one citation of any style."""
    return bool(sentence_citations(ms, sentence))


def has_evidence(ms: Manuscript, sentence: Sentence) -> bool:
    """A citation, a figure, or a pointer to the authors' own figure or table: each
    lets a reader check the claim.

    Several rules ask about the same sentences, so the answer is kept per manuscript."""
    cache = ms.cache.evidence.setdefault("has_evidence", {})
    key = (sentence.block, sentence.start)
    if key not in cache:
        cache[key] = is_cited(ms, sentence) or has_data(sentence.text) or points_to_display(sentence.text)
    return cache[key]


# "These studies were instrumental…", "This work showed…", "The researchers found…",
# "They reported…": the sentence speaks of the sources the sentence before it cited.
_BACK_REFERENCE = re.compile(
    r"^\W*(?:(?:however|moreover|furthermore|importantly|together|collectively|in addition|in turn)\W+)?"
    r"(?:(?:these|this|such|those|both)\s+(?:\w+\s+)?"
    r"(?:stud(?:y|ies)|works?|results?|findings?|data|reports?|papers?|analys[ie]s|observations?|trials?|"
    r"experiments?|authors?|researchers?|investigators?|groups?|reviews?)"
    r"|the\s+(?:\w+\s+)?(?:authors?|researchers?|investigators?)|they)\b",
    re.I,
)
# Only reports of sources point back: "This approach represents a groundbreaking
# advance" evaluates a method, and the citation before it does not make that
# evaluation anyone's but the authors'.


def supported_by_previous(ms: Manuscript, sentence: Sentence) -> bool:
    """True when the sentence opens by pointing back ("These studies…", "The researchers
    found…", "They…") and the sentence before it, in the same paragraph, cites: the
    source is named one sentence earlier, as editors read it."""
    if not _BACK_REFERENCE.match(sentence.text):
        return False
    previous = [s for s in ms.sentences_in(sentence.block) if s.end <= sentence.start]
    return bool(previous) and is_cited(ms, previous[-1])


def nlp_for(ms: Manuscript) -> Any:
    """The spaCy pipeline for this manuscript (``metadata["spacy_model"]`` when set)."""
    return get_nlp(ms.metadata.get("spacy_model") or None)


def block_doc(ms: Manuscript, block: int) -> Any:
    """The spaCy Doc of a block's text, parsed once and cached for every rule."""
    cache = ms.cache.evidence.setdefault("docs", {})
    if block not in cache:
        cache[block] = nlp_for(ms)(ms.blocks[block].text)
    return cache[block]


class BlockTokens:
    """Plain Python lists, indexed like the block Doc, of what the rules read per token.

    Every rule walks tokens many times; a spaCy ``Token`` is a new Python object on
    each access (most of the rules' time went to creating them), a list item is not.
    ``lowers`` and ``alphas`` are lexeme attributes, so they are a function of the
    token text within one vocabulary and are read from a Token once per distinct text.
    """

    __slots__ = ("starts", "ends", "texts", "lowers", "alphas")

    def __init__(self, doc: Any):
        memo = _LEXEME_ATTRS.setdefault(id(doc.vocab), {})
        starts: list[int] = []
        texts: list[str] = []
        lowers: list[str] = []
        alphas: list[bool] = []
        for t in doc:
            text = t.text
            attrs = memo.get(text)
            if attrs is None:
                attrs = memo[text] = (t.lower_, t.is_alpha)
            starts.append(t.idx)
            texts.append(text)
            lowers.append(attrs[0])
            alphas.append(attrs[1])
        self.starts, self.texts, self.lowers, self.alphas = starts, texts, lowers, alphas
        self.ends = [s + len(x) for s, x in zip(starts, texts, strict=True)]


_LEXEME_ATTRS: dict[int, dict[str, tuple[str, bool]]] = {}  # id(vocab) -> {text: (lower_, is_alpha)}


def block_tokens(ms: Manuscript, block: int) -> BlockTokens:
    """The :class:`BlockTokens` of a block Doc, built in one pass and cached for every rule."""
    cache = ms.cache.evidence.setdefault("tokens", {})
    toks = cache.get(block)
    if toks is None:
        toks = cache[block] = BlockTokens(block_doc(ms, block))
    return toks


def block_lemmas(ms: Manuscript, block: int) -> list[str]:
    """:func:`~refcheck.analysis.nlp.lemma` of every token of the block Doc, computed once.

    Rules ask for lemmas token by token, many times over; a list indexed like the Doc
    answers in one step.  With the default pipeline a lemma depends on the token text
    only, so each distinct word is lemmatised once per process.
    """
    cache = ms.cache.evidence.setdefault("lemmas", {})
    if block not in cache:
        table = lemma_table(nlp_for(ms))
        if table is not None:
            memo = _TEXT_LEMMAS.setdefault(id(table), {})
            out = []
            for text in block_tokens(ms, block).texts:
                lem = memo.get(text)
                if lem is None:
                    lem = memo[text] = text_lemma(text, table)
                out.append(lem)
            cache[block] = out
        else:
            cache[block] = [lemma(t) for t in block_doc(ms, block)]
    return cache[block]


_TEXT_LEMMAS: dict[int, dict[str, str]] = {}  # id(lemma table) -> {token text: lemma}


def token_range(ms: Manuscript, sentence: Sentence) -> tuple[int, int]:
    """Token indexes ``[a, b)`` of the block Doc whose first character lies in ``sentence``.

    The same tokens as ``[t for t in doc if start <= t.idx < end]``, found by bisection
    on the token offsets instead of a scan of the whole block per sentence.
    """
    starts = block_tokens(ms, sentence.block).starts
    return bisect_left(starts, sentence.start), bisect_left(starts, sentence.end)


def sentence_span(ms: Manuscript, sentence: Sentence) -> Any:
    """The spaCy Span of ``sentence`` inside its block Doc."""
    doc = block_doc(ms, sentence.block)
    return doc.char_span(sentence.start, sentence.end, alignment_mode="expand")


# -- claims ---------------------------------------------------------------------

_EFFECT_VERBS = frozenset(
    ["improve", "reduce", "increase", "decrease", "promote", "enhance", "inhibit", "suppress", "cause", "induce", "regulate", "modulate", "protect", "prevent", "alleviate", "attenuate", "accelerate", "activate", "mediate", "trigger", "affect", "influence", "boost", "lower", "raise", "restore", "stimulate", "impair", "exacerbate", "mitigate", "ameliorate", "facilitate", "contribute", "correlate", "associate", "predict", "lead", "result", "decrease", "outperform", "surpass", "exceed", "demonstrate", "show", "indicate", "suggest", "reveal", "find", "confirm", "establish", "report", "provide", "enable", "ensure", "allow", "offer", "benefit"]
)
_COMPARATIVE = re.compile(r"\b(?:more|less|fewer|greater|higher|lower|better|worse|superior|inferior)\b", re.I)
_NUMBER_WORD = re.compile(r"(?<![\w-])\d+(?:\.\d+)?(?![\w-])")


# An instruction to the reader opens with the verb: "Add a file called CHANGELOG.txt …",
# "Make sure to also agree on …", "Ensure that text is accessible …".  Advice asks the
# reader to do something; it reports nothing a source could support.
_IMPERATIVE = re.compile(
    r"^\W*(?:(?:first|second|third|finally|also|additionally|instead|then|in particular|for example)\W+)*"
    r"(?:please\s+)?(?:make\s+sure|be\s+sure|do\s+not|don't|never|always|ensure|avoid|add|use|keep|copy|store|put|"
    r"write|include|consider|choose|create|reduce|make|try|check|give|set|run|save|record|document|share|submit|"
    r"name|place|separate|remove|delete|describe|test|start|stop|think|ask|plan|review|back\s+up)\b(?!-)",
    re.I,
)


def is_instruction(text: str) -> bool:
    """Does the sentence tell the reader what to do ("Copy the entire project …")?"""
    return bool(_IMPERATIVE.match(text))


def claim_kind(ms: Manuscript, sentence: Sentence) -> str | None:
    """Why ``sentence`` is a claim a reader may want a source for, or None.

    A claim reports an effect or cause ("X reduces Y"), attributes a finding
    ("studies show"), compares ("superior to", "more effective") or gives a number.
    Questions, instructions to the reader ("Copy the entire project whenever …"), and
    sentences of under six words, are not claims.
    """
    text = sentence.text.strip()
    if text.endswith("?") or len(text.split()) < 6 or is_instruction(text):
        return None
    span = sentence_span(ms, sentence)
    if span is not None:
        lemmas = block_lemmas(ms, sentence.block)
        if any(lem in _EFFECT_VERBS for lem in lemmas[span.start : span.end]):
            return "effect"
    if _COMPARATIVE.search(text):
        return "comparison"
    if has_data(text) or _NUMBER_WORD.search(_strip_citations(ms, sentence)):
        return "number"
    return None


def _strip_citations(ms: Manuscript, sentence: Sentence) -> str:
    text = sentence.text
    for c in reversed(sentence_citations(ms, sentence)):
        a, b = c.start - sentence.start, c.end - sentence.start
        text = text[:a] + " " * (b - a) + text[b:]
    return text
