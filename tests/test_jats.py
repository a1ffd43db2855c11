"""The JATS reader on the real corpus articles, and on hostile XML."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from refcheck.config import Config
from refcheck.engine import check_file, read_manuscript
from refcheck.model import BlockKind, InputError
from tests.conftest import CORPUS, corpus_dir


def _manifest_back() -> dict[str, int]:
    """file -> the gatherer's count of first-citation back-steps ("back" column)."""
    text = (CORPUS / "MANIFEST.md").read_text("utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 14 and cells[0].startswith("`") and cells[0].endswith((".xml`", ".nxml`")):
            try:
                out[cells[0].strip("`")] = int(cells[12])
            except ValueError:
                continue
    return out


def _articles() -> list[Path]:
    if not (CORPUS / "jats").is_dir():
        return []
    return sorted((CORPUS / "jats").rglob("*.*ml"))


@pytest.mark.corpus
@pytest.mark.parametrize("path", _articles(), ids=lambda p: p.name[:40])
def test_corpus_article_citations_agree_with_ref_list(path: Path) -> None:
    corpus_dir("jats")
    ms = read_manuscript(path)
    assert ms.format == "jats"
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)).getroot()
    refs = root.findall(".//ref-list//ref")
    assert len(ms.references) == len(refs)
    assert all(ms.blocks[r.block].kind is BlockKind.REFERENCE for r in ms.references)
    assert any(b.kind is BlockKind.HEADING and b.level >= 1 for b in ms.blocks)
    # Structured titles come from <article-title>/<source>, not from guessing.
    tagged = [i for i, r in enumerate(refs) if r.find(".//article-title") is not None or r.find(".//source") is not None]
    assert all(ms.references[i].title for i in tagged)
    for i in tagged:
        title_el = refs[i].find(".//article-title")
        if title_el is not None and "".join(title_el.itertext()).strip():
            assert ms.references[i].title == " ".join("".join(title_el.itertext()).split())
    xrefs = root.findall(".//xref[@ref-type='bibr']")
    ids = {r.get("id") for r in refs}
    if ms.citation_style == "numeric":
        numbers = {r.number for r in ms.references}
        cited = {n for c in ms.citations for n in c.numbers}
        assert cited, "no numeric citation found"
        assert cited <= numbers, f"cited numbers without an entry: {sorted(cited - numbers)[:10]}"
        if xrefs:
            # every reference an xref points at is cited under the number of its entry
            by_id = {r.get("id"): i + 1 for i, r in enumerate(refs)}
            assert {by_id[x.get("rid").split()[0]] for x in xrefs if x.get("rid").split()[0] in ids} <= cited
    else:
        assert ms.citation_style == "author-year" and all(c.authors_year for c in ms.citations)
    # every block anchor points at a distinct element
    anchors = [b.anchor for b in ms.blocks]
    assert len(set(anchors)) == len(anchors) and all(a[0] == "jats" for a in anchors)
    # section paths are computed: body paragraphs sit under a heading
    body = [b for b in ms.blocks if b.kind is BlockKind.PARAGRAPH]
    assert sum(1 for b in body if b.section) >= 0.5 * len(body)


@pytest.mark.corpus
def test_ordered_articles_have_no_numbering_findings() -> None:
    corpus_dir("jats")
    ordered = [name for name, back in _manifest_back().items() if back == 0]
    assert len(ordered) >= 10
    for name in ordered:
        result = check_file(CORPUS / "jats" / name, Config(select=["RC1"]))
        assert result.error is None, result.error
        wrong = [f for f in result.findings if f.code in ("RC101", "RC102", "RC103", "RC105")]
        assert not wrong, f"{name}: {[(f.code, f.message) for f in wrong[:3]]}"
        for f in result.findings:
            if f.code == "RC104":  # genuine duplicate entries in the published list
                a, b = (result.manuscript.reference(n) for n in f.references)
                strip = lambda t: re.sub(r"^\d+\.\s*", "", t)  # noqa: E731
                assert strip(a.text) == strip(b.text), f"{name}: {f.message}"


@pytest.mark.corpus
def test_out_of_order_review_is_flagged() -> None:
    """PRISMA (2 back-steps in the manifest) must give RC101 findings."""
    corpus_dir("jats")
    result = check_file(CORPUS / "jats" / "plos__journal.pmed.1000097.xml", Config(select=["RC101"]))
    assert result.findings and all(f.code == "RC101" for f in result.findings)


def test_range_inside_one_xref_and_between_xrefs(tmp_path: Path) -> None:
    xml = """<?xml version="1.0"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD Journal Publishing DTD v3.0 20080202//EN" "http://dtd.nlm.nih.gov/publishing/3.0/journalpublishing3.dtd">
<article><front><article-meta><title-group><article-title>Liver regeneration</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Hepatocytes divide <xref ref-type="bibr" rid="b1">1–3</xref>,<xref ref-type="bibr" rid="b5">5</xref>.
Stellate cells [<xref ref-type="bibr" rid="b4">4</xref>]–[<xref ref-type="bibr" rid="b6">6</xref>].</p>
<sec><title>Sub</title><p>Nested text.</p></sec></sec></body>
<back><ref-list>""" + "".join(
        f'<ref id="b{i}"><label>{i}</label><element-citation><person-group><name><surname>Smith</surname><given-names>J</given-names></name></person-group>'
        f"<article-title>Title {i}</article-title><source>Hepatology</source><year>20{10 + i}</year></element-citation></ref>"
        for i in range(1, 7)) + "</ref-list></back></article>"
    path = tmp_path / "a.xml"
    path.write_text(xml)
    ms = read_manuscript(path)
    assert [c.numbers for c in ms.citations] == [(1, 2, 3, 5), (4, 5, 6)]
    assert ms.citations[1].text == "[4]–[6]"
    heads = [(b.text, b.level) for b in ms.blocks if b.kind is BlockKind.HEADING]
    assert heads == [("Introduction", 1), ("Sub", 2), ("References", 1)]
    nested = next(b for b in ms.blocks if b.text == "Nested text.")
    assert nested.section == ("Introduction", "Sub")
    assert ms.references[2].title == "Title 3" and ms.references[2].year == 2013
    assert ms.references[2].journal == "Hepatology" and ms.references[2].authors == ("Smith J",)


def test_external_entities_and_dtd_are_never_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE article SYSTEM "file://{tmp_path}/missing.dtd" [<!ENTITY xxe SYSTEM "file://{secret}">]>
<article><body><p>Leak: &xxe; end.</p></body></article>"""
    path = tmp_path / "x.xml"
    path.write_text(xml)
    ms = read_manuscript(path)
    assert "TOP-SECRET" not in " ".join(b.text for b in ms.blocks)


def test_non_jats_xml_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "pom.xml"
    path.write_text("<project><name>x</name></project>")
    with pytest.raises(InputError, match="not a JATS article"):
        read_manuscript(path)
    bad = tmp_path / "bad.xml"
    bad.write_text("<article><body><p>unclosed</body></article>")
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "bad.xml: not well-formed XML" in proc.stderr + proc.stdout


def test_a_footnote_that_is_a_source_cites_its_sentence(tmp_path: Path) -> None:
    """Journals such as SciELO's cite reports and surveys in footnotes: the marker is a
    citation with no number (style "note") when the footnote reads as a source; a
    footnote that is a remark is not.  (Written for this test.)"""
    from refcheck.config import config_from_table
    from refcheck.engine import run_rules

    xml = """<?xml version="1.0"?>
<article><front><article-meta><title-group><article-title>Body image</article-title></title-group></article-meta></front>
<body><sec><title>Future directions</title>
<p>Body image is measured in several surveys conducted by the government (e.g., the National School Health
Survey<xref ref-type="fn" rid="fn1"><sup>a</sup></xref>). Several studies have shown that body image predicts
eating disorders<xref ref-type="fn" rid="fn2"><sup>b</sup></xref>. Dissatisfaction is common in adolescents
<xref ref-type="bibr" rid="r1">1</xref>.</p></sec></body>
<back><ref-list><ref id="r1"><label>1</label><element-citation><person-group><name><surname>Smith</surname>
<given-names>J</given-names></name></person-group><article-title>Body image in adolescents</article-title>
<source>J Adolesc</source><year>2012</year></element-citation></ref></ref-list>
<fn-group><fn id="fn1"><label>a</label><p>Instituto Brasileiro de Geografia e Estatística. Pesquisa nacional de
saúde do escolar 2009. Rio de Janeiro: IBGE; 2009.</p></fn>
<fn id="fn2"><label>b</label><p>The authors thank the survey team for their help.</p></fn></fn-group></back></article>"""
    path = tmp_path / "a.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(path)
    notes = [c for c in ms.citations if c.style == "note"]
    assert [c.text.strip() for c in notes] == ["a"] and notes[0].numbers == ()
    flagged = [f.text for f in run_rules(ms, config_from_table({"select": ["RC401"]}))]
    assert flagged == ["Several studies have shown"]  # the remark in footnote b cites nothing


def _article(body: str, n_refs: int = 6, back_extra: str = "") -> str:
    refs = "".join(
        f'<ref id="b{i}"><label>{i}</label><element-citation><person-group><name><surname>Smith</surname>'
        f"<given-names>J</given-names></name></person-group><article-title>Title {i}</article-title>"
        f"<source>Hepatology</source><year>20{10 + i}</year></element-citation></ref>"
        for i in range(1, n_refs + 1))
    return (f'<?xml version="1.0"?><article article-type="research-article"><front><article-meta><title-group>'
            f"<article-title>Liver regeneration</article-title></title-group></article-meta></front><body>{body}</body>"
            f"<back>{back_extra}<ref-list>{refs}</ref-list></back></article>")


def test_untagged_bracketed_numbers_are_citations_but_intervals_and_indices_are_not(tmp_path: Path) -> None:
    """A publisher left "[5]" untagged among tagged "[n]" citations (PLOS ONE, lake
    browning: "significant increases in DOC [57]"): it cites reference 5.  "[10, 20] mm"
    and "F[1,4] = 8.1" are an interval and degrees of freedom."""
    body = ('<sec><title>Introduction</title><p>Cells divide [<xref ref-type="bibr" rid="b1">1</xref>]. '
            'Stellate cells matter [<xref ref-type="bibr" rid="b2">2</xref>], '
            '[<xref ref-type="bibr" rid="b3">3</xref>]. Lakes brown [5]. '
            "The interval was [1, 4] mm wide and F[1,4] = 8.1. "
            'Kupffer cells [<xref ref-type="bibr" rid="b4">4</xref>] and [<xref ref-type="bibr" rid="b6">6</xref>].</p></sec>')
    path = tmp_path / "a.xml"
    path.write_text(_article(body))
    ms = read_manuscript(path)
    assert [(c.text, c.numbers) for c in ms.citations] == [
        ("[1]", (1,)), ("[2], [3]", (2, 3)), ("[5]", (5,)), ("[4]", (4,)), ("[6]", (6,))]


def test_a_table_kept_in_a_comment_behind_its_image_is_read_with_its_citations(tmp_path: Path) -> None:
    """Older PLOS XML shows a table as an image and keeps the table itself in a comment:
    the references it cites are cited (not RC103 'never cited')."""
    body = ('<sec><title>Results</title><p>Hepatocytes divide [<xref ref-type="bibr" rid="b1">1</xref>].</p>'
            '<table-wrap id="t1"><label>Table 1</label><caption><p>Included studies</p></caption>'
            '<graphic xlink:href="t1.tif" xmlns:xlink="http://www.w3.org/1999/xlink"/>'
            '<!-- <table><tr><td>Smith &lsqb;<xref ref-type="bibr" rid="b2">2</xref>&rsqb;</td></tr></table> --></table-wrap>'
            "</sec>")
    path = tmp_path / "a.xml"
    path.write_text(_article(body, n_refs=2))
    ms = read_manuscript(path)
    assert any(2 in c.numbers for c in ms.citations)
    assert not [f for f in check_file(path, Config(select=["RC103"])).findings]


def test_a_retraction_notice_is_not_judged_for_claims(tmp_path: Path) -> None:
    """JATS says what the article is: a retraction notice makes no claims, so the
    literature-claim rules do not run on it, and the run says why."""
    body = ("<p>At the request of the authors, the article is retracted. The authors found that the "
            "results could not be reproduced, and previous studies have shown that the reagent was contaminated.</p>")
    path = tmp_path / "a.xml"
    path.write_text(_article(body, n_refs=1).replace('article-type="research-article"', 'article-type="retraction"'))
    result = check_file(path, Config(select=["RC3", "RC4"]))
    assert not result.findings
    assert any("it is a retraction" in n for n in result.notices)


def test_reference_column_numbers_are_citations(tmp_path) -> None:
    """A table's "Ref." column of plain numbers cites those references (PLOS's Ida
    article, Table 3: "50, 88" in the Ref column); a number column under another
    header is data, and a tagged cell keeps its xrefs."""
    xml = """<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Cells help <xref ref-type="bibr" rid="B1">[1]</xref>.</p>
<table-wrap id="t1"><label>Table 1</label><caption><p>Traits.</p></caption><table>
<thead><tr><th>Trait</th><th>Count</th><th>Ref.</th></tr></thead>
<tbody><tr><td>Canines</td><td>12</td><td>2, 3</td></tr>
<tr><td>Molars</td><td>40</td><td><xref ref-type="bibr" rid="B1">1</xref></td></tr></tbody>
</table></table-wrap></sec></body>
<back><ref-list><ref id="B1"><label>1</label><mixed-citation>A. One. J. 2001.</mixed-citation></ref>
<ref id="B2"><label>2</label><mixed-citation>B. Two. J. 2002.</mixed-citation></ref>
<ref id="B3"><label>3</label><mixed-citation>C. Three. J. 2003.</mixed-citation></ref>
<ref id="B12"><label>12</label><mixed-citation>D. Twelve. J. 2012.</mixed-citation></ref></ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    from refcheck.analysis.prepare import prepare
    from refcheck.readers.jats import read_jats

    ms = prepare(read_jats(str(path), {}), {})
    cited = sorted({n for c in ms.citations for n in c.numbers})
    assert cited == [1, 2, 3]


def test_a_zero_in_a_reference_column_is_not_a_citation(tmp_path) -> None:
    """A "Ref." column with a cell reading "0" holds counts, not reference numbers — and a citation
    number below 1 from any reader must not hang RC101's ordering (a Fenwick tree
    indexes from 1; "0" looped forever)."""
    from refcheck.rules.citations import heaviest_chain

    assert heaviest_chain([((1,), 0, 1), ((2,), 2, 1)]) == {2: (2,)}
    xml = """<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>Cells help <xref ref-type="bibr" rid="B1">[1]</xref>.</p>
<table-wrap id="t1"><label>Table 1</label><caption><p>Traits.</p></caption><table>
<thead><tr><th>Trait</th><th>Ref</th></tr></thead>
<tbody><tr><td>Canines</td><td>0</td></tr><tr><td>Molars</td><td>2</td></tr></tbody>
</table></table-wrap></sec></body>
<back><ref-list><ref id="B1"><label>1</label><mixed-citation>A. One. J. 2001.</mixed-citation></ref>
<ref id="B2"><label>2</label><mixed-citation>B. Two. J. 2002.</mixed-citation></ref></ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    from refcheck.engine import check_file

    result = check_file(path)
    assert sorted({n for c in result.manuscript.citations for n in c.numbers}) == [1]  # a column with a 0 counts


def test_an_xref_to_a_reference_cites_whatever_its_ref_type(tmp_path) -> None:
    """Wiley's JATS types citations ref-type="ref", not "bibr" (a ChemSusChem review:
    493 of its 494 references read as never cited).  An xref whose rid names a <ref> is a
    citation; one to a figure is not, whatever either is typed."""
    xml = """<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Catalysts help.<sup><xref ref-type="bibr" rid="r1">1</xref></sup>
Solvents matter.<sup><xref ref-type="ref" rid="r2">2</xref>, <xref ref-type="ref" rid="r3">3</xref></sup>
Yields rose (<xref ref-type="fig" rid="f1">Figure 1</xref>; <xref rid="r4">4</xref>).</p>
<fig id="f1"><label>Figure 1</label><caption><p>Yields.</p></caption></fig></sec></body>
<back><ref-list><ref id="r1"><label>1</label><mixed-citation>A. One. J. 2001.</mixed-citation></ref>
<ref id="r2"><label>2</label><mixed-citation>B. Two. J. 2002.</mixed-citation></ref>
<ref id="r3"><label>3</label><mixed-citation>C. Three. J. 2003.</mixed-citation></ref>
<ref id="r4"><label>4</label><mixed-citation>D. Four. J. 2004.</mixed-citation></ref></ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    assert [c.numbers for c in ms.citations] == [(1,), (2, 3), (4,)]
    assert ms.citations[1].text == "2, 3" and ms.citations[2].text == "4"


def test_a_reference_column_of_named_bracketed_numbers_and_dashes_cites(tmp_path) -> None:
    """BMC's Yersinia article: a "Reference (s)" column reads "yfeABCD [54]", "ure [58, 59]"
    or "-"; 23 references cited only there read as never cited.  A cell with anything
    else in brackets leaves the column as data."""
    def article(cells: list[str]) -> Path:
        rows = "".join(f"<tr><td>op{i}</td><td>{c}</td></tr>" for i, c in enumerate(cells))
        xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>Operons vary [<xref ref-type="bibr" rid="B1">1</xref>].</p>
<table-wrap id="t1"><label>Table 1</label><caption><p>Operons.</p></caption><table>
<thead><tr><td><bold>Operon</bold></td><td><bold>Reference (s)</bold></td></tr></thead><tbody>{rows}</tbody>
</table></table-wrap></sec></body>
<back><ref-list>{"".join(f'<ref id="B{n}"><label>{n}</label><mixed-citation>A. N{n}. J. 2001.</mixed-citation></ref>' for n in range(1, 5))}
</ref-list></back></article>"""
        path = tmp_path / f"t{len(cells)}.xml"
        path.write_text(xml, "utf-8")
        return path

    cited = read_manuscript(str(article(["yfeABCD [2]", "-", "ure [3, 4]"])), Config())
    assert sorted({n for c in cited.citations for n in c.numbers}) == [1, 2, 3, 4]
    data = read_manuscript(str(article(["yfeABCD [2]", "range [0.5–0.9]"])), Config())
    assert sorted({n for c in data.citations for n in c.numbers}) == [1]


def test_a_figure_source_line_is_read_with_its_citations(tmp_path) -> None:
    """SciELO puts a figure's sources in <attrib> ("Source: NBS (2013, 2014)"), tagged:
    unread, seven reports cited only there read as never cited."""
    xml = """<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>Wages rose (<xref ref-type="bibr" rid="B1">Li, 2012</xref>).</p>
<fig id="F1"><label>Graph 1</label><caption><title>Wages</title></caption>
<attrib>Source: <xref ref-type="bibr" rid="B2">NBS (2013</xref>, <xref ref-type="bibr" rid="B3">2014</xref>).</attrib></fig></sec></body>
<back><ref-list><ref id="B1"><mixed-citation>LI, C. Wages. <italic>J</italic>, 2012.</mixed-citation><element-citation publication-type="journal"><person-group person-group-type="author"><name><surname>Li</surname><given-names>C</given-names></name></person-group><article-title>Wages</article-title><source>J</source><year>2012</year></element-citation></ref>
<ref id="B2"><element-citation publication-type="report"><person-group person-group-type="author"><collab>NBS</collab></person-group><source>Annual report</source><year>2013</year></element-citation></ref>
<ref id="B3"><element-citation publication-type="report"><person-group person-group-type="author"><collab>NBS</collab></person-group><source>Annual report</source><year>2014</year></element-citation></ref>
</ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    caption = next(b for b in ms.blocks if b.kind is BlockKind.CAPTION)
    assert "Source: NBS (2013, 2014)" in caption.text
    assert [c.block for c in ms.citations].count(caption.index) >= 1
    result = check_file(path, Config(select=["RC103"]))
    assert not result.findings


def test_a_journal_reference_without_a_title_has_no_title(tmp_path) -> None:
    """Chemistry style ("Lee H., Energy Environ. Sci. 2014, 7, 3857"): the <source> of a
    journal reference is the journal, not a title to judge the reference's topic by —
    read as the title, every reference of a battery review looked off-topic.  A
    journal reference whose "source" runs to a sentence is a mistagged title."""
    refs = """<ref id="r1"><label>1</label><mixed-citation publication-type="journal"><string-name><surname>Lee</surname>
<given-names>H.</given-names></string-name>, <source>Energy Environ. Sci.</source> <year>2014</year>, <volume>7</volume>, <fpage>3857</fpage>.</mixed-citation></ref>
<ref id="r2"><label>2</label><mixed-citation publication-type="journal"><name><surname>Blumberg</surname><given-names>HP</given-names></name> (<year>2006</year>)
<source>Age, rapid-cycling, and pharmacotherapy effects on ventral prefrontal cortex in bipolar disorder</source> Biol Psychiatry 59: 611.</mixed-citation></ref>
<ref id="r3"><label>3</label><mixed-citation publication-type="book"><name><surname>Kuhn</surname><given-names>T</given-names></name> (<year>1962</year>)
<source>The structure of scientific revolutions</source>. Chicago: University of Chicago Press.</mixed-citation></ref>"""
    xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Cells<xref ref-type="bibr" rid="r1">1</xref>, brains<xref ref-type="bibr" rid="r2">2</xref> and
paradigms<xref ref-type="bibr" rid="r3">3</xref>.</p></sec></body><back><ref-list>{refs}</ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    assert [(r.title, r.journal) for r in ms.references] == [
        (None, "Energy Environ. Sci."),
        ("Age, rapid-cycling, and pharmacotherapy effects on ventral prefrontal cortex in bipolar disorder", None),
        ("The structure of scientific revolutions", None)]


@pytest.mark.parametrize(("mention_after", "legend", "flagged"), [(1, 4, []), (3, 3, [3])])
def test_a_floats_group_legend_may_sit_anywhere_after_its_first_mention(tmp_path, mention_after, legend, flagged) -> None:
    """PMC puts every figure in <floats-group>, after the article: the file says nothing of
    where Figure 1 prints.  Its legend's [4], the figure mentioned after [1], fits between
    [3] and [5] further on: in sequence (a blind editor: "consistent with where the figure
    sits").  A legend's [3] when the figure is first mentioned after [1], [2] and [4] fits
    nowhere after the mention: out of order."""
    refs = "".join(f'<ref id="r{n}"><label>{n}</label><mixed-citation>A. N{n}. Title {n} here. J. 2001.</mixed-citation></ref>'
                   for n in range(1, 6))
    text = [n for n in (1, 2, 3, 4, 5) if n != legend]
    parts = [f'Finding {k} [<xref ref-type="bibr" rid="r{n}">{n}</xref>]'
             + (' (<xref ref-type="fig" rid="f1">Figure 1</xref>)' if k == mention_after else "") + "."
             for k, n in enumerate(text, start=1)]
    xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>{" ".join(parts)}</p></sec></body>
<back><ref-list>{refs}</ref-list></back>
<floats-group><fig id="f1"><label>Figure 1</label><caption><p>Survival curves from a trial
[<xref ref-type="bibr" rid="r{legend}">{legend}</xref>].</p></caption></fig></floats-group></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    result = check_file(path, Config(select=["RC101"]))
    assert [list(f.references) for f in result.findings if f.severity.value == "warning"] == ([flagged] if flagged else [])


def test_springer_year_only_xrefs_make_an_author_year_article(tmp_path) -> None:
    """Springer tags only the year: "Frankl (<xref>1979</xref>)".  Read as numbers, six
    author-year articles got an alphabetical-order note and out-of-order warnings."""
    refs = "".join(f'<ref id="CR{i}"><element-citation publication-type="journal"><person-group person-group-type="author">'
                   f'<name><surname>{n}</surname><given-names>A</given-names></name></person-group>'
                   f'<article-title>On meaning {i}</article-title><source>J</source><year>{y}</year></element-citation></ref>'
                   for i, (n, y) in enumerate([("Adler", 1990), ("Frankl", 1979), ("Steger", 2012)], start=1))
    xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Meaning matters (Steger <xref ref-type="bibr" rid="CR3">2012</xref>; Frankl
<xref ref-type="bibr" rid="CR2">1979</xref>). Adler (<xref ref-type="bibr" rid="CR1">1990</xref>) agreed.</p></sec></body>
<back><ref-list>{refs}</ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    result = check_file(path)
    assert result.manuscript.citation_style == "author-year"
    assert not [f for f in result.findings if f.code in ("RC101", "RC103")]


def test_legend_paragraphs_beside_the_caption_and_bare_table_notes_are_read(tmp_path) -> None:
    """MDPI puts a legend's last paragraph beside <caption> ("… in MEGA, version 5.2 [50]"),
    and a table note as a bare <p> in <table-wrap-foot> ("CICES vers. 4.3 [55]"): unread,
    their references read as never cited."""
    xml = """<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>Trees differ [<xref ref-type="bibr" rid="B1">1</xref>].</p>
<fig id="f1"><label>Figure 1</label><caption><p>Relatedness.</p></caption><graphic/>
<p>Built in MEGA, version 5.2 [<xref ref-type="bibr" rid="B2">2</xref>].</p></fig>
<table-wrap id="t1"><label>Table 1</label><caption><p>Services.</p></caption><table><tr><td>Water</td></tr></table>
<table-wrap-foot><p>Categories follow CICES [<xref ref-type="bibr" rid="B3">3</xref>].</p></table-wrap-foot></table-wrap></sec></body>
<back><ref-list><ref id="B1"><label>1</label><mixed-citation>A. One. J. 2001.</mixed-citation></ref>
<ref id="B2"><label>2</label><mixed-citation>B. Two. J. 2002.</mixed-citation></ref>
<ref id="B3"><label>3</label><mixed-citation>C. Three. J. 2003.</mixed-citation></ref></ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    assert sorted({n for c in ms.citations for n in c.numbers}) == [1, 2, 3]


def test_a_superscript_lost_in_conversion_still_cites(tmp_path) -> None:
    """A PMC article citing with bare xrefs ("origin<xref>3</xref>") left some as plain text:
    "worldwide.1 Indeed".  Such a number after a word's punctuation, before the next
    sentence, cites; "Fig.1 The" and "version 2.1 The" do not."""
    cite = lambda n: f'<xref ref-type="bibr" rid="B{n}">{n}</xref>'  # noqa: E731
    xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Diseases threaten health worldwide.1 Indeed, most are zoonotic.{cite(2)}
Wildlife matters.{cite(3)} See Fig.1 The tree. We used version 2.1 The latest.</p></sec></body>
<back><ref-list>{"".join(f'<ref id="B{n}"><label>{n}</label><mixed-citation>A. N{n}. J. 2001.</mixed-citation></ref>' for n in (1, 2, 3))}</ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    assert [c.numbers for c in ms.citations] == [(1,), (2,), (3,)]


def test_pmc_qv_runs_cite_their_numbers(tmp_path) -> None:
    """PMC renders a Wiley cross-reference to a run of references as untagged text,
    "[qv: 24c,38–57]" (sub-reference c of 24): read, it cites; a run past the list is not."""
    refs = "".join(f'<ref id="r{n}"><label>{n}</label><mixed-citation>A. N{n}. J. 2001.</mixed-citation></ref>' for n in range(1, 7))
    xml = f"""<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front>
<body><sec><title>Introduction</title><p>Cells help.<sup><xref ref-type="ref" rid="r1">1</xref></sup>
Conductivities differ [qv: 1b,3–5]. Others [qv: 6,8–9].</p></sec></body><back><ref-list>{refs}</ref-list></back></article>"""
    path = tmp_path / "t.xml"
    path.write_text(xml, "utf-8")
    ms = read_manuscript(str(path), Config())
    assert [c.numbers for c in ms.citations] == [(1,), (1, 3, 4, 5)]
