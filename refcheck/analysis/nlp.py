"""The spaCy pipeline: built once per process, blank English unless a model is named.

No model is ever downloaded.  The default is ``spacy.blank("en")`` with lookup
lemmas from spacy-lookups-data and refcheck's citation-aware sentence boundaries; a
trained pipeline named in the configuration (``spacy-model``) is used when it is
installed, and its tagger then sharpens the language rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

_ABBREVIATIONS = {
    "al", "fig", "figs", "e.g", "i.e", "vs", "approx", "no", "nos", "eq", "eqs", "cf", "ca",
    "dr", "mr", "mrs", "ms", "prof", "st", "ref", "refs", "tab", "suppl", "vol", "pp", "p",
    "sect", "sec", "ch", "ed", "eds", "resp", "viz", "incl", "jr", "sr", "inc", "ltd", "co",
    "dept", "univ", "min", "max", "spp", "sp", "var", "subsp", "et",
}
_BOUNDARY = re.compile(r"[.!?…]+['\"”’)\]]*")
_LAST_WORD_REVERSED = re.compile(r"\s*(\S*)")
_MIXED_CASE_START = re.compile(r"[a-z]{1,3}[A-Z]")


def sentence_boundaries(text: str, citation_spans: list[tuple[int, int]] = ()) -> list[int]:
    """Character offsets where sentences start (always including 0).

    Citation-aware: no split after "et al." or "Fig.", none inside "[12]." and when a
    citation directly follows the full stop ("failure.[1] Next") the boundary moves
    after the citation so the citation stays with the sentence it supports.
    """
    starts = [0]
    cites = sorted(citation_spans)
    # Indexes so each boundary costs O(log c + word length), not O(c + offset): a
    # paragraph of millions of characters must stay linear.
    cite_starts = [cs for cs, _ in cites]
    reach: list[int] = []  # reach[i] = max end of cites[0..i]
    for _, ce in cites:
        reach.append(max(ce, reach[-1]) if reach else ce)
    end_at: dict[int, int] = {}
    for cs, ce in cites:
        if ce > cs:  # an empty span moves nothing
            end_at.setdefault(cs, ce)
    reversed_text: str | None = None
    n = len(text)
    for m in _BOUNDARY.finditer(text):
        k = bisect_right(cite_starts, m.start()) - 1
        if k >= 0 and reach[k] > m.start():
            continue  # the full stop sits inside a citation
        nxt = m.end()
        spaced = False
        while nxt < n and text[nxt] in " \t\n":
            nxt += 1
            spaced = True
        while nxt in end_at and end_at[nxt] > nxt:
            nxt = end_at[nxt]
            while nxt < n and text[nxt] in " \t\n":
                nxt += 1
                spaced = True
        if not spaced or nxt >= n:
            continue
        if reversed_text is None:
            reversed_text = text[::-1]
        # The last whitespace-delimited word before the stop, read backwards
        # (same as text[:start].rsplit(None, 1)[-1] without copying the prefix).
        back = _LAST_WORD_REVERSED.match(reversed_text, n - m.start())
        word = back.group(1)[::-1].lstrip("([\"'“‘") if back else ""
        if m.group().startswith(".") and (
            word.rstrip(".").lower() in _ABBREVIATIONS
            or re.fullmatch(r"[A-Z]", word)
            or re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word.lower())
        ):
            continue
        ch = text[nxt]
        if not (
            ch.isupper()
            or ch.isdigit()
            or ch in "\"“‘'(["
            or (not ch.isascii() and ch.isalpha())
            or _MIXED_CASE_START.match(text, nxt)  # "hUC-MSCs exhibit …", "mRNA levels …"
        ):
            continue
        if nxt > starts[-1]:
            starts.append(nxt)
    return starts


@lru_cache(maxsize=4)
def get_nlp(model: str | None = None) -> Any:
    """The shared pipeline.  ``model`` is an installed spaCy package name, or None.

    The default is a blank English tokenizer and nothing else: its lemmas come from
    :func:`lemma`, which applies spaCy's lookup lemmatizer rule to the token text with
    the table read straight from spacy-lookups-data.  Why not ``add_pipe("lemmatizer")``
    and ``initialize()``: that builds a hashed ``Table`` of 41,000 entries (~0.1 s of
    every cold start) to give exactly the same answer as a dict lookup.
    """
    import spacy

    if model:
        try:
            nlp = spacy.load(model, exclude=["ner", "parser"])
        except OSError:
            raise ValueError(
                f"spaCy pipeline {model!r} is not installed; remove spacy-model from the "
                "configuration or install it (refcheck never downloads models)"
            ) from None
    else:
        nlp = _blank_english()
        table = _read_lemma_table()
        if table is not None:
            _TEXT_LEMMA_TABLES[id(nlp.vocab)] = table
    # spaCy's 1,000,000-character guard protects the parser and NER, which refcheck
    # never loads; a paragraph of a few million characters is legitimate input.
    nlp.max_length = max(nlp.max_length, 100_000_000)
    if model:
        # A loaded package's tokenizer is already built: swap its infixes (spaCy then
        # re-validates every special case, ~0.07 s, once per process).
        infixes = list(nlp.Defaults.infixes) + _EXTRA_INFIXES
        nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    return nlp


# Brackets and carets split inside a word ("failure[1]", "x^2"), so a citation's
# brackets are tokens of their own.
_EXTRA_INFIXES = [r"[\[\]\^]"]


def _blank_english() -> Any:
    """``spacy.blank("en")`` whose tokenizer has refcheck's extra infixes from the start.

    Why a subclass: replacing ``infix_finditer`` on a built tokenizer makes spaCy flush
    and re-check all of its special cases, ~0.07 s of every cold start.  Building the
    tokenizer once from Defaults whose infixes already include the extra pattern gives
    the same regex (``compile_infix_regex`` over the same list) and the same tokens.
    """
    from spacy.lang.en import English

    class _Defaults(English.Defaults):  # type: ignore[misc,valid-type]
        infixes = list(English.Defaults.infixes) + _EXTRA_INFIXES

    class _RefcheckEnglish(English):  # type: ignore[misc,valid-type]
        lang = "en"
        Defaults = _Defaults

    return _RefcheckEnglish()


_TAGGED: dict[int, bool] = {}


def has_tagger(nlp: Any) -> bool:
    """Whether part-of-speech tags are available (a trained pipeline, not the blank one).

    Asked once per sentence, so the answer is kept per pipeline object; pipelines
    are built once per process (:func:`get_nlp`) and never changed afterwards."""
    key = id(nlp)
    if key not in _TAGGED:
        _TAGGED[key] = "tagger" in nlp.pipe_names or "morphologizer" in nlp.pipe_names
    return _TAGGED[key]


def lemma(token: Any) -> str:
    """Lower-case lemma; the lookup table only knows lower-case forms ("Studies")."""
    lem = token.lemma_
    if not lem:
        table = _TEXT_LEMMA_TABLES.get(id(token.doc.vocab))
        if table is not None:  # the default pipeline: the lemma is a function of the text
            return text_lemma(token.text, table)
    if not lem or lem == token.text and token.text[:1].isupper():
        low = token.text.lower()
        table = _lookup_table(token.doc.vocab)
        return table.get(low, low) if table is not None else low
    return lem.lower()


def text_lemma(text: str, table: dict[str, str]) -> str:
    """What :func:`lemma` gives for a token of the default pipeline with this text.

    spaCy's lookup lemmatizer sets ``lemma_ = table.get(text, text)``; :func:`lemma`
    then lower-cases it, or looks the lower-case form up when the table left a
    capitalised word unchanged.  Same rule, without running a pipeline component.
    """
    lem = table.get(text, text)
    if not lem or lem == text and text[:1].isupper():
        low = text.lower()
        return table.get(low, low)
    return lem.lower()


def lemma_table(nlp: Any) -> dict[str, str] | None:
    """The lookup lemma table of a :func:`get_nlp` default pipeline (None otherwise)."""
    return _TEXT_LEMMA_TABLES.get(id(nlp.vocab))


_TEXT_LEMMA_TABLES: dict[int, dict[str, str]] = {}  # id(vocab) -> lemma table of a default pipeline


def _read_lemma_table() -> dict[str, str] | None:
    """spacy-lookups-data's English lemma table as a plain dict, or None when absent.

    Reading the gzipped JSON directly takes ~0.02 s; ``load_lookups`` wraps the same
    data in a hashed ``Table`` (~0.1 s) and resolves it through an entry-point scan.
    Keys and values are identical, so lookups give identical answers.
    """
    try:
        import gzip
        import json
        from importlib import resources

        folder = resources.files("spacy_lookups_data").joinpath("data")
        plain = folder.joinpath("en_lemma_lookup.json")  # spaCy's load_language_data order
        if plain.is_file():
            table = json.loads(plain.read_bytes())
        else:
            table = json.loads(gzip.decompress(folder.joinpath("en_lemma_lookup.json.gz").read_bytes()))
    except Exception:  # spacy-lookups-data missing: lemmas fall back to lower-case text
        return None
    return table if isinstance(table, dict) and table else None


@lru_cache(maxsize=2)
def _lookup_table(vocab: Any) -> Any:
    """The lookup lemma table, keyed by lower-case form (spacy-lookups-data)."""
    if id(vocab) in _TEXT_LEMMA_TABLES:
        return _TEXT_LEMMA_TABLES[id(vocab)]
    try:
        from spacy.lookups import load_lookups

        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except Exception:
        return None
