"""Abbreviation definitions found in the text, Schwartz–Hearst style.

Why: a manuscript says "hUC-MSCs" two hundred times and "human umbilical cord
mesenchymal stem cells" a few; reference titles mostly spell terms out.  The
relevance scorer needs the long forms to see that "ALF" in the text and "Acute
Liver Failure" in a title are the same topic.

The algorithm is the one of Schwartz & Hearst (2003), "A simple algorithm for
identifying abbreviation definitions in biomedical text": a short form in
parentheses, and as its long form the shortest stretch of the words before it in
which the short form's characters occur in order, right to left, the first one at
the start of a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from refcheck.model import Abbreviation, Block, BlockKind

_PAREN = re.compile(r"\(([^()]{1,20})\)")
_SKIP_KINDS = {BlockKind.REFERENCE, BlockKind.FRONT_MATTER}
_WORD = re.compile(r"\S+")


def _valid_short(short: str) -> bool:
    """A plausible short form: 2–10 characters, ≤ 2 words, starts alphanumeric, has a letter,
    and is not an ordinary lower-case word ("(see)", "(i.e.)")."""
    if not 2 <= len(short) <= 10 or len(short.split()) > 2:
        return False
    if not short[0].isalnum() or not any(c.isalpha() for c in short):
        return False
    if short.islower() and "-" not in short:
        return False
    return not re.fullmatch(r"(?:e\.g|i\.e|etc|vs|cf|n|p)\.?", short, re.I)


def best_long_form(short: str, candidate: str) -> str | None:
    """The shortest tail of ``candidate`` that contains ``short``'s letters and digits in order.

    Right to left; the short form's first character must begin a word of the long
    form.  A trailing plural "s" ("MSCs") is matched like any other character, which
    lines it up with "cells".
    """
    s, lf = len(short) - 1, len(candidate) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while lf >= 0 and (
            candidate[lf].lower() != c or (s == 0 and lf > 0 and candidate[lf - 1].isalnum())
        ):
            lf -= 1
        if lf < 0:
            return None
        lf -= 1
        s -= 1
    start = candidate.rfind(" ", 0, lf + 1) + 1
    return candidate[start:].strip()


def _definitions(text: str) -> Iterable[tuple[str, str, int]]:
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not _valid_short(short):
            continue
        window = min(len(short) + 5, 2 * len(short))
        candidate = " ".join(_clause_tail(text, m.start(), window))
        long = best_long_form(short, candidate)
        if not long or len(long) <= len(short) or long.lower() == short.lower():
            continue
        if len(long.split()) < 2 and not re.search(r"[A-Za-z]{3,}", long):
            continue
        yield short, long, m.start(1)


def _clause_tail(text: str, end: int, window: int) -> list[str]:
    """The last ``window`` words of the clause that ends at ``end``: after the last
    bracket or sentence mark (".;:()[]") before it.

    Looks back over a growing suffix of ``text[:end]`` instead of copying the whole
    prefix for every parenthesis, which made a long paragraph quadratic.  The answer
    is the same: a suffix holding a clause mark holds the last one, and a suffix
    with more than ``window`` words has the last ``window`` whole.
    """
    size = 1024
    while True:
        lo = max(0, end - size)
        chunk = text[lo:end]
        cut = max(chunk.rfind(ch) for ch in ".;:()[]")
        if cut >= 0:
            return _WORD.findall(chunk, cut + 1)[-window:]
        words = _WORD.findall(chunk)
        if lo == 0 or len(words) > window:
            return words[-window:]
        size *= 4


def find_abbreviations(blocks: Iterable[Block]) -> list[Abbreviation]:
    """Every abbreviation defined in the running text, first definition of each short form.

    Reference entries and front matter are skipped: a cited title's "(HELP)" defines
    nothing for the manuscript.
    """
    seen: dict[str, Abbreviation] = {}
    for block in blocks:
        if block.kind in _SKIP_KINDS:
            continue
        for short, long, start in _definitions(block.text):
            if short not in seen:
                seen[short] = Abbreviation(short=short, long=long, block=block.index, start=start)
    return list(seen.values())


def expansion_map(abbreviations: Iterable[Abbreviation]) -> dict[str, str]:
    """``{short: long}``, with the singular of plural short forms too ("MSCs" → also "MSC")."""
    out: dict[str, str] = {}
    for a in abbreviations:
        out.setdefault(a.short, a.long)
        if a.short.endswith("s") and len(a.short) > 2 and a.short[-2].isupper():
            long = a.long[:-1] if a.long.endswith("s") else a.long
            out.setdefault(a.short[:-1], long)
    return out
