"""Real published articles with correctly numbered citations give no RC101–RC105 findings.

The articles come from ../shared/corpus/jats, read as Markdown text (tests/jats_text.py)
so that the whole text pipeline — reader, structure, citation finder, reference
parser, rules — is exercised on real prose and real reference lists.
"""

from __future__ import annotations

import pytest
from conftest import corpus_dir
from jats_text import jats_to_markdown

from refcheck.config import config_from_table
from refcheck.engine import check

# Articles the corpus MANIFEST lists as strictly ordered (0 back-steps).
ORDERED = [
    "craft__Arthritis Res Ther-9-1-1860061.nxml",
    "craft__Breast Cancer Res-9-1-1851382.nxml",
    "plos__journal.pcbi.1004453.xml",
    "plos__journal.pcbi.1007128.xml",
    "plos__journal.pmed.0020007.xml",
    "plos__journal.pmed.0020124.xml",
    "plos__journal.pntd.0002570.xml",
    "plos__journal.pone.0016976.xml",
    "plos__journal.pone.0067179.xml",
    "plos__journal.pone.0152025.xml",
    "pubmedparser__1471-2180-11-174.nxml",
]
# Ordered articles whose published reference lists really do list one work twice.
TRUE_DUPLICATES = {
    "plos__journal.pone.0069640.xml": {(8, 34)},
    "plos__journal.ppat.1002247.xml": {(31, 50)},
}


def _findings(name: str):
    path = corpus_dir("jats") / name
    result = check(jats_to_markdown(path), config_from_table({"select": ["RC1"]}))
    return result


@pytest.mark.parametrize("name", ORDERED)
def test_ordered_article_has_no_numbering_findings(name: str) -> None:
    result = _findings(name)
    ms = result.manuscript
    assert ms.citation_style == "numeric"
    assert len(ms.references) >= 10
    cited = {n for c in ms.citations for n in c.numbers}
    assert len(cited) >= 0.9 * len(ms.references)
    bad = [f"{f.code} {f.text} {f.message}" for f in result.findings if f.code in ("RC101", "RC102", "RC103", "RC104", "RC105")]
    assert bad == []


@pytest.mark.parametrize("name", sorted(TRUE_DUPLICATES))
def test_real_duplicates_are_found_and_nothing_else(name: str) -> None:
    result = _findings(name)
    pairs = {tuple(f.references) for f in result.findings if f.code == "RC104"}
    assert pairs == TRUE_DUPLICATES[name]
    assert [f for f in result.findings if f.code != "RC104"] == []


def test_out_of_order_article_is_flagged() -> None:
    """PLOS Genetics 1002912 has first citations out of sequence (MANIFEST: 3 back-steps)."""
    result = _findings("plos__journal.pgen.1002912.xml")
    assert 1 <= sum(f.code == "RC101" for f in result.findings) <= 3


def test_author_year_control_gets_no_order_findings() -> None:
    result = _findings("plos__journal.pbio.0020334.xml")
    assert result.manuscript.citation_style == "author-year"
    assert not [f for f in result.findings if f.code == "RC101"]
