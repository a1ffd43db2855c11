"""Reference lists read as an editor reads them (issue 13): text entries of every
common style, structured sources first (JATS tags, a Markdown manuscript's
bibliography), and no author list, journal name or date ever taken as a title."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, corpus_dir

from refcheck.analysis.references import first_author_surname, parse_reference
from refcheck.engine import check_file, read_manuscript
from refcheck.readers.bibliography import parse_bibtex, read_bibliography

# Real entries from the corpus (deeprules, meta-review DOCX; pandoc renderings of
# corpus .bib entries in published CSL styles), with the title their source gives.
ENTRIES = [
    # web page: the date is no title
    ("114. 10 organizations leading the way in ethical AI — SAGE Ocean | Big Data, New Tech, Social Science. "
     "12 Jan 2021 [cited 30 Nov 2021]. Available: https://ocean.sagepub.com/blog/10-organizations",
     "10 organizations leading the way in ethical AI — SAGE Ocean | Big Data, New Tech, Social Science", None),
    # no authors: the title is no author list, the series no title
    ("72. Neural Networks: Tricks of the Trade. Lecture Notes in Computer Science. Springer Science and Business "
     "Media LLC; 2012. doi:10.1007/978-3-642-35289-8", "Neural Networks: Tricks of the Trade", None),
    ("110. Ho A. Deep Ethical Learning: Taking the Interplay of Human and Artificial Intelligence Seriously. "
     "Hastings Center Report. 2019;49: 36–38. doi:10.1002/hast.977",
     "Deep Ethical Learning: Taking the Interplay of Human and Artificial Intelligence Seriously", "Ho"),
    ("18. Alexander Ratner, Christopher De Sa, Sen Wu, Daniel Selsam, Christopher Ré. Data Programming: Creating "
     "Large Training Sets, Quickly. arXiv. 2016.", "Data Programming: Creating Large Training Sets, Quickly", "Ratner"),
    # [Internet] keeps its full stop: the publisher is not glued to the title
    ("1. Nielsen M. Reinventing Discovery [Internet]. Princeton, NJ: Princeton University Press; 2011. "
     "doi:10.1515/9781400839452", "Reinventing Discovery", "Nielsen"),
    # a question mark inside the title
    ("Wolfe MS, De Los Angeles J, Miller DD, Xia W, Selkoe DJ. Are presenilins intramembrane-cleaving proteases? "
     "Implications for the molecular mechanism of Alzheimer's disease. Biochemistry. 1999;38:11223–30.",
     "Are presenilins intramembrane-cleaving proteases? Implications for the molecular mechanism of Alzheimer's "
     "disease", "Wolfe"),
    # Nature
    ("2. Klemetsen, T. et al. The MAR databases: development and implementation of databases specific for marine "
     "metagenomics. Nucleic Acids Research 46, D692–D699 (2018).",
     "The MAR databases: development and implementation of databases specific for marine metagenomics", "Klemetsen"),
    # Elsevier Harvard
    ("Marcelino, V.R., Clausen, P.T., Buchmann, J.P., 2020. CCMetagen: comprehensive and accurate identification "
     "of eukaryotes and prokaryotes in metagenomic data. Genome Biology 21, 1–15.",
     "CCMetagen: comprehensive and accurate identification of eukaryotes and prokaryotes in metagenomic data",
     "Marcelino"),
    # Chicago author-date, quoted title
    ("Beier, Sina, Rewati Tappu, and Daniel H. Huson. 2017. “Functional Analysis in Metagenomics Using MEGAN 6.” "
     "In Functional Metagenomics: Tools and Applications. Springer.",
     "Functional Analysis in Metagenomics Using MEGAN 6", "Beier"),
    # Harvard (Cite Them Right): a title ending in a question mark, inside quotes
    ("Caron, D.A. and Hu, S.K. (2019) “Are we overestimating protistan diversity in nature?” Trends in "
     "microbiology, 27(3), pp. 197–205.", "Are we overestimating protistan diversity in nature?", "Caron"),
    # AMA from a .bib: given names first
    ("29. W James Kent. BLAT—the BLAST-like alignment tool. Genome Research. 2002;12(4):656-664.",
     "BLAT—the BLAST-like alignment tool", "Kent"),
    # APA with no date
    ("Haas, B., & Papanicolaou, A. (n.d.). TransDecoder identifies candidate coding regions within transcript "
     "sequences. https://github.com/TransDecoder", "TransDecoder identifies candidate coding regions within "
     "transcript sequences", "Haas"),
    # element-citation as refcheck renders it: authors. year. title.
    ("Spudich J. L, Jung K. H. 2005. Microbial rhodopsins: phylogenetic and functional diversity. Handbook of "
     "Photosensory Receptors. 1. 23.", "Microbial rhodopsins: phylogenetic and functional diversity", "Spudich"),
]


@pytest.mark.parametrize(("text", "title", "surname"), ENTRIES, ids=range(len(ENTRIES)))
def test_real_entries_of_every_style(text: str, title: str, surname: str | None) -> None:
    ref = parse_reference(text)
    assert ref.title == title
    assert ref.confidence > 0.5
    if surname:
        assert first_author_surname(ref) == surname


@pytest.mark.parametrize("text", [
    "Vaswani A, Shazeer N, Parmar N, Uszkoreit J, Jones L, Gomez AN, Kaiser L, Polosukhin I.",
    "Nature Biomedical Engineering. 2018;2: 709–710.",
    "arXiv. 2019.",
    "12 Jan 2021.",
])
def test_an_author_list_journal_or_date_is_never_a_title(text: str) -> None:
    """When unsure, no title: the relevance rules then skip the entry instead of
    judging it by its authors."""
    ref = parse_reference(text)
    assert ref.title is None and ref.confidence == 0.0


def test_first_author_surname_in_every_name_order() -> None:
    from refcheck.model import Reference

    for name, surname in [("Smith AB", "Smith"), ("Smith, J.", "Smith"), ("J. Smith", "Smith"),
                          ("Sune Pletscher-Frankild", "Pletscher-Frankild"), ("Mendes de Leon CF", "Mendes de Leon"),
                          ("Ludwig van Beethoven", "van Beethoven")]:
        assert first_author_surname(Reference(None, 0, "", authors=(name,))) == surname


def test_no_jats_entry_reads_an_author_list_or_journal_as_title() -> None:
    """Every reference of every corpus JATS article, parsed from its text: the title
    read is never the journal the tags name, and never the authors' names."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import reference_parsing as bench

    files = sorted(p for p in corpus_dir("jats").rglob("*") if p.suffix in (".xml", ".nxml"))
    by_style, _ = bench.bench_jats(files)
    total = bench.overall(by_style.values())
    assert total.n >= 1800
    assert total.bad <= 0.005 * total.n, total.bad
    assert total.hit["title"] >= 0.95 * total.have["title"]
    assert total.hit["year"] >= 0.99 * total.have["year"]


def test_manubot_docx_titles_match_csl_by_doi() -> None:
    """kgreview and deeprules: the DOCX entries matched to the CSL JSON Manubot
    rendered them from, by DOI, have the right title (>= 97 %)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import reference_parsing as bench

    corpus_dir("csl")
    rows = {name: doi for name, doi, _url, _n in bench.bench_csl(quick=False)}
    for name in ("kgreview", "deeprules"):
        t = rows[name]
        assert t.n >= 80
        assert t.hit["title"] >= 0.97 * t.have["title"], (name, t.hit["title"], t.have["title"])


# ---------------------------------------------------------------- JATS structured


def test_jats_references_come_from_the_tags() -> None:
    """Fields come from <article-title>, <source>, <person-group>, <year>, <pub-id>."""
    ms = read_manuscript(corpus_dir("jats") / "plos__journal.pcbi.1007128.xml")
    titled = [r for r in ms.references if r.title]
    assert len(titled) >= 0.95 * len(ms.references)
    # 55 entries carry tags (confidence 1.0); the 42 "other" entries that are only
    # text (web pages, preprints) are read by the text parser.
    assert sum(1 for r in titled if r.confidence == 1.0) >= 50
    dois = [r for r in ms.references if r.doi]
    assert len(dois) >= 40


def test_bmc_entries_without_punctuation_read_as_separate_fields() -> None:
    """BMC's <mixed-citation> has no punctuation between its tags; the block text
    separates them instead of running "noiseNature2002420231237"."""
    ms = read_manuscript(corpus_dir("jats") / "pubmedparser__1471-2180-11-174.nxml")
    text = ms.blocks[ms.references[3].block].text
    assert "noise. Nature. 2002" in text or ". Nature" in text
    assert ms.references[3].title == "Control, exploitation and tolerance of intracellular noise"


# ---------------------------------------------------------------- Markdown bibliographies

MARKDOWN = {
    # manuscript: (cited entries in the bibliography, entries in the file)
    "MitchellAcoustics__JASAEL-HowToAnalyseQuantiativeSoundscapeData/paper.qmd": 29,
    "RemkoDuursma__duursma2015plosone/manuscript.Rmd": 44,
    "ammonslab__long_covid_idaho/manuscript.qmd": 60,
    "dhicks__p_curve/summary.md": 31,
    "dhicks__p_curve/paper.md": 8,
    "AlexanderLabWHOI__EUKulele/paper.md": 41,
}


@pytest.mark.parametrize("name", sorted(MARKDOWN))
def test_markdown_references_come_from_the_bibliography(name: str) -> None:
    """Only the cited entries (pandoc renders no other), numbered by first citation,
    with titles; no RC103 for the uncited ones, and no RC102 for the Quarto
    (``@fig-circ``, ``@sec-methods``) and pandoc-crossref (``@fig:temporal``)
    cross-references these manuscripts use by the dozen."""
    path = corpus_dir("markdown") / name
    result = check_file(path)
    refs = result.manuscript.references
    assert len(refs) == MARKDOWN[name]
    assert sum(1 for r in refs if r.title) >= len(refs) - 1
    assert [r.number for r in refs] == list(range(1, len(refs) + 1))
    assert not [f for f in result.findings if f.code in ("RC102", "RC103", "RC105")]
    cited = {n for c in result.manuscript.citations for n in c.numbers}
    assert cited == {r.number for r in refs}


def test_json_lists_the_bibliography_references() -> None:
    path = corpus_dir("markdown") / "RemkoDuursma__duursma2015plosone" / "manuscript.Rmd"
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "check", str(path), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    data = json.loads(proc.stdout)
    refs = data["files"][0]["references"]
    assert len(refs) == 44 and all(r["cited"] for r in refs)
    assert sum(1 for r in refs if r["title"]) == 44 and sum(1 for r in refs if r["doi"]) >= 20


def test_bibtex_entries_as_a_reader_sees_them() -> None:
    items = {i["id"]: i for i in parse_bibtex(r"""
@string{nar = "Nucleic Acids Research"}
@article{kl2018, author = {Klemetsen, Terje and Raknes, Inge A. and {MAR Consortium} and M{\"u}ller, J.},
  title = {The {MAR} databases: development of databases for marine {\'e}cology}, journal = nar,
  year = 2018, doi = {https://doi.org/10.1093/nar/gkx1036}}
@misc{web, title = {PhyloDB}, url = {https://github.com/allenlab/PhyloDB}, date = {2015-03-01}}
""")}
    kl = items["kl2018"]
    assert kl["title"] == "The MAR databases: development of databases for marine écology"
    assert kl["author"][0] == {"family": "Klemetsen", "given": "Terje"}
    assert kl["author"][2] == {"literal": "MAR Consortium"}
    assert kl["author"][3] == {"family": "Müller", "given": "J."}
    assert kl["container-title"] == "Nucleic Acids Research" and kl["DOI"] == "10.1093/nar/gkx1036"
    assert kl["issued"] == {"date-parts": [[2018]]} and items["web"]["issued"] == {"date-parts": [[2015]]}


def test_bibliography_paths_stay_in_the_manuscript_folder(tmp_path: Path) -> None:
    (tmp_path / "outside.bib").write_text("@article{a, title={T}}\n", "utf-8")
    folder = tmp_path / "ms"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "ok.bib").write_text("@article{b, title={Inside}}\n", "utf-8")
    manuscript = folder / "paper.md"
    bib = read_bibliography(manuscript, ["../outside.bib", "/etc/passwd", "/dev/zero", "refs/ok.bib", "refs"])
    assert bib is not None
    why = dict(bib.unreadable)
    assert why["../outside.bib"] == why["/etc/passwd"] == why["/dev/zero"] == "outside the manuscript's folder"
    assert why["refs"] == "not a regular file"
    assert set(bib.keys) == {"b"} and bib.entries["b"]["title"] == "Inside"


def test_bibliography_never_opens_fifos_devices_or_proc_and_reads_a_bounded_total(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside the folder a FIFO (opening it to read would block), a symlink to one, and
    symlinks out to /proc and /dev are refused without being opened; the size limit
    covers all the named files together, so naming one file a thousand times, or
    several large files, reads no more than the limit (issue 18)."""
    import os

    folder = tmp_path / "ms"
    folder.mkdir()
    os.mkfifo(folder / "trap.bib")
    (folder / "to-trap.bib").symlink_to(folder / "trap.bib")
    (folder / "environ.json").symlink_to("/proc/self/environ")
    (folder / "zero.bib").symlink_to("/dev/zero")
    entry = "@article{{k{0}, title={{Title {0}}}, year={{2020}}}}\n"
    (folder / "a.bib").write_text("".join(entry.format(i) for i in range(40)), "utf-8")  # ~1.7 KB
    (folder / "b.bib").write_text("".join(entry.format(i) for i in range(40, 80)), "utf-8")
    names = ["trap.bib", "to-trap.bib", "environ.json", "zero.bib", *["a.bib"] * 1000, "b.bib"]
    monkeypatch.setattr("refcheck.readers.bibliography.MAX_BIBLIOGRAPHY_MB", 0.003)  # ~3.1 KB for all
    bib = read_bibliography(folder / "paper.md", names)
    assert bib is not None
    why = dict(bib.unreadable)
    assert why["trap.bib"] == why["to-trap.bib"] == "not a regular file"
    assert why["environ.json"] == why["zero.bib"] == "outside the manuscript's folder"
    assert set(bib.keys) == {f"k{i}" for i in range(40)}  # a.bib once; b.bib would pass the total
    assert why["b.bib"].startswith("over ")


@pytest.mark.parametrize("text", ["a. B. " * 3000, "A. " * 3000, "“" * 3000 + "x" * 3000,
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 40 + "!", "Smith J, " * 3000 + ". T. J. 2020;1:2"])
def test_hostile_entries_parse_in_linear_time(text: str) -> None:
    """A pasted wall of initials or quotes is read in well under a second (hardening)."""
    import time

    start = time.perf_counter()
    parse_reference(text)
    assert time.perf_counter() - start < 1.0
