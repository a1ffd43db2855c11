"""Topical similarity for the relevance rules (RC2xx): the scorer protocol and the lexical scorer.

Why a protocol: how similarity is measured is a choice a user may want to change
(sentence embeddings from a model they have on disk, a domain thesaurus) without
touching the rules.  The rules ask the ``refcheck_relevance_scorer`` hook for a
:class:`Scorer`; the built-in :class:`LexicalScorer` answers last, so any installed
plugin wins.

Why lexical by default: it needs no network and no model, runs in milliseconds and
every number it gives can be explained with the words behind it — which terms of
the reference the manuscript (or the citing sentence) also uses.

How it measures: a text becomes lemmas (spaCy lookup lemmas, as everywhere in
refcheck), with manuscript abbreviations replaced by their definitions ("ALF" →
"acute liver failure").  Each lemma carries a weight for how distinctive it is
(``refcheck/analysis/data/term_weights.tsv``: generic scientific and everyday words such as
"cell", "study", "effect", "progress" weigh little; words absent from the table weigh
1).  The score of a candidate against a query is the weighted share of the
candidate's terms that the query also has; a term the query lacks still half-counts
when both share a sub-word stem of ≥ 5 letters ("hepatic", "hepatocyte",
"hepatoprotective" meet on "hepat").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol, runtime_checkable

from refcheck.plugins import get_plugin_manager, hookimpl

Weighted = tuple[str, float]
"""A piece of text and how much it counts (1.0 = the main text, 0.3 = context)."""

PREFIX_LEN = 5
WEIGHT_POWER = 2.0  # sharpen the table: generic words (0.3) count a tenth of distinctive ones
UNSHARED_PENALTY = 0.25  # how much a candidate's own unshared distinctive words dilute the score
EVIDENCE_PRIOR = 0.5  # shared weight needed for a score of 1/2 when nothing is unshared
PREFIX_CREDIT = 0.5
DISTINCTIVE = 0.5  # a term weighing at least this is "distinctive" in explanations
_TOKEN = re.compile(r"[^\W_][\w'’\-/]*")  # letters of every script: "Müller", "β-catenin"


@dataclass(frozen=True)
class Match:
    """How well one candidate (a reference) fits a query (the manuscript or a sentence).

    ``score`` is in [0, 1): shared evidence ``s`` (the weights of the candidate's terms
    that the query has, times how strongly it has them) against the candidate's
    unshared weight ``u``: ``s / (s + 0.25·u + 0.5)``.  Sharing one distinctive word
    fully and nothing else gives 0.67; sharing nothing gives 0.  ``mass`` is the candidate's total term weight — below about
    0.5 its title says too little (only generic words) to be judged.  The term lists
    are what a finding shows the user.
    """

    score: float
    mass: float
    shared: tuple[str, ...]
    query_terms: tuple[str, ...]
    candidate_terms: tuple[str, ...]
    shared_distinctive: float = 0.0  # summed weight of shared terms that are distinctive


@runtime_checkable
class Scorer(Protocol):
    """What the relevance rules need from a similarity measure."""

    name: str

    def score(
        self,
        query: Sequence[Weighted],
        candidates: Sequence[Sequence[Weighted]],
        abbreviations: Mapping[str, str] | None = None,
    ) -> list[Match]:
        """One :class:`Match` per candidate, in order.  ``abbreviations`` maps short → long."""
        ...


# -- term extraction ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    from refcheck.analysis.nlp import get_nlp, lemma_table

    # No spacy-lookups-data: lower-case forms only.
    return lemma_table(get_nlp(None)) or {}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"et", "al", "vs", "via", "ii", "iii", "iv", "doi", "http", "https"}


@lru_cache(maxsize=65536)
def lemma_of(word: str) -> str | None:
    """Lower-case lemma of one word, or None for stop words, numbers and single letters."""
    raw = word.strip("'’-/")
    if len(raw) < 2:
        return None
    low = raw.lower()
    if low in _stopwords() or not any(c.isalpha() for c in low):
        return None
    if len(low) > 2 and raw[:-1].isupper() and raw.endswith("s"):  # "MSCs", "HLCs"
        return low[:-1]
    lem = _lemma_table().get(low, None)
    if lem is not None and low.endswith("er") and low.startswith(lem) and len(lem) >= len(low) - 2:
        lem = low  # "liver" is not a form of "live"; comparatives ("larger") are generic anyway
    if lem is None:
        lem = low[:-1] if len(low) > 4 and low.endswith("s") and not low.endswith(("ss", "us", "is")) else low
    return lem.lower()


def terms(text: str, abbreviations: Mapping[str, str] | None = None) -> list[str]:
    """The lemmas of ``text``, abbreviations replaced by their long forms."""
    return list(_terms(text, _abbreviation_key(abbreviations)))


class _Items(tuple):
    """Sorted abbreviation items whose hash is computed once.

    Why: :func:`_terms` is cached on (text, items); a plain tuple of a few hundred
    pairs is re-sorted and re-hashed on every call, which cost more than the terms.
    Equal items still compare (and hash) equal, so the cache answers the same.
    """

    _hash: int
    _dict: dict[str, str]

    def as_dict(self) -> dict[str, str]:
        """The items as a dict, built once (do not modify it)."""
        try:
            return self._dict
        except AttributeError:
            self._dict = dict(self)
            return self._dict

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash = tuple.__hash__(self)
            return self._hash


def clear_term_cache() -> None:
    """Forget the cached term lists (a benchmark measuring extraction itself)."""
    _terms.cache_clear()


def _abbreviation_key(abbreviations: Mapping[str, str] | None) -> _Items:
    """``abbreviations`` as the cache key of :func:`_terms` (sorted items)."""
    if isinstance(abbreviations, _Items):
        return abbreviations
    return _Items(sorted((abbreviations or {}).items()))


@lru_cache(maxsize=8192)
def _terms(text: str, abbreviation_items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Cached: RC201 and RC202 extract the same titles and paragraphs many times."""
    abbreviations = (abbreviation_items.as_dict() if isinstance(abbreviation_items, _Items)
                     else dict(abbreviation_items))
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        tok = tok.strip("'’-/")
        long = abbreviations.get(tok)
        if long is None and tok.endswith("s"):
            long = abbreviations.get(tok[:-1])
        if long is not None:
            out.extend(terms(long))
            continue
        for part in re.split(r"[-/]", tok):
            lem = lemma_of(part)
            if lem:
                out.append(lem)
    return out


def stem_key(term: str) -> str | None:
    """The sub-word key two related words share ("~hepat"), or None for short words.

    The key is weighed like a term (``~trans``, ``~diffe`` and other prefixes many
    fields use weigh little in the shipped table), so a generic prefix earns little.
    """
    if len(term) < PREFIX_LEN + 1 or not term[:PREFIX_LEN].isalpha():
        return None
    return "~" + term[:PREFIX_LEN]


# -- weights -----------------------------------------------------------------------


WEIGHTS_FILE = "term_weights.tsv"


@lru_cache(maxsize=1)
def default_weights() -> dict[str, float]:
    """The shipped term weights (generic words < 1; absent words weigh 1)."""
    # Beside this module (analysis/data/), so the scorer needs nothing from the rules.
    return parse_weights(resources.files("refcheck.analysis").joinpath("data", WEIGHTS_FILE).read_text("utf-8"))


def parse_weights(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, _, weight = line.partition("\t")
        out[term] = float(weight)
    return out


# -- the lexical scorer --------------------------------------------------------------


class LexicalScorer:
    """Distinctive-term overlap with sub-word stems; see the module docstring."""

    name = "lexical"

    def __init__(self, weights: Mapping[str, float] | None = None):
        self.weights = default_weights() if weights is None else weights
        self._tails: dict[Any, _Profile] = {}

    def weight(self, term: str) -> float:
        return self.weights.get(term, 1.0) ** WEIGHT_POWER

    def _presence(self, parts: Sequence[Weighted], abbreviations: Mapping[str, str]) -> dict[str, float]:
        """Term → how strongly the text has it (summed part weights, capped at 1)."""
        got: dict[str, float] = {}
        for text, w in parts:
            for t in terms(text, abbreviations):
                got[t] = min(1.0, got.get(t, 0.0) + w)
        return got

    def _candidate(self, parts: Sequence[Weighted], abbreviations: Mapping[str, str]) -> dict[str, float]:
        """Term → the largest part weight it occurs with (a repeated word is not more topical)."""
        got: dict[str, float] = {}
        for text, w in parts:
            for t in terms(text, abbreviations):
                got[t] = max(got.get(t, 0.0), w)
        return got

    def score(
        self,
        query: Sequence[Weighted],
        candidates: Sequence[Sequence[Weighted]],
        abbreviations: Mapping[str, str] | None = None,
    ) -> list[Match]:
        # Sorted once per call, not once per text: every part is looked up with it.
        abbreviations = _abbreviation_key(abbreviations)
        if len(query) > 1 and query[0][1] >= 1.0 and all(w >= 0 for _, w in query[1:]):
            q_get, q_stem, q_top = self._headed_query(query, abbreviations)
        else:
            q = self._profile(query, abbreviations)
            q_get, q_stem, q_top = q.presence.get, q.stems.get, q.top(8)
        out = []
        for cand in candidates:
            c = self._candidate(cand, abbreviations)
            mass = num = distinct = 0.0
            shared: list[tuple[float, str]] = []
            for t, cw in c.items():
                g = self.weight(t) * cw
                mass += g
                credit = q_get(t, 0.0)
                if not credit:
                    k = stem_key(t)
                    if k:
                        credit = PREFIX_CREDIT * self.weight(k) * q_stem(k, 0.0)
                if credit:
                    num += g * credit
                    shared.append((g * credit, t))
                    if self.weight(t) >= DISTINCTIVE:
                        distinct += g * credit
            score = num / (num + UNSHARED_PENALTY * (mass - num) + EVIDENCE_PRIOR)
            c_top = tuple(t for t, _ in sorted(c.items(), key=lambda kv: -kv[1] * self.weight(kv[0]))[:8])
            out.append(Match(
                score=round(score, 4),
                mass=round(mass, 4),
                shared=tuple(t for _, t in sorted(shared, reverse=True)),
                query_terms=q_top,
                candidate_terms=c_top,
                shared_distinctive=round(distinct, 4),
            ))
        return out


    def _profile(self, parts: Sequence[Weighted], abbreviations: Mapping[str, str]) -> _Profile:
        presence = self._presence(parts, abbreviations)
        stems: dict[str, float] = {}
        for t, p in presence.items():
            k = stem_key(t)
            if k:
                stems[k] = max(stems.get(k, 0.0), p)
        return _Profile(presence, stems, sorted(presence.items(), key=lambda kv: -kv[1] * self.weight(kv[0])))

    def _headed_query(self, query: Sequence[Weighted], abbreviations: Mapping[str, str]) -> tuple[Any, Any, tuple[str, ...]]:
        """The query's lookups when its first part weighs 1 or more: a citing sentence
        followed by its paragraph and heading (RC202).

        Why: every term of the first part has presence exactly 1 (the cap), whatever
        the later parts add, and every other term has the presence the later parts
        alone give it.  So the later parts — the same paragraph for every citation in
        it — are profiled once and reused; scoring each citation then costs the size
        of its sentence, not of its paragraph.  The answers are those of the plain
        computation, including the order of ties in the top terms.
        """
        key = (tuple(query[1:]), _abbreviation_key(abbreviations))
        tail = self._tails.get(key)
        if tail is None:
            if len(self._tails) > 64:
                self._tails.clear()
            tail = self._tails[key] = self._profile(query[1:], abbreviations)
        head: dict[str, float] = {}
        for text, _w in query[:1]:
            for t in terms(text, abbreviations):
                head[t] = 1.0
        head_stems = {k for k in map(stem_key, head) if k}
        base, base_stems = tail.presence, tail.stems

        def q_get(t: str, default: float) -> float:
            return 1.0 if t in head else base.get(t, default)

        def q_stem(k: str, default: float) -> float:
            return 1.0 if k in head_stems else base_stems.get(k, default)

        # sorted(q.items()) of the plain computation orders ties by insertion: the
        # head's terms first, then the paragraph's in their own order.
        ranked = [((-1.0 * self.weight(t), 0, i), t) for i, t in enumerate(head)]
        extra = 0
        for i, (t, p) in enumerate(tail.ranked):
            if extra == 8:
                break
            if t not in head:
                ranked.append(((-p * self.weight(t), 1, i), t))
                extra += 1
        ranked.sort()
        return q_get, q_stem, tuple(t for _, t in ranked[:8])


@dataclass
class _Profile:
    """A query's term presence, its stem presence and its terms ranked by weight."""

    presence: dict[str, float]
    stems: dict[str, float]
    ranked: list[tuple[str, float]]

    def top(self, n: int) -> tuple[str, ...]:
        return tuple(t for t, _ in self.ranked[:n])


@hookimpl(trylast=True)
def refcheck_relevance_scorer(config: dict[str, Any]) -> Scorer | None:
    """The built-in lexical scorer; answers last so that a plugin's scorer wins."""
    return LexicalScorer()


def get_scorer(config: dict[str, Any] | None = None) -> Scorer:
    """The scorer the first answering plugin returns (the lexical one unless a plugin says otherwise)."""
    scorer = get_plugin_manager().hook.refcheck_relevance_scorer(config=config or {})
    return scorer if scorer is not None else LexicalScorer()
