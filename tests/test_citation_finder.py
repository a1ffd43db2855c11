"""The citation finder: every numeric form, author–year, and what is not a citation."""

from __future__ import annotations

import pytest

from refcheck.analysis.citations import (
    CitationFinder,
    compress_numbers,
    expand_numbers,
    find_citations,
)
from refcheck.model import Block, BlockKind


def _find(text: str, max_ref: int = 40, superscript=(), numeric: bool = True):
    block = Block(0, BlockKind.PARAGRAPH, text, superscript=tuple(superscript))
    return CitationFinder(max_ref, numeric_document=numeric).find(block)


@pytest.mark.parametrize(
    ("text", "span", "numbers"),
    [
        ("failure [1].", "[1]", (1,)),
        ("failure [1,2].", "[1,2]", (1, 2)),
        ("failure [1–3].", "[1–3]", (1, 2, 3)),
        ("failure [1-3, 7].", "[1-3, 7]", (1, 2, 3, 7)),
        ("failure [1—3].", "[1—3]", (1, 2, 3)),
        ("failure [4, 5; 9].", "[4, 5; 9]", (4, 5, 9)),
        ("failure (4, 5).", "(4, 5)", (4, 5)),
        ("failure ^[12].", "[12]", (12,)),
        ("failure ^{4,5}.", "^{4,5}", (4, 5)),
        ("failure¹˒² and", "¹˒²", (1, 2)),
        ("failure¹⁻³ and", "¹⁻³", (1, 2, 3)),
        ("as before [1]–[3] showed", "[1]–[3]", (1, 2, 3)),
    ],
)
def test_numeric_forms(text: str, span: str, numbers: tuple[int, ...]) -> None:
    found = _find(text)
    assert [(c.text, c.numbers) for c in found] == [(span, numbers)]


def test_superscript_run_in_docx() -> None:
    text = "liver failure1,2. Next sentence3–5 and more"
    sup = [(13, 16), (31, 34)]
    found = _find(text, superscript=sup)
    assert [(c.text, c.numbers, c.superscript) for c in found] == [("1,2", (1, 2), True), ("3–5", (3, 4, 5), True)]


def test_raised_bracket_citation_is_superscript() -> None:
    found = _find("failure [1].", superscript=[(8, 11)])
    assert found[0].superscript and found[0].numbers == (1,)


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 the trial ended.",
        "published in [2019] by",
        "as shown in [Fig. 1] and",
        "the patient [sic] said",
        "a cohort (n = 12) was",
        "significant (p < 0.05) effect",
        "the groups (1) controls and (2) cases",
        "where E = mc^2 holds (3)",
        "an area of 5 m² was",
        "a titre of 10⁵ copies",
        "Equation (2): x",
        "with 40 (95% CI 30–50) events",
    ],
)
def test_not_citations(text: str) -> None:
    assert _find(text, max_ref=40) == []


def test_exponent_in_superscript_is_not_a_citation() -> None:
    text = "a concentration of 10-5 M and 5 cm2 areas"
    assert _find(text, superscript=[(21, 23), (33, 34)]) == []


def test_author_year_forms() -> None:
    found = _find("Known (Smith et al., 2020; Lee and Park 2019a). Jones (2018) agreed.", numeric=False)
    assert [c.style for c in found] == ["author-year", "author-year"]
    assert found[0].authors_year == ("Smith et al., 2020", "Lee and Park 2019a")
    assert found[1].authors_year == ("Jones 2018",)


def test_dates_and_dated_names_are_not_author_year() -> None:
    """Real sentences (PLoS Comput Biol 2008; PLoS NTD 2013): a month and year in
    brackets is a date, and "(GBD 2010)" is the short form of the name before it."""
    found = _find("Scopus seems to be the library with the most comprehensive coverage, claiming (June 2008) "
                  "more than 15,000 titles. In December 2012, the major results of the Global Burden of "
                  "Disease 2010 (GBD 2010) Study were published. As shown before (Smith 2008).", numeric=False)
    assert [c.text for c in found] == ["(Smith 2008)"]


def test_malformed_forms() -> None:
    rev, empty = _find("reversed [5–3] and empty []")
    assert rev.malformed == "reversed range 5–3"
    assert empty.malformed == "empty citation"


def test_parenthesised_numbers_need_a_numeric_document_with_a_list() -> None:
    block = Block(0, BlockKind.PARAGRAPH, "shown before (4, 5) and [1].")
    cits, style = find_citations([block], max_ref=0)
    assert [c.text for c in cits] == ["[1]"]
    cits, style = find_citations([block], max_ref=10)
    assert [c.text for c in cits] == ["(4, 5)", "[1]"] and style == "numeric"


def test_reference_entries_and_headings_hold_no_citations() -> None:
    assert CitationFinder(10).find(Block(0, BlockKind.REFERENCE, "[1] Smith J. Title [2]. 2020.")) == []
    assert CitationFinder(10).find(Block(0, BlockKind.HEADING, "Results [1]")) == []


def test_style_detection_mixed() -> None:
    blocks = [Block(i, BlockKind.PARAGRAPH, t) for i, t in enumerate(
        ["A [1]. B [2]. C [3].", "D (Smith, 2020). E (Lee, 2019). F (Wu et al., 2018). G (Kim, 2017)."])]
    _, style = find_citations(blocks, max_ref=3)
    assert style == "mixed"


@pytest.mark.parametrize(("spec", "numbers"), [("1-3, 7", (1, 2, 3, 7)), ("4", (4,)), ("2–2", (2,)), ("1 – 4", (1, 2, 3, 4))])
def test_expand(spec: str, numbers: tuple[int, ...]) -> None:
    assert expand_numbers(spec).numbers == numbers


def test_compress() -> None:
    assert compress_numbers([4, 5, 6]) == "4–6"
    assert compress_numbers([4, 5]) == "4, 5"
    assert compress_numbers([9, 1, 2, 3, 7]) == "1–3, 7, 9"


def test_reference_manager_fields_are_citations() -> None:
    from refcheck.model import FieldCitation

    text = "as shown 12 and by Smith and colleagues."
    block = Block(0, BlockKind.PARAGRAPH, text, field_citations=(
        FieldCitation(9, 11, "zotero", 'ADDIN ZOTERO_ITEM CSL_CITATION {"citationItems": []}'),
        FieldCitation(19, 39, "endnote", "ADDIN EN.CITE"),
    ))
    found = CitationFinder(40).find(block)
    assert [(c.text, c.numbers, c.style) for c in found] == [
        ("12", (12,), "numeric"), ("Smith and colleagues", (), "author-year")]
