"""Property tests (Hypothesis) for the parts that see every manuscript.

Fixed seed (``derandomize=True``) and a bounded number of examples, so CI is
repeatable and quick; a failure prints the shrunk counter-example.  The run
splitter's property test belongs with the Word-comment writer's own tests.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refcheck.analysis.citations import CitationFinder, compress_numbers, expand_numbers
from refcheck.analysis.references import parse_reference
from refcheck.model import Block, BlockKind
from refcheck.readers.text import read_text

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Lower-case words only: capitalised words followed by a year are author–year citations.
words = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10), min_size=1, max_size=8)
ref_numbers = st.integers(min_value=1, max_value=300)


@st.composite
def citation(draw) -> tuple[str, tuple[int, ...]]:
    """A numeric citation as authors type it, with the numbers it stands for."""
    kind = draw(st.sampled_from(["single", "list", "range", "mixed"]))
    if kind == "single":
        n = draw(ref_numbers)
        return f"[{n}]", (n,)
    if kind == "list":
        ns = draw(st.lists(ref_numbers, min_size=2, max_size=4))
        sep = draw(st.sampled_from([",", ", ", ";", "; "]))
        return "[" + sep.join(map(str, ns)) + "]", tuple(ns)
    lo = draw(st.integers(1, 250))
    hi = draw(st.integers(lo + 1, lo + 30))
    dash = draw(st.sampled_from(["-", "–", "—"]))
    if kind == "range":
        return f"[{lo}{dash}{hi}]", tuple(range(lo, hi + 1))
    extra = draw(ref_numbers)
    return f"[{extra}, {lo}{dash}{hi}]", (extra, *range(lo, hi + 1))


NON_CITATIONS = ["[Fig. 1]", "[sic]", "(n = 12)", "p < 0.05", "in 2019", "[2019]", "(2020)",
                 "[Table 2]", "10^5 cells", "[see above]", "(p = 0.01)", "[ ]x"]


@st.composite
def prose_with_citations(draw):
    pieces: list[str] = []
    expected: list[tuple[str, tuple[int, ...]]] = []
    for _ in range(draw(st.integers(1, 6))):
        pieces.append(" ".join(draw(words)))
        if draw(st.booleans()):
            text, numbers = draw(citation())
            pieces.append(text)
            expected.append((text, numbers))
        else:
            pieces.append(draw(st.sampled_from(NON_CITATIONS)))
    return " ".join(pieces) + ".", expected


def _block(text: str) -> Block:
    return Block(index=0, kind=BlockKind.PARAGRAPH, text=text)


@SETTINGS
@given(prose_with_citations())
def test_citation_finder_finds_exactly_the_citations(case) -> None:
    text, expected = case
    found = CitationFinder(max_ref=400, numeric_document=True).find(_block(text))
    if "[ ]" in text:  # an empty citation is found, as malformed
        found = [c for c in found if c.malformed != "empty citation"]
    assert [(c.text, c.numbers) for c in found] == expected
    for c in found:
        assert text[c.start : c.end] == c.text


@SETTINGS
@given(st.lists(st.integers(1, 400), min_size=1, max_size=40))
def test_compress_then_expand_round_trip(numbers: list[int]) -> None:
    spec = compress_numbers(numbers)
    expanded = expand_numbers(spec)
    assert expanded.problem is None
    assert sorted(expanded.numbers) == sorted(set(numbers))
    # compressed form is canonical: compressing again changes nothing
    assert compress_numbers(expanded.numbers) == spec


@SETTINGS
@given(st.text(max_size=300))
def test_reference_parser_never_crashes(text: str) -> None:
    ref = parse_reference(text, block=3)
    assert ref.block == 3 and ref.text == text


title_words = st.lists(st.sampled_from(["liver", "cell", "therapy", "acute", "failure", "stem", "in", "of",
                                        "mesenchymal", "outcomes", "trial"]), min_size=2, max_size=8)


@SETTINGS
@given(
    n=st.integers(1, 999),
    label=st.sampled_from(["[{}] ", "{}. ", "({}) "]),
    title=title_words,
    doi_suffix=st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,6}){0,2}", fullmatch=True),
    year=st.integers(1950, 2025),
)
def test_reference_parser_recovers_label_and_doi(n, label, title, doi_suffix, year) -> None:
    doi = f"10.{1000 + n}/{doi_suffix}"
    text = (f"{label.format(n)}Smith J, Doe A. {' '.join(title).capitalize()}. "
            f"J Hepatol. {year};12(3):45-67. doi:{doi}")
    ref = parse_reference(text)
    assert ref.number == n
    assert ref.doi == doi
    assert ref.label_span is not None and text[ref.label_span[0] : ref.label_span[1]].strip().strip("[]().") == str(n)


line = st.one_of(
    st.just(""),
    st.text(st.characters(whitelist_categories=("L", "N", "P", "Zs"), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
            max_size=60),
    st.builds(lambda w: "# " + " ".join(w), words),
    st.builds(lambda w: "- " + " ".join(w), words),
    st.builds(lambda w: "   " + " ".join(w) + "-", words),
)


@SETTINGS
@given(st.lists(line, min_size=1, max_size=25))
def test_text_reader_offsets_map_back_to_the_file(lines: list[str]) -> None:
    source = "\n".join(lines)
    if not source.strip():
        return
    ms = read_text("generated.txt", {}, data=source.encode("utf-8"))
    file_lines = source.split("\n")
    for block in ms.blocks:
        for i, ch in enumerate(block.text):
            locator, offset = block.source.locate(i)
            if locator is None:
                assert ch == " " or not ch.strip(), (block.text, i)  # a joining space
                continue
            assert file_lines[locator - 1][offset] == ch, (block.text, i, locator, offset)


def test_non_citation_list_is_not_trivially_empty() -> None:
    """Guard for the generator: the non-citations really are near-misses of the patterns."""
    assert any(re.search(r"\[\s*\d", s) for s in NON_CITATIONS)
    assert any("(" in s and re.search(r"\d", s) for s in NON_CITATIONS)
