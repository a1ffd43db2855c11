"""The reference parser, per style, and on real entries from published articles."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from refcheck.analysis.references import parse_reference

STYLES = {
    "example": (
        "[1] Artru F, McPhail M, 2024, Immunopathogenesis of Acute on Chronic Liver Failure. American Journal of "
        "Transplantation, 24(5): 724–732. doi:10.1016/j.ajt.2024.02.001 https://pubmed.ncbi.nlm.nih.gov/38346497/",
        dict(number=1, year=2024, title="Immunopathogenesis of Acute on Chronic Liver Failure",
             journal="American Journal of Transplantation", volume="24", pages="724–732",
             doi="10.1016/j.ajt.2024.02.001", pmid="38346497", authors=("Artru F", "McPhail M")),
    ),
    "vancouver": (
        "12. Chen Q, Jin M, Wang S, et al. Establishing an immortalized umbilical cord-derived mesenchymal stem cell "
        "line. J Tissue Eng. 2023;14:20417314231200328. doi:10.1177/20417314231200328. PMID: 37736245",
        dict(number=12, year=2023, title="Establishing an immortalized umbilical cord-derived mesenchymal stem cell line",
             journal="J Tissue Eng", doi="10.1177/20417314231200328", pmid="37736245"),
    ),
    "ama": (
        "3. Vasques F, Cavazza A, Bernal W. Acute liver failure. Curr Opin Crit Care. 2022;28(2):198-207.",
        dict(number=3, year=2022, title="Acute liver failure", journal="Curr Opin Crit Care", volume="28", pages="198-207"),
    ),
    "apa": (
        "Wang, Y., & Chen, E. (2023). Mesenchymal stem cell therapy in acute liver failure. Gut and Liver, 17(5), "
        "674–683. https://doi.org/10.5009/gnl220417",
        dict(number=None, year=2023, title="Mesenchymal stem cell therapy in acute liver failure", journal="Gut and Liver",
             volume="17", pages="674–683", doi="10.5009/gnl220417"),
    ),
    "harvard": (
        "Guo, G., Zhuang, X. and Xu, Q. (2019) Peripheral infusion of human umbilical cord mesenchymal stem cells "
        "rescues acute liver failure lethality in monkeys. Stem Cell Research & Therapy, 10(1), pp. 84-90.",
        dict(year=2019, title="Peripheral infusion of human umbilical cord mesenchymal stem cells rescues acute liver "
             "failure lethality in monkeys", journal="Stem Cell Research & Therapy", volume="10", pages="84-90"),
    ),
    "ieee": (
        "[7] V. Cardinale, N. Lanthier and P. Baptista, “Cell transplantation-based regenerative medicine in liver "
        "diseases,” Stem Cell Rep., vol. 18, no. 8, pp. 1555–1572, 2023.",
        dict(number=7, year=2023, title="Cell transplantation-based regenerative medicine in liver diseases",
             volume="18", pages="1555–1572"),
    ),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_styles(style: str) -> None:
    text, expected = STYLES[style]
    ref = parse_reference(text)
    for key, value in expected.items():
        assert getattr(ref, key) == value, (key, getattr(ref, key))


def test_auto_numbered_entry_takes_the_list_label() -> None:
    ref = parse_reference("Artru F, McPhail M, 2024, Title here. Journal, 1: 2.", list_label="17.")
    assert ref.number == 17 and ref.label_in_text is False


def test_a_list_numbered_with_bare_numbers() -> None:
    """"1 Smith J. …" (no full stop or bracket after the number): a label when the whole
    list counts 1, 2, 3 that way; a lone number at the start of one entry is not."""
    from refcheck.analysis.references import parse_reference_blocks
    from refcheck.model import Block, BlockKind

    entries = ["1 Smith J. Liver failure in adults. Hepatology. 2020;1:1-2.",
               "2 Doe J. Kidney failure in adults. Nephrology. 2019;3:1-2.",
               "3 Lee K. Heart failure in adults. Cardiology. 2018;4:5-6."]
    refs = parse_reference_blocks([Block(i, BlockKind.REFERENCE, t) for i, t in enumerate(entries)])
    assert [(r.number, r.title) for r in refs] == [(1, "Liver failure in adults"), (2, "Kidney failure in adults"),
                                                   (3, "Heart failure in adults")]
    assert refs[0].label_span == (0, 2)
    odd = ["Smith J. Liver failure in adults. Hepatology. 2020;1:1-2.",
           "3 Reasons to doubt. Doe J. Nephrology. 2019;3:1-2.",
           "Lee K. Heart failure in adults. Cardiology. 2018;4:5-6."]
    assert [r.number for r in parse_reference_blocks([Block(i, BlockKind.REFERENCE, t)
                                                      for i, t in enumerate(odd)])] == [None, None, None]


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (s or "").lower()).strip()


def test_real_entries_from_published_articles() -> None:
    """Titles and years parsed from real <mixed-citation> text match the article's own
    structured <article-title> and <year> (PLOS, BMC; Vancouver and name-year forms)."""
    from conftest import corpus_dir
    from jats_text import _text

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    total = titles = years = 0
    for path in sorted(corpus_dir("jats").glob("*.*ml")):
        root = etree.parse(str(path), parser).getroot()
        for mc in root.iter("mixed-citation"):
            at, year = mc.find("article-title"), mc.find("year")
            text = _text(mc)
            if at is None or ". " not in text:  # some entries carry no punctuation at all
                continue
            ref = parse_reference(text)
            total += 1
            titles += _norm(ref.title) == _norm(_text(at))
            years += year is not None and str(ref.year) == _text(year)[:4]
    assert total >= 400
    assert titles / total >= 0.9, f"{titles}/{total} titles"
    assert years / total >= 0.9, f"{years}/{total} years"


def test_line_laid_out_entries_manubot_word_reviews() -> None:
    """Manubot's Word output puts title, authors and venue on separate lines (kgreview):
    the title is the first line, not "Binder, Lars Juhl Jensen Methods (2015-03)"."""
    ref = parse_reference(
        "12. DISEASES: Text mining and data integration of disease–gene associations\n"
        "Sune Pletscher-Frankild, Albert Pallejà, Kalliopi Tsafou, Janos X. Binder, Lars Juhl Jensen\n"
        "Methods (2015-03) https://doi.org/f3mn6s\nDOI: 10.1016/j.ymeth.2014.11.020 · PMID: 25484339")
    assert ref.number == 12 and ref.year == 2015 and ref.journal == "Methods"
    assert ref.title == "DISEASES: Text mining and data integration of disease–gene associations"
    assert ref.authors[0] == "Sune Pletscher-Frankild" and ref.doi == "10.1016/j.ymeth.2014.11.020"
    ref = parse_reference("65. PhpSyntaxTree tool\nA Eisenbach, M Eisenbach\n(2006)")
    assert ref.title == "PhpSyntaxTree tool" and ref.year == 2006


def test_manubot_titles_match_the_csl_ground_truth() -> None:
    """The kgreview DOCX against the CSL JSON Manubot rendered it from."""
    import json

    from conftest import corpus_dir

    from refcheck.engine import read_manuscript

    csl = json.loads((corpus_dir("csl") / "kgreview__references.json").read_text("utf-8"))
    titles = {" ".join(c.get("title", "").lower().split()) for c in csl}
    ms = read_manuscript(corpus_dir("docx") / "kgreview__manuscript.docx")
    exact = sum(1 for r in ms.references if r.title and " ".join(r.title.lower().split()) in titles)
    assert exact >= 0.85 * len(ms.references), (exact, len(ms.references))
