"""What a manuscript is about, and whether a cited work is about the same thing.

The relevance rules need *absolute* evidence that a citation is wrong, not a low
rank among the manuscript's own references (every bibliography has a bottom fifth).
Two kinds of evidence are measured here, both offline and explainable in words:

- **Central subjects.**  The manuscript's title names what it is about, as noun
  phrases ("human umbilical cord mesenchymal stem cells", "acute liver failure",
  "knowledge graphs").  A subject is *named* by a text when the text has one of the
  subject's distinctive words (or an abbreviation the manuscript defines for it), and
  *covered* by a reference when the reference's title names it too, or names the
  subject's head noun without a different specifier ("Cell Transplantation-Based
  Regenerative Medicine" covers "… stem cells"; "Smooth Muscle Cell Migration" does
  not: a different cell type).
- **Foreign terms.**  Distinctive words of a reference's title that the manuscript's
  own text (title, abstract, headings, body; not the reference list) never uses.  A
  work that the authors discuss shares its vocabulary with their text; a work on
  anaplasmosis cited in a liver review brings words nobody else in the manuscript uses.

Distinctive means weighing at least :data:`DISTINCTIVE` in the shipped term-weight
table (``term_weights.tsv``: generic scientific words such as "cell", "model",
"therapy" weigh little).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from refcheck.analysis.citations import blank_citations
from refcheck.analysis.scorer import default_weights, stem_key, terms
from refcheck.model import BlockKind, Manuscript, Reference

DISTINCTIVE = 0.5
# Words that split a title into noun phrases: prepositions, conjunctions, articles,
# verbs that titles use between their subjects, and punctuation.
_SPLIT = re.compile(
    r"[:;,.?!()\[\]“”\"']|\s[-–—]\s|\b(?:of|in|on|for|and|or|with|without|to|from|by|via|as|at|the|a|an|its|their|"
    r"is|are|was|were|be|using|use|used|through|into|during|after|before|between|among|against|towards?|"
    r"what|how|why|when|can|does|do|versus|vs)\b",
    re.I,
)
_WORD = re.compile(r"[^\W_][\w'’\-/]*")


def weight(term: str) -> float:
    return default_weights().get(term, 1.0)


def distinctive(term: str) -> bool:
    return weight(term) >= DISTINCTIVE


@dataclass(frozen=True)
class Subject:
    """One noun phrase of the title: its words (lemmas), the distinctive ones, its head."""

    phrase: str
    lemmas: tuple[str, ...]
    head: str

    @cached_property
    def key_terms(self) -> frozenset[str]:
        return frozenset(t for t in self.lemmas if distinctive(t))


def title_subjects(title: str, abbreviations: Mapping[str, str]) -> list[Subject]:
    """The title's noun phrases that carry at least one distinctive word."""
    out: list[Subject] = []
    for chunk in _SPLIT.split(title or ""):
        chunk = chunk.strip(" -–—")
        lemmas = tuple(terms(chunk, abbreviations))
        if not lemmas or not any(distinctive(t) for t in lemmas):
            continue
        out.append(Subject(chunk, lemmas, lemmas[-1]))
    return out


def manuscript_title(ms: Manuscript) -> str:
    """The title, or — in a Markdown manuscript with no title metadata — its opening
    level-1 heading ("# Umbilical cord …"), which is how such files name themselves."""
    if ms.title:
        return ms.title
    for b in ms.blocks[:5]:
        if b.kind is BlockKind.HEADING and b.level == 1:
            return b.text
    return ""


class ManuscriptVocabulary:
    """The manuscript's own words (not its reference list), with stems, computed once."""

    def __init__(self, ms: Manuscript, abbreviations: Mapping[str, str]):
        by_block: dict[int, list] = {}
        for c in ms.citations:
            by_block.setdefault(c.block, []).append(c)
        words: set[str] = set()
        for b in ms.blocks:
            if b.kind in (BlockKind.REFERENCE, BlockKind.FRONT_MATTER):
                continue
            words.update(terms(blank_citations(b.text, by_block.get(b.index, ())), abbreviations))
        if ms.title:
            words.update(terms(ms.title, abbreviations))
        self.words = frozenset(words)
        self.stems = frozenset(k for k in (stem_key(t) for t in words) if k)

    def knows(self, term: str) -> bool:
        if term in self.words:
            return True
        k = stem_key(term)
        return bool(k and k in self.stems)

    def foreign(self, lemmas: Iterable[str]) -> list[str]:
        """The distinctive words of ``lemmas`` the manuscript never uses, in order."""
        return list(dict.fromkeys(t for t in lemmas if distinctive(t) and len(t) > 2 and not self.knows(t)))


def names_subject(lemmas: Iterable[str], subject: Subject) -> bool:
    """A text names the subject when it has one of its distinctive words."""
    return any(t in subject.key_terms for t in lemmas)


def covers_subject(title_lemmas: list[str], subject: Subject) -> bool:
    """A reference title covers the subject when it names it, or names its head noun
    unqualified or qualified by the subject's own words ("cell transplantation" and
    "stem cells" cover "mesenchymal stem cells"; "cancer cells" do not)."""
    if names_subject(title_lemmas, subject):
        return True
    for i, t in enumerate(title_lemmas):
        if t == subject.head and (i == 0 or title_lemmas[i - 1] in subject.lemmas):
            return True
    return False


def specific(term: str) -> bool:
    """Specific enough that sharing it is evidence of a match: the lexical scorer's
    own notion of a distinctive term (squared weight at least 0.5)."""
    return weight(term) ** 2 >= 0.5


# Function words of the languages the corpus's non-English titles are in: two of them
# mark a title whose words no English manuscript would share.
_NON_ENGLISH = frozenset(["le", "la", "les", "des", "dans", "et", "une", "du", "au", "aux", "der", "die", "und",
                          "das", "ein", "eine", "el", "los", "las", "del", "por", "para", "una", "em", "com", "uma"])
_NOT_A_TITLE = re.compile(r"\d+\s*\(\d+\)|https?://|\bdoi\b", re.I)


def reference_title_lemmas(ref: Reference, abbreviations: Mapping[str, str]) -> list[str] | None:
    """The lemmas of a reference's title, or None when it has no usable title: fewer
    than two words, a volume(issue) or an address read as the title, another language."""
    title = (ref.title or "").strip()
    words = {w.lower() for w in re.findall(r"\w+", title)}
    if len(words) < 2 or _NOT_A_TITLE.search(title) or len(words & _NON_ENGLISH) >= 2 or _accented_language(title):
        return None
    return terms(title, abbreviations)


def _accented_language(title: str) -> bool:
    """A title in a language written with accents (Hungarian, Czech, Portuguese …):
    at least two words with a letter outside ASCII, a quarter or more of its words.
    "Törvényhozó székely falu" shares no word with an English manuscript that cites it
    rightly; "Gödel's theorem" or "a naïve model" stays English."""
    words = re.findall(r"[^\W\d_]+", title)
    accented = sum(1 for w in words if not w.isascii())
    return accented >= 2 and accented * 4 >= len(words)


def named_in_sentence(ref: Reference, sentence: str) -> bool:
    """The sentence names the cited work itself: an author's surname ("Amir et al.
    [10]"), or a capitalised name from its title ("DISEASES [12]", "TransE [137]")."""
    words = set(_WORD.findall(sentence))
    for author in ref.authors:
        parts = [p for p in re.split(r"[\s,]+", author) if len(p) > 2 and p[:1].isupper() and not p.isupper()]
        if any(p in words for p in parts):
            return True
    for w in _WORD.findall(ref.title or ""):
        if len(w) > 2 and (w.isupper() or any(c.isupper() for c in w[1:])) and w in words:
            return True
    return False
