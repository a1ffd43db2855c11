"""RC1xx findings an editor would sign, on real published articles and the example.

Published articles are numbered correctly except for a few real slips; what looked
out of order was a float (a figure legend, table, box or glossary) placed elsewhere in
the file than where it is read, or references cited only in floats and numbered after
the running text — a house convention worth one info finding at most.  The verdicts
come from the blind editor labels of benchmarks/precision/labels.tsv.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLE_FILES, corpus_dir

from refcheck import check
from refcheck.config import config_from_table
from refcheck.engine import check_file
from refcheck.model import Reference, Severity
from refcheck.rules.citations import _missing_title

RC1 = config_from_table({"select": ["RC1"]})

# Published JATS articles of the benchmark and the RC101 warnings the editors judged true.
TRUE_RC101_WARNINGS = {
    "plos__journal.pbio.1000359.xml": [(6,)],  # [6] is first cited after [7] and [8]
    "plos__journal.pone.0081648.xml": [(6,)],  # [6] is cited before [4]-[5] (Fig. 1 legend)
}
# References cited only in floats and numbered after the running text: one info finding.
FLOAT_CLUSTERS = {
    "plos__journal.pcbi.1000204.xml": (207, 208, 209, 210),  # Figure 1 legend and glossary box
    "plos__journal.pgen.1002912.xml": (55, 56),  # Figure 1 and Figure 2 legends
    "plos__journal.pmed.1000097.xml": (37, 38, 39, 40, 41, 42),  # Box 1
}


def _published_jats() -> list[str]:
    return sorted(p.name for p in corpus_dir("jats").glob("*.*ml"))


def test_rc101_warnings_on_published_articles_are_the_true_ones() -> None:
    for name in _published_jats():
        result = check_file(corpus_dir("jats") / name, RC1)
        warnings = [f.references for f in result.findings if f.code == "RC101" and f.severity is not Severity.INFO]
        assert warnings == TRUE_RC101_WARNINGS.get(name, []), name


@pytest.mark.parametrize("name", sorted(FLOAT_CLUSTERS))
def test_float_only_references_numbered_last_are_one_info_finding(name: str) -> None:
    result = check_file(corpus_dir("jats") / name, RC1)
    found = [f for f in result.findings if f.code == "RC101"]
    assert [(f.severity, f.references) for f in found] == [(Severity.INFO, FLOAT_CLUSTERS[name])]
    assert "cited only in" in found[0].message


def test_meta_analysis_legend_of_included_studies_gives_at_most_one_info() -> None:
    """PLOS ONE 0010685: references 355–459 are cited only in the Figure 2 legend and a
    supplementary caption; with the legend set aside the text runs 1–354 in order."""
    result = check_file(corpus_dir("jats") / "plos__journal.pone.0010685.xml", RC1)
    found = [f for f in result.findings if f.code == "RC101"]
    assert len(found) <= 1
    assert all(f.severity is Severity.INFO for f in found)


def test_box_cluster_in_markdown_is_info() -> None:
    text = (
        "# Introduction\n\nReviews help clinicians [1]. Reports are often poor [2].\n\n"
        "## Box 1: Conceptual issues\n\nRisk of bias needs a study-level assessment [4]. Outcomes differ [5].\n\n"
        "# Discussion\n\nPRISMA replaces QUOROM [3].\n\n# References\n\n"
        + "".join(f"[{n}] A{n}. Title {n}. J. 2020.\n" for n in range(1, 6))
    )
    found = [f for f in check(text, RC1).findings if f.code == "RC101"]
    assert [(f.severity, f.references) for f in found] == [(Severity.INFO, (4, 5))]


def test_a_first_citation_is_never_after_reference_0() -> None:
    text = "# Intro\n\nCells [5]. Liver [1]. Grafts [2]. Trials [3]. Rats [4].\n\n# References\n\n" + "".join(
        f"[{n}] A{n}. Title {n}. J. 2020.\n" for n in range(1, 6))
    found = [f for f in check(text, RC1).findings if f.code == "RC101"]
    assert [f.references for f in found] == [(5,)]
    assert "reference 0" not in found[0].message and "before references 1–4" in found[0].message


def test_rc1_messages_are_short_and_free_of_scores() -> None:
    paths = list(EXAMPLE_FILES.values())
    paths += [corpus_dir("jats") / n for n in (*TRUE_RC101_WARNINGS, *FLOAT_CLUSTERS)]
    for path in paths:
        for f in check_file(path, RC1).findings:
            assert len(f.message.split()) <= 40, f.message
            assert "reference 0 " not in f.message and "score" not in f.message.lower(), f.message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("174. Abstract\neLife Sciences Publications, Ltd\nhttps://doi.org/gf4fdb", "it gives “Abstract” as its title"),
        ("110. \nAlex Ratner, Braden Hancock\nProceedings of DEEM’18 (2018)", "its title line is empty"),
        ("12. ", "the entry is empty"),
        ("3. Smith J. Abstract. Nature. 2019;1:2.", "it gives “Abstract” as its title"),
        ("143. struc2vec\nLeonardo F. R. Ribeiro, Pedro H. P. Saverese\nKDD ’17 (2017)", None),
        ("30. Ensembl.", None),
        ("5. Smith J. Abstract reasoning in graphs. J AI. 2019;3:1-9.", None),
    ],
)
def test_entries_without_a_usable_title(text: str, why: str | None) -> None:
    number = int(text.split(".", 1)[0])
    assert _missing_title(Reference(number=number, block=0, text=text)) == why
