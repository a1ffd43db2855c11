"""What kind of manuscript this is: one reporting a study of its own, or a notice.

The claim rules (hype, certainty, uncited attributions, uncited sections) judge what a
manuscript says about the literature.  In a research article most such words are about
the authors' own data ("remarkable accuracy", "it is clear that" the results …, "has
been shown" in these experiments): on 105 published PLOS articles refcheck had not
seen (benchmarks/precision/unseen), blind editors judged 16.7 % of RC301's warnings,
27 % of RC302's, 23 % of RC401's and none of RC402's worth sending.  A notice (a
retraction, a correction) makes no claims at all.  So those rules judge reviews,
essays and other manuscripts that report no study of their own, and say so when they
do not run.
"""

from __future__ import annotations

import re

from refcheck.model import BlockKind, Manuscript

# "2.5.2. ", "IV. ", "A) " before a heading's words.
_NUMBERING = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Za-z][.)])\s+)+")
METHODS_HEADING = re.compile(
    r"^(?:(?:materials?|patients|subjects|participants)\s+and\s+methods|methods?|methodology|"
    r"experimental\s+(?:procedures?|section|design)|study\s+design)\b",
    re.I,
)
RESULTS_HEADING = re.compile(r"^results?\b", re.I)
# JATS article types that are notices or replies about another article, not claims.
NOTICE_TYPES = frozenset(["retraction", "correction", "expression-of-concern", "addendum", "removal", "obituary",
                          "reply", "letter", "article-commentary", "book-review", "news", "announcement"])


def heading_title(text: str) -> str:
    """A heading without its numbering: "2.5.2. Economic evaluation" -> "Economic evaluation"."""
    return _NUMBERING.sub("", text).strip()


def reports_own_study(ms: Manuscript) -> bool:
    """Does the manuscript report a study of its own (a research article, a systematic
    review or meta-analysis)?  It does when it has both a methods heading ("Methods",
    "Materials and methods", "Experimental procedures") and a "Results" heading; its
    Results and Discussion then present and interpret the authors' own data."""
    cache = ms.cache.density
    if "own_study" not in cache:
        titles = {heading_title(b.text) for b in ms.blocks if b.kind is BlockKind.HEADING}
        titles |= {heading_title(t) for b in ms.blocks for t in b.section}
        cache["own_study"] = any(METHODS_HEADING.search(t) for t in titles) and \
            any(RESULTS_HEADING.search(t) for t in titles)
    return cache["own_study"]


def is_notice(ms: Manuscript) -> bool:
    """A retraction or correction notice, a letter, a commentary on another article, a
    book review: the publisher's XML says so (JATS ``article-type``)."""
    return str(ms.metadata.get("article_type") or "").lower() in NOTICE_TYPES


def claims_out_of_scope(ms: Manuscript) -> str | None:
    """Why the literature-claim rules do not judge this manuscript, or None when they do."""
    if is_notice(ms):
        return f"it is a {str(ms.metadata.get('article_type')).replace('-', ' ')}"
    if reports_own_study(ms):
        return "it reports a study of its own (Methods and Results), where such words mostly describe the authors' data"
    return None
