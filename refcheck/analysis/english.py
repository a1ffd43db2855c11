"""Is the manuscript written in English?

The word lists, claim patterns and relevance evidence are English.  A manuscript in
Portuguese citing English titles shares none of their words with its own text, so the
relevance rules would call every reference off-topic (17 warnings on one published
SciELO article).  They say nothing instead: weak evidence, no finding.

English prose is about a quarter function words ("the", "of", "and" …); the corpus's
English manuscripts have 21-40 %, its Portuguese one 4 %.  Below 10 % the body is not
English.  A manuscript with too little running text to tell is taken as English.
"""

from __future__ import annotations

import re

from refcheck.model import BlockKind, Manuscript

_FUNCTION_WORDS = frozenset(
    ["the", "of", "and", "in", "to", "a", "is", "that", "for", "are", "with", "as", "by", "this", "be", "on", "from", "or", "which", "was", "were", "it", "an", "not", "have", "has", "been", "these", "their", "can", "its"]
)
_WORD = re.compile(r"[^\W\d_]+")
#: Share of function words at or above which the body reads as English.
MIN_SHARE = 0.10
#: Fewer words than this in the running text: too little to tell, taken as English.
MIN_WORDS = 200
_SAMPLE_CHARS = 200_000


def written_in_english(ms: Manuscript) -> bool:
    """Whether the running text of ``ms`` is English (computed once per manuscript)."""
    cache = ms.cache.evidence
    if "english" not in cache:
        text = " ".join(b.text for b in ms.blocks if b.kind is BlockKind.PARAGRAPH)[:_SAMPLE_CHARS].lower()
        words = _WORD.findall(text)
        cache["english"] = len(words) < MIN_WORDS or \
            sum(1 for w in words if w in _FUNCTION_WORDS) >= MIN_SHARE * len(words)
    return cache["english"]
