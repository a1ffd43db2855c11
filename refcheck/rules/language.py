"""RC3xx: evaluative language with nothing behind it — hype words, superlatives, absolutes.

Both rules look at the words of a sentence only when the sentence offers the reader
neither a citation nor a figure (:mod:`refcheck.analysis.evidence`), and only in
running text: headings, titles, front matter, the reference list and the funding,
disclosure and acknowledgement sections are never flagged.  The word lists are data
files in ``refcheck/rules/lexicons/`` naming their published sources; context checks decide
what human annotators decide — a proper name ("Key Laboratory"), an enumeration
("First, …"), a newly described entity ("a novel binding partner"), a quotation, a
technical term ("critical care", "significant difference") is not hype.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from refcheck.analysis.evidence import (
    block_doc,
    block_lemmas,
    block_tokens,
    has_evidence,
    nlp_for,
    supported_by_previous,
    token_range,
)
from refcheck.analysis.nlp import has_tagger
from refcheck.model import Block, BlockKind, Finding, Manuscript, Sentence, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Family, Rule
from refcheck.rules import lexicons

TEXT_KINDS = (BlockKind.PARAGRAPH, BlockKind.ABSTRACT, BlockKind.FOOTNOTE, BlockKind.ENDNOTE)
# Back matter, by its usual headings.  Words that also head body sections are anchored:
# "The London Declaration and …" or "Contribution of tourism to …" are running text.
# Word-bounded: "Fundus photography", "Vitamin D supplementation" and "Reference
# genomes" are body sections, not funding, supplementary material or the reference list.
EXEMPT_SECTION = re.compile(
    r"\bfund(?:ing|s|ed|er|ers)?\b|financial support|acknowledg|\bdisclosures?\b|conflicts? of interest|"
    r"competing interest|contributions?$|contribution statement|^contributors?\b|"
    r"data (?:and materials )?availability|availability of data|^declarations?\b|declaration of (?:interest|compet)|"
    r"^publisher|^(?:references?(?: and notes)?|reference (?:list|annotations?|notes)|annotated (?:references|bibliography)|"
    r"literature cited|works cited|cited literature)[.:]?\s*$|"
    r"\breferences[.:]?\s*$|bibliography|abbreviation|\bsupplementa(?:ry|l)\b|ethics (?:approval|statement)|"
    r"^consent\b|consent (?:for|to) publication",
    re.I,
)
_LEADING_NUMBER = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Za-z][.)])\s+)+")
SUMMARY_SECTION = re.compile(r"\b(?:abstract|summary|conclusions?|concluding)\b", re.I)
METHODS_SECTION = re.compile(r"\b(?:methods?|materials|procedures?|protocol|statistical analys[ie]s)\b", re.I)

_COMPARATOR = re.compile(
    r"\bthan\b|\bcompar(?:ed|ing|isons?|able)\b|\brelative to\b|\bversus\b|\bvs\.?|\bover (?:the|other|conventional|standard|existing)\b",
    re.I,
)
_GOAL = re.compile(
    r"\b(?:should|must|need(?:s|ed)?|require[sd]?|aim(?:s|ed|ing)? to|in order to|future|hope|expected to|"
    r"to (?:achieve|develop|design|establish|ensure|obtain|provide|enable|identify|find|explore|create|build|seek))\b",
    re.I,
)
_GERUND_PREPOSITIONS = frozenset(
    ["during", "including", "regarding", "according", "following", "concerning", "considering", "excluding", "notwithstanding"]
)
_QUOTES = (("“", "”"), ('"', '"'), ("‘", "’"))
_NEGATORS = frozenset({"not", "no", "non", "statistically", "nominally"})
# Words that put what follows them in the same clause under negation:
# "nothing especially new or groundbreaking", "not as crucial as", "never the best".
_NEGATION_SCOPE = frozenset({"not", "no", "nothing", "never", "neither", "nor", "without", "hardly", "none", "n't", "cannot"})
_CLAUSE_BREAK = frozenset({",", ";", ":", "but", "although", "though", "while", "whereas", "(", ")"})
_HEDGES = frozenset({"not", "almost", "nearly", "virtually", "practically", "hardly", "rarely", "seldom"})
_CLEARLY_NEUTRAL = frozenset(
    ["defined", "described", "stated", "visible", "written", "labelled", "labeled", "marked", "separated", "distinguishable", "distinguished", "identified", "delineated", "explained", "structured", "presented", "documented", "specified", "understood"]
)
_ENTITY_WORDS = frozenset({"novel", "new", "unique"})


def _severity_up(sev: Severity) -> Severity:
    return {Severity.INFO: Severity.WARNING, Severity.WARNING: Severity.ERROR}.get(sev, sev)


def is_recommendation(ctx: _SentenceContext) -> bool:
    """A goal, need or recommendation ("should", "is needed", "to develop more effective …",
    "Conducting … is crucial"): it evaluates what ought to be done, not what was found."""
    if _GOAL.search(ctx.sentence.text):
        return True
    alphas = ctx.toks.alphas
    words = [i for i in ctx.indexes if alphas[i]]
    # Skip a discourse adverb and its comma: "Therefore, conducting … is crucial."
    if len(words) > 1 and ctx.toks.texts[words[0] + 1] == ",":
        words = words[1:]
    head = ctx.toks.lowers[words[0]] if words else ""
    return head.endswith("ing") and len(head) > 5 and head not in _GERUND_PREPOSITIONS


def section_exempt(block: Block) -> bool:
    """Funding, disclosure, acknowledgements, references and the like: never language-checked."""
    return any(EXEMPT_SECTION.search(_LEADING_NUMBER.sub("", t)) for t in block.section)


def in_summary(block: Block) -> bool:
    """Abstract and conclusions summarise what the body cites."""
    return block.kind is BlockKind.ABSTRACT or any(SUMMARY_SECTION.search(t) for t in block.section)


def text_blocks(ms: Manuscript) -> Iterator[Block]:
    """Blocks of running text a language rule may comment on."""
    for b in ms.blocks:
        if b.kind in TEXT_KINDS and b.text.strip() and not section_exempt(b):
            yield b


# -- matching -----------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    start: int  # token index in the block Doc
    end: int
    entry: str
    kind: str


class LexiconMatcher:
    """Finds lexicon entries in a Doc: single words on their lower-case form or lemma,
    multiword entries with a spaCy PhraseMatcher on LOWER."""

    def __init__(self, nlp: Any, entries: Iterable[str], use_lemma: bool = False):
        from spacy.matcher import PhraseMatcher

        self.use_lemma = use_lemma
        self.single: set[str] = set()
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for e in entries:
            doc = nlp.make_doc(e)
            if len(doc) == 1:
                self.single.add(e)
            else:
                self.phrases.add(e, [doc])

    def __call__(self, doc: Any, lowers: list[str], lemmas: list[str]) -> list[tuple[int, int, str]]:
        """Matches in ``doc``, whose tokens' lower-case forms and lemmas are given."""
        single, use_lemma = self.single, self.use_lemma
        found = []
        for i, low in enumerate(lowers):
            if low in single:
                found.append((i, i + 1, low))
            elif use_lemma and lemmas[i] in single:
                found.append((i, i + 1, lemmas[i]))
        for match_id, s, e in self.phrases(doc):
            found.append((s, e, doc.vocab.strings[match_id]))
        # Longest match wins where entries overlap ("beyond doubt" over "doubt").
        found.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[tuple[int, int, str]] = []
        for h in found:
            if not out or h[0] >= out[-1][1]:
                out.append(h)
        return out


@lru_cache(maxsize=32)
def _matcher(nlp: Any, entries: frozenset[str], use_lemma: bool = False) -> LexiconMatcher:
    return LexiconMatcher(nlp, sorted(entries), use_lemma)


def block_matches(ms: Manuscript, block: int, matcher: LexiconMatcher) -> list[tuple[int, int, str]]:
    """``matcher``'s matches in a block Doc, computed once per block and matcher.

    Sentences take their share by token index (see :meth:`_SentenceContext.matches`);
    matching the whole block again for each sentence made a long paragraph quadratic.
    """
    cache = ms.cache.language.setdefault("matches", {})
    key = (id(matcher), block)
    if key not in cache:
        doc = block_doc(ms, block)
        cache[key] = (matcher, matcher(doc, block_lowers(ms, block), block_lemmas(ms, block)))
    return cache[key][1]


def block_lowers(ms: Manuscript, block: int) -> list[str]:
    """Lower-case form of every token of the block Doc, computed once per block."""
    return block_tokens(ms, block).lowers


def technical_spans(ms: Manuscript, block: int) -> list[tuple[int, int]]:
    """Token spans of multiword technical terms ("critical care") in a block Doc,
    in order and not overlapping (the matcher keeps the longest of overlapping ones)."""
    m = _matcher(nlp_for(ms), lexicons.words("technical-terms.txt"))
    return [(s, e) for s, e, _ in block_matches(ms, block, m)]


def in_quotation(text: str, pos: int) -> bool:
    """True when ``pos`` of a sentence's text sits between an opening and closing quote."""
    for open_q, close_q in _QUOTES:
        before = text[:pos]
        if open_q == close_q:
            if before.count(open_q) % 2 == 1 and open_q in text[pos:]:
                return True
        elif before.rfind(open_q) > before.rfind(close_q) and close_q in text[pos:]:
            return True
    return False


class _SentenceContext:
    """One sentence of a block: its tokens and the checks shared by RC301 and RC302."""

    def __init__(self, ms: Manuscript, sentence: Sentence, doc: Any, terms: list[tuple[int, int]],
                 term_starts: list[int]):
        self.ms, self.sentence, self.doc = ms, sentence, doc
        a, b = token_range(ms, sentence)
        # Token indexes, not Token objects: the rules read the block's plain lists.
        self.indexes = range(a, b)
        self.toks = block_tokens(ms, sentence.block)
        self.first = a if a < b else 0
        self.last = b - 1
        self.terms, self.term_starts = terms, term_starts
        self.lemmas = block_lemmas(ms, sentence.block)
        self.tagged = has_tagger(nlp_for(ms))

    def matches(self, matcher: LexiconMatcher) -> list[tuple[int, int, str]]:
        """The block's matches that lie inside this sentence, in order."""
        if not self.indexes:
            return []
        found = block_matches(self.ms, self.sentence.block, matcher)
        lo = bisect_left(found, (self.first,))
        hi = bisect_right(found, (self.last + 1,))
        return [h for h in found[lo:hi] if h[1] - 1 <= self.last and h[0] <= self.last]

    def contains(self, start: int, end: int) -> bool:
        return bool(self.indexes) and self.indexes[0] <= start and end - 1 <= self.indexes[-1]

    def initial(self, i: int) -> bool:
        """Token ``i`` opens the sentence (perhaps after a quote or bracket)."""
        return not any(self.toks.alphas[self.first : i])

    def excluded(self, start: int, end: int) -> str | None:
        """Why the words ``doc[start:end]`` are not an evaluation here, or None."""
        doc, text, toks = self.doc, self.sentence.text, self.toks
        lowers, texts = toks.lowers, toks.texts
        n = len(texts)
        # Terms are ordered and disjoint: only the last one starting at or before
        # ``start`` can contain the words.
        k = bisect_right(self.term_starts, start) - 1
        if k >= 0 and end <= self.terms[k][1]:
            return "technical term"
        if in_quotation(text, toks.starts[start] - self.sentence.start):
            return "quotation"
        # Proper names: "Key Laboratory", "the First Affiliated Hospital", "Key Project".
        head_upper = texts[start][:1].isupper()
        if head_upper and not self.initial(start):
            return "proper name"
        if (end < n and toks.alphas[end] and texts[end][:1].isupper() and not doc[end].is_sent_start
                and (head_upper or lowers[start] in {"first", "key", "major", "national", "state"})):
            return "proper name"
        # Enumeration: "First, …", "Secondly, …".
        if self.initial(start) and end < n and texts[end] == ",":
            return "enumeration"
        if start > self.first and lowers[start - 1] in _NEGATORS:
            return "negated or statistical"
        for i in range(start - 1, max(self.first, start - 6) - 1, -1):
            if lowers[i] in _CLAUSE_BREAK:
                break
            if lowers[i] in _NEGATION_SCOPE:
                return "negated"
        if lowers[start] in _ENTITY_WORDS:
            entity_nouns = lexicons.words("entity-nouns.txt")
            if any(self.lemmas[i] in entity_nouns or lowers[i] in entity_nouns for i in range(end, min(end + 3, n))):
                return "describes an entity"
        if self.tagged and end - start == 1 and doc[end - 1].pos_ and doc[end - 1].pos_ not in ("ADJ", "ADV", "VERB"):
            return "not an adjective here"
        return None


def _sentences_by_block(ms: Manuscript) -> dict[int, list[Sentence]]:
    out: dict[int, list[Sentence]] = {}
    for s in ms.sentences:
        out.setdefault(s.block, []).append(s)
    return out


def _unsupported_sentences(ms: Manuscript, *, back_references: bool = False
                           ) -> Iterator[tuple[Block, Sentence, _SentenceContext]]:
    """Sentences of running text with no citation and no data, with their context.
    Sentences that point back to a cited one ("These findings …") are left out unless
    ``back_references`` asks for them (the caller then judges what they claim)."""
    by_block = _sentences_by_block(ms)
    for b in text_blocks(ms):
        sentences = [s for s in by_block.get(b.index, [])
                     if not has_evidence(ms, s) and (back_references or not supported_by_previous(ms, s))]
        if not sentences:
            continue
        doc = block_doc(ms, b.index)
        terms = technical_spans(ms, b.index)
        term_starts = [s for s, _ in terms]
        for s in sentences:
            yield b, s, _SentenceContext(ms, s, doc, terms, term_starts)


def _char_span(ctx: _SentenceContext, start: int, end: int) -> tuple[int, int]:
    return ctx.toks.starts[start], ctx.toks.ends[end - 1]


# -- RC301 --------------------------------------------------------------------


def hype_words(options: dict[str, Any]) -> frozenset[str]:
    """The hype lexicon in force: Millar 2022 ∪ Vinkers 2015, minus the words refcheck
    leaves out by default, plus/minus the user's ``add``/``remove``."""
    base = (
        lexicons.words("hype-adjectives-millar2022.tsv")
        | lexicons.words("positive-words-vinkers2015.txt")
    ) - lexicons.words("not-flagged-by-default.tsv")
    return lexicons.effective(base | lexicons.words("hype-phrases.txt"), options)


def rank_words() -> dict[str, str]:
    """Superlatives and comparatives with their kind (superlative | comparative)."""
    return {r[0].lower(): r[1] for r in lexicons.rows("superlatives-comparatives.tsv") if len(r) > 1}


class UnsupportedSuperlative(Rule):
    """Promotional language ("remarkable", "great promise", "for the first time") in a sentence with no citation and no data.

    What it flags:
        A sentence that promotes its claim with no citation, no figure and no pointer
        to the authors' own figure or table.  A finding needs at least one word of the
        promotional core (``promotional-words.txt``: "remarkable", "excellent",
        "unprecedented", "ideal", "tremendous", priority claims such as "for the
        first time") or a promotional set phrase ("great promise", "broad
        application prospects").  The finding names every evaluative word of the
        sentence — also the ordinary ones of the hype lists of Millar et al. 2022 and
        Vinkers et al. 2015 ("crucial", "key", "significant", "novel") — and sits on
        the first promotional word, or on the whole list it stands in ("unique
        origin, potent …, and remarkable"), one severity higher for such a list.
        Ordinary evaluative words alone never make a finding: in published text
        their descriptive, technical and advisory senses dominate ("critical size",
        "key phrases", "significant difference", "the best remedy").  Not flagged
        either: negated words ("nothing especially new or groundbreaking"), hedged
        sentences ("may", "perhaps", "we suggest"), an evaluation followed by its reason
        ("ideal for linkage analysis as they have …"), recommendations and goals,
        a sentence opening "These studies …" right after a cited one, proper names,
        enumerations, technical terms, quotations, comparatives that name their
        comparator ("superior to"), headings, front matter, funding, disclosure and
        acknowledgement sections and the reference list.  In the abstract and
        conclusions the severity is info by default; a severity set in the
        configuration applies to every finding.

        Not run on a manuscript that reports a study of its own (Methods and Results
        headings) or on a notice (a retraction, a letter, a commentary): there such
        words mostly describe the authors' own data, and blind editors judged few of
        these findings worth sending on published research articles refcheck had not
        seen.  ``claims-everywhere = true`` runs it on them too.

    Why it matters:
        An evaluation with nothing behind it asks the reader to take the authors'
        word.  Editors and reviewers read such words as overstatement, and promotional
        language in the biomedical literature has risen steeply (Vinkers et al., BMJ
        2015; Millar et al., JAMA Netw Open 2022).

    Example:
        "hUC-MSCs demonstrate remarkable advantages … and excellent immune regulatory
        capabilities, making them crucial for liver regeneration."  No citation, no
        data: one finding naming "remarkable", "excellent" and "crucial".

    How to fix:
        Cite the evidence, give the figure ("a 40% lower mortality"), or replace the
        word with a precise one.  ``[tool.refcheck.options.RC301] add = ["powerful"]``
        makes a word promotional, ``remove = ["ideal"]`` drops one;
        ``escalate_stacked = false`` keeps lists at the rule's severity.
    """

    code = "RC301"
    english_only = True
    literature_claims = True
    name = "unsupported-superlative"
    default_severity = Severity.WARNING
    options = {"add": [], "remove": [], "summary_severity": "info", "stack_gap": 8, "escalate_stacked": True}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        nlp = nlp_for(ms)
        hype = hype_words(options)
        removed = lexicons.effective((), {"add": options.get("remove")})
        promotional = promotional_words(options)
        ranks = {w: k for w, k in rank_words().items() if w not in removed}
        matcher = _matcher(nlp, frozenset(hype | promotional | set(ranks)))
        # A severity the user configured is what every finding gets; the defaults
        # grade by place (summaries) and by stacking.
        summary_sev = self.severity if self.configured else Severity(str(options.get("summary_severity", "info")).lower())
        escalate = bool(options.get("escalate_stacked", True)) and not self.configured
        gap = int(options.get("stack_gap", 8))
        for block, sentence, ctx in _unsupported_sentences(ms, back_references=True):
            if is_recommendation(ctx) or _hedged_sentence(ctx):
                continue
            hits = [h for h in self._hits(ctx, matcher, hype | promotional, ranks) if ctx.contains(h.start, h.end)]
            lead = [h for h in hits if _is_promotional(h, promotional) and not _reason_follows(ctx, h)
                    and not _bounded(ctx, h)]
            if not lead:
                continue  # ordinary evaluative words alone are not worth a comment
            if supported_by_previous(ms, sentence) and not any(h.entry in FORWARD_LOOKING for h in lead):
                continue  # "These findings are remarkable": the source was cited just before
            base = summary_sev if in_summary(block) else self.severity
            yield self._finding(ms, block, ctx, hits, lead, _stacks(ctx.doc, hits, gap), base, escalate)

    def _hits(self, ctx: _SentenceContext, matcher: LexiconMatcher, hype: frozenset[str], ranks: dict[str, str]) -> Iterator[Hit]:
        lowers, lemmas = ctx.toks.lowers, ctx.lemmas
        n = len(lowers)
        taken: set[int] = set()
        for s, e, entry in ctx.matches(matcher):
            if ctx.excluded(s, e):
                continue
            kind = ranks.get(entry, "hype")
            if kind == "comparative" and (_COMPARATOR.search(ctx.sentence.text) or (e < n and lowers[e] == "to")):
                continue  # "superior to X", "better than X" name their comparator
            # "most promising": the superlative covers both words.
            if s > ctx.first and lowers[s - 1] in ("most", "least") and kind == "hype":
                s, kind = s - 1, "superlative"
            taken.update(range(s, e))
            yield Hit(s, e, entry, kind)
        # "-est" forms and "most X" of evaluative words not themselves in the list.
        for i in ctx.indexes:
            if i in taken or i + 1 >= n:
                continue
            word = lowers[i]
            if word.endswith("est") and lemmas[i] in hype and word not in hype and not ctx.excluded(i, i + 1):
                yield Hit(i, i + 1, word, "superlative")
            elif word in ("most", "least") and lowers[i + 1] in _EVALUATIVE and not ctx.excluded(i + 1, i + 2):
                taken.add(i + 1)
                yield Hit(i, i + 2, f"{word} {lowers[i + 1]}", "superlative")

    def _finding(self, ms: Manuscript, block: Block, ctx: _SentenceContext, hits: list[Hit], lead: list[Hit],
                 groups: list[list[Hit]], base: Severity, escalate: bool) -> Finding:
        """One finding per sentence, naming every evaluative word in it, anchored on the
        first promotional word (or on the whole list it stands in: "unique origin,
        potent …, and remarkable")."""
        group = next(g for g in groups if lead[0] in g)
        stacked = len(group) > 1
        start, end = _char_span(ctx, group[0].start, group[-1].end)
        words = [ctx.doc[h.start : h.end].text for h in hits]
        data = {"words": words, "kinds": [h.kind for h in hits], "stacked": stacked}
        quoted = _quote_list(words)
        severity = _severity_up(base) if stacked and escalate else base
        first = lead[0]
        if len(words) > 1:
            msg = f"{quoted} promote the claim, and the sentence gives no citation or data to support it."
        elif first.kind == "superlative":
            msg = f"“{words[0]}” claims rank or priority, and the sentence gives no citation or data to support it."
        elif first.kind == "comparative":
            msg = f"“{words[0]}” compares without saying to what, and the sentence gives no citation or data."
        else:
            msg = f"“{words[0]}” promotes the claim, and the sentence gives no citation or data to support it."
        return self.finding(ms, block.index, start, end, msg, severity=severity, data=data,
                            suggestion="Cite the evidence or give the figure, or use a plainer word.")


def _quote_list(words: list[str]) -> str:
    quoted = [f"“{w}”" for w in dict.fromkeys(words)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def promotional_words(options: dict[str, Any]) -> frozenset[str]:
    """The promotional core (``promotional-words.txt``) plus the set phrases, adjusted
    by the user's ``add`` (an added word is taken as promotional) and ``remove``."""
    base = lexicons.words("promotional-words.txt") | lexicons.words("hype-phrases.txt")
    return lexicons.effective(base, options)


# Promotion of what is still to come.  A citation supports what a study found, not the
# author's forecast of its impact, so "These findings open exciting and transformative
# opportunities" is unsupported even right after the study is cited.
FORWARD_LOOKING = frozenset([
    "transformative", "revolutionary", "revolutionize", "revolutionise", "exciting", "breakthrough",
    "game changer", "game-changer", "game-changing", "paradigm shift", "holy grail", "great promise",
    "great potential", "tremendous potential", "huge potential", "enormous potential", "immense potential",
    "broad prospects", "broad application prospects", "bright future", "bright prospects", "significant promise",
    "considerable promise", "substantial promise",
])


def _bounded(ctx: _SentenceContext, hit: Hit) -> bool:
    """Is the evaluation limited by a contrast after it ("invaluable in large projects,
    but pay fewer dividends in smaller ones")?  Then it is a weighed judgement."""
    after = ctx.sentence.text[ctx.toks.ends[hit.end - 1] - ctx.sentence.start :]
    return bool(_BOUNDED_BY_CONTRAST.search(after))


def _is_promotional(hit: Hit, promotional: frozenset[str]) -> bool:
    return hit.entry in promotional or hit.entry.removeprefix("most ") in promotional


_REASONS = frozenset({"because", "since", "given", "owing", "due", "thanks"})
_AS_REASON = frozenset({"they", "it", "its", "their", "these", "this", "those", "the"})


def _reason_follows(ctx: _SentenceContext, hit: Hit) -> bool:
    """"ideal for linkage analysis as they have an even distribution of sites": the
    sentence argues its evaluation, giving the reason after it."""
    lowers = ctx.toks.lowers
    for i in range(hit.end, ctx.last + 1):
        if lowers[i] in _REASONS and (lowers[i] not in ("due", "owing", "thanks") or lowers[i + 1:i + 2] == ["to"]):
            return True
        if lowers[i] == "as" and i + 1 <= ctx.last and lowers[i + 1] in _AS_REASON:
            return True
    return False


# A sentence that states its own uncertainty does not claim certainty about the world.
_ADMITS_UNCERTAINTY = re.compile(
    r"\b(?:hard|difficult|impossible)\s+to\s+(?:know|say|tell|determine|judge)\b|\bunclear\b|"
    r"\bit\s+is\s+not\s+(?:yet\s+)?(?:known|clear)\b|\bremains?\s+(?:unknown|uncertain|to\s+be\s+seen)\b",
    re.I,
)
# "CI systems are invaluable in large projects …, but pay fewer dividends in smaller
# projects": the evaluation is bounded by the contrast that follows it.
_BOUNDED_BY_CONTRAST = re.compile(
    r"\b(?:but|although|though|whereas|while)\b[^.;]{0,80}?\b(?:less|fewer|little|limited|smaller|lower|"
    r"not|rarely|seldom|poorly)\b",
    re.I,
)
_HEDGE_WORDS = frozenset({"perhaps", "possibly", "arguably", "may", "might", "could", "suggest", "suggests"})


def _hedged_sentence(ctx: _SentenceContext) -> bool:
    """"may never be", "perhaps the largest", "we suggest … outstanding potential":
    a hedged claim is the authors' caution, not their hype."""
    lowers = ctx.toks.lowers
    return any(lowers[i] in _HEDGE_WORDS for i in ctx.indexes)


# Adjectives that make "most X"/"least X" a superlative claim even outside the hype lists.
_EVALUATIVE = frozenset(
    ["important", "effective", "efficient", "promising", "powerful", "successful", "suitable", "valuable", "reliable", "accurate", "advanced", "significant", "potent", "useful", "beneficial", "advantageous", "appropriate", "ideal", "attractive", "innovative", "influential", "impressive", "striking", "relevant", "critical", "crucial"]
)


def _verb_like(tok: Any) -> bool:
    """A token that probably starts a new clause ("making them crucial"), so the words
    around it are separate evaluations, not one stacked list."""
    if tok.pos_:
        return tok.pos_ in ("VERB", "AUX")
    return tok.is_lower and (tok.text.endswith("ing") or tok.lower_ in {"is", "are", "was", "were", "be", "has", "have"})


def _stacks(doc: Any, hits: list[Hit], gap: int) -> list[list[Hit]]:
    """Group hits that stand in one list: at most ``gap`` tokens apart with a comma or
    coordinator between them ("unique origin, potent …, and remarkable")."""
    groups: list[list[Hit]] = []
    for h in sorted(hits, key=lambda h: h.start):
        if groups:
            prev = groups[-1][-1]
            between = doc[prev.end : h.start]
            if len(between) <= gap and any(t.text == "," or t.lower_ in ("and", "or", "nor") for t in between) \
                    and not any(t.text in ".;:" or _verb_like(t) for t in between):
                groups[-1].append(h)
                continue
        groups.append([h])
    return groups


# -- RC302 --------------------------------------------------------------------


def absolute_terms(options: dict[str, Any]) -> frozenset[str]:
    """Hyland's boosters marked RC302 plus the impersonal certainty phrases, adjusted by
    options; the weak boosters ("always", "clearly") only when ``weak`` is set."""
    base = lexicons.words("boosters-hyland2005.tsv", 0, (1, "RC302")) | lexicons.words("absolute-phrases.txt")
    if not options.get("weak"):
        base -= lexicons.words("certainty-weak.txt")
    return lexicons.effective(base, options)


_FIRST_PERSON = frozenset({"we", "our", "us", "ours", "ourselves"})


class AbsoluteLanguage(Rule):
    """Certainty that forecloses doubt ("undoubtedly", "indisputably", "it is well known") with no citation or data.

    What it flags:
        The markers by which a claim is declared beyond question — Hyland's strong
        boosters "undoubtedly", "indisputably", "undeniably", "incontrovertibly",
        "conclusively", "beyond doubt", "no doubt", and the impersonal "it is well
        known", "it is widely accepted", "it is clear that", "there is no doubt" — in
        a sentence with no citation, no figure and no pointer to the authors' own
        figure or table.  The weak boosters "always", "never", "clearly",
        "obviously", "certainly", "surely", "prove" are left alone unless
        ``weak = true``: in published prose they mostly describe manner, a property
        true by construction or the authors' own reasoning.  Not flagged either:
        hedged forms ("not always", "almost never"), sentences in the first person
        ("we", "our": the authors' own argument), a sentence whose next sentence
        gives the figure or the citation ("Progress is undeniably being made.
        Since 2002 the number … rose from two to 41."), quotations, methods
        sections, headings, front matter, funding and disclosure text and the
        reference list.

        Not run on a manuscript that reports a study of its own (Methods and Results
        headings) or on a notice (a retraction, a letter, a commentary): there such
        words mostly describe the authors' own data, and blind editors judged few of
        these findings worth sending on published research articles refcheck had not
        seen.  ``claims-everywhere = true`` runs it on them too.

    Why it matters:
        Science rarely licenses "indisputably"; an unreferenced "it is well known"
        hides whose knowledge it is.  Reviewers read such certainty as overreach,
        and readers cannot check it.

    Example:
        "MSC therapy is undoubtedly safe." — "undoubtedly" is flagged; "MSC therapy
        was safe in all 120 patients [4]." is not.

    How to fix:
        Cite the source, give the figure, or state the claim plainly.  Add or remove
        terms with ``[tool.refcheck.options.RC302] add = [...]`` / ``remove = [...]``;
        ``weak = true`` also flags "always", "never", "clearly" and the like.
    """

    code = "RC302"
    english_only = True
    literature_claims = True
    name = "absolute-language"
    default_severity = Severity.WARNING
    options = {"add": [], "remove": [], "summary_severity": "info", "weak": False}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        matcher = _matcher(nlp_for(ms), absolute_terms(options), True)
        summary_sev = self.severity if self.configured else Severity(str(options.get("summary_severity", "info")).lower())
        for block, _sentence, ctx in _unsupported_sentences(ms):
            if any(METHODS_SECTION.search(t) for t in block.section):
                continue
            if any(ctx.toks.lowers[i] in _FIRST_PERSON for i in ctx.indexes):
                continue  # the authors' own reasoning or result, argued in the text
            if _ADMITS_UNCERTAINTY.search(ctx.sentence.text):
                continue  # "It's hard to know …, but … is undoubtedly Git": the doubt is stated
            if _evidence_follows(ms, ctx.sentence):
                continue  # "progress is undeniably being made … Since 2002, the number … rose from two to 41"
            for s, e, entry in ctx.matches(matcher):
                if ctx.excluded(s, e) or self._hedged(ctx, s, e, entry):
                    continue
                start, end = _char_span(ctx, s, e)
                phrase = ctx.doc[s:e].text
                if e - s > 1 and entry.startswith(("it ", "there ")):
                    msg = (f"“{phrase}” presents the claim as settled knowledge without saying whose. "
                           "Cite a source (a review or guideline), or state the claim and support it.")
                else:
                    msg = (f"“{phrase}” states the claim as certain, with no citation or data in the sentence. "
                           "Cite the evidence or qualify the statement.")
                yield self.finding(ms, block.index, start, end, msg,
                                   severity=summary_sev if in_summary(block) else self.severity,
                                   suggestion="Add a citation or the figure, or qualify the claim.",
                                   data={"term": entry})

    @staticmethod
    def _hedged(ctx: _SentenceContext, s: int, e: int, entry: str) -> bool:
        lowers = ctx.toks.lowers
        prev = lowers[s - 1] if s > ctx.first else ""
        nxt = lowers[e] if e < len(lowers) else ""
        if prev in _HEDGES:
            return True
        if entry == "clearly" and nxt in _CLEARLY_NEUTRAL:
            return True
        if entry == "prove":
            window = set(lowers[max(ctx.first, s - 3) : s])
            return bool(window & {"to", "not", "yet", "unproven", "cannot", "can", "could", "may", "might", "will", "should", "must"}) \
                or bool(_GOAL.search(ctx.sentence.text))
        return False


def _evidence_follows(ms: Manuscript, sentence: Sentence) -> bool:
    """The next sentence of the paragraph gives the figure or the citation: the claim
    is stated, then backed."""
    after = [t for t in ms.sentences_in(sentence.block) if t.start >= sentence.end]
    return bool(after) and has_evidence(ms, after[0])


RULES: tuple[type[Rule], ...] = (UnsupportedSuperlative, AbsoluteLanguage)


@hookimpl
def refcheck_get_rules() -> list[type[Rule]]:
    return list(RULES)


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC3", "language", "#d68910")]
