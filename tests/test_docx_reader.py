"""The DOCX reader on the real examples, on small hand-built packages, and on the corpus.

Examples: the seed review (CC BY 4.0, Qing Tang & Haiou Chen, Journal of Clinical
and Nursing Research, 2025) in its three DOCX forms from ../shared/examples.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS as CORPUS_ROOT
from conftest import EXAMPLES

from refcheck.model import BlockKind, InputError, Manuscript
from refcheck.ooxml.text import iter_text_pieces
from refcheck.readers.docx import read_docx, refcheck_read_document

CORPUS = CORPUS_ROOT / "docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build_docx(path: Path, body: str, **parts: str) -> Path:
    """Write a minimal DOCX: body XML plus optional styles/numbering/footnotes/endnotes."""
    rels = []
    for i, name in enumerate(("styles", "numbering", "footnotes", "endnotes")):
        if name in parts:
            rels.append(f'<Relationship Id="rId{i + 1}" Type="{REL}/{name}" Target="{name}.xml"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "word/_rels/document.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rels)
            + "</Relationships>",
        )
        zf.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        for name, xml in parts.items():
            root = {"styles": "styles", "numbering": "numbering", "footnotes": "footnotes",
                    "endnotes": "endnotes"}[name]
            zf.writestr(f"word/{name}.xml", f"<w:{root} {NS}>{xml}</w:{root}>")
    return path


def r(text: str, rpr: str = "") -> str:
    return f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def p(*runs: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr>{''.join(runs)}</w:p>"


def sup_texts(block) -> list[str]:
    return [block.text[s:e] for s, e in block.superscript]


def check_invariants(ms: Manuscript) -> None:
    """Index == position; segments tile the text exactly, in order."""
    for i, block in enumerate(ms.blocks):
        assert block.index == i
        pos = 0
        for seg in block.source.segments:
            assert seg.start == pos
            pos += seg.length
        assert pos == len(block.text)


# --- the three example forms -----------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Manuscript]:
    return {
        name: read_docx(EXAMPLES / f"{name}.docx", {})
        for name in ("seed-review", "seed-review-autonumbered", "seed-review-superscript")
    }


def _by_text(ms: Manuscript, prefix: str):
    return next(b for b in ms.blocks if b.text.startswith(prefix))


@pytest.mark.parametrize("name", ["seed-review", "seed-review-autonumbered", "seed-review-superscript"])
def test_examples_headings_and_invariants(seed, name):
    ms = seed[name]
    check_invariants(ms)
    assert ms.format == "docx"
    intro = _by_text(ms, "1. Introduction")
    assert (intro.kind, intro.level) == (BlockKind.HEADING, 1)
    sub = _by_text(ms, "2.1. Basic characteristics")
    assert (sub.kind, sub.level) == (BlockKind.HEADING, 2)
    subsub = _by_text(ms, "2.1.1. Cell origin")
    assert (subsub.kind, subsub.level) == (BlockKind.HEADING, 3)
    assert subsub.section[-2:] == (sub.text, subsub.text)
    assert [b.anchor for b in ms.blocks][:3] == [("body", 0), ("body", 1), ("body", 2)]


def test_position_raised_citations(seed):
    ms = seed["seed-review"]
    first = _by_text(ms, "Acute liver failure (ALF) is a severe")
    assert sup_texts(first) == ["[1]", "[2]", "[3]"]
    for block in ms.blocks:
        for text in sup_texts(block):
            assert re.fullmatch(r"\[\d+(?:[,–-] ?\d+)*\]", text), text
    refs = [b for b in ms.blocks if b.section[:1] == ("References",) and b.kind is BlockKind.PARAGRAPH]
    assert len(refs) == 32
    assert refs[0].text.startswith("[1] ") and refs[0].list_label is None


def test_autonumbered_reference_list(seed):
    ms = seed["seed-review-autonumbered"]
    labelled = [b for b in ms.blocks if b.list_label]
    assert [b.list_label for b in labelled] == [f"{i}." for i in range(1, 33)]
    assert not labelled[0].text.startswith("1")
    assert all(b.section[:1] == ("References",) for b in labelled)


def test_superscript_numerals_and_list_number_style(seed):
    ms = seed["seed-review-superscript"]
    first = _by_text(ms, "Acute liver failure (ALF) is a severe")
    assert "encephalopathy1." in first.text
    assert sup_texts(first) == ["1", "2", "3"]
    assert any("failure9,10" in b.text for b in ms.blocks)
    second = _by_text(ms, "Human umbilical cord mesenchymal stem cells demonstrate")
    assert sup_texts(second) == ["4,5", "6"]
    for block in ms.blocks:
        for text in sup_texts(block):
            assert re.fullmatch(r"\d+(?:[,–-]\d+)*", text), text
    labelled = [b for b in ms.blocks if b.list_label]
    assert [b.list_label for b in labelled] == [f"{i}." for i in range(1, 33)]
    assert {b.style for b in labelled} == {"List Number"}


def test_hook_routes_by_suffix(tmp_path):
    assert refcheck_read_document(str(tmp_path / "x.txt"), {}) is None
    path = build_docx(tmp_path / "x.docm", p(r("Macro-enabled text.")))
    ms = refcheck_read_document(str(path), {})
    assert ms is not None and ms.blocks[0].text == "Macro-enabled text."


# --- small built documents -------------------------------------------------------


def test_tracked_changes_read_as_accepted(tmp_path):
    body = p(
        r("Kept "),
        '<w:ins w:id="1" w:author="a">' + r("inserted ") + "</w:ins>",
        '<w:del w:id="2" w:author="a"><w:r><w:delText>deleted </w:delText></w:r></w:del>',
        '<w:moveFrom w:id="3" w:author="a">' + r("moved-away ") + "</w:moveFrom>",
        '<w:moveTo w:id="4" w:author="a">' + r("moved-here") + "</w:moveTo>",
    )
    ms = read_docx(build_docx(tmp_path / "t.docx", body))
    assert ms.blocks[0].text == "Kept inserted moved-here"
    check_invariants(ms)


def test_hyperlink_smarttag_sdt_and_special_chars(tmp_path):
    body = p(
        r("See "),
        '<w:hyperlink r:id="rId9">' + r("the site") + "</w:hyperlink>",
        '<w:smartTag w:uri="u" w:element="e">' + r(", tagged") + "</w:smartTag>",
        "<w:sdt><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent>" + r(" control") + "</w:sdtContent></w:sdt>",
        "<w:r><w:tab/><w:t>a</w:t><w:noBreakHyphen/><w:t>b</w:t><w:softHyphen/><w:br/>"
        '<w:sym w:font="Symbol" w:char="03B1"/></w:r>',
    )
    ms = read_docx(build_docx(tmp_path / "h.docx", body))
    assert ms.blocks[0].text == "See the site, tagged control\ta-b\nα"
    assert [seg.locator for seg in ms.blocks[0].source.segments] == [0, 1, 2, 3, 4]


ZOTERO = 'ADDIN ZOTERO_ITEM CSL_CITATION {"citationID":"x","citationItems":[{"id":1}]}'


def _complex_field(instruction_parts: list[str], result: str) -> str:
    runs = ['<w:r><w:fldChar w:fldCharType="begin"/></w:r>']
    runs += [f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>' for part in instruction_parts]
    runs += ['<w:r><w:fldChar w:fldCharType="separate"/></w:r>', r(result),
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>']
    return "".join(runs)


def test_zotero_field_split_over_runs(tmp_path):
    body = p(r("Claim "), _complex_field([ZOTERO[:20], ZOTERO[20:]], "[1]"), r(" holds."))
    block = read_docx(build_docx(tmp_path / "z.docx", body)).blocks[0]
    assert block.text == "Claim [1] holds."
    (fc,) = block.field_citations
    assert (fc.manager, block.text[fc.start:fc.end]) == ("zotero", "[1]")
    assert fc.instruction == ZOTERO


def test_endnote_field_with_nested_data_field(tmp_path):
    nested = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
              '<w:r><w:instrText> ADDIN EN.CITE.DATA </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    body = p(
        r("Text"),
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> ADDIN EN.CITE &lt;EndNote&gt;</w:instrText></w:r>',
        nested,
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        r("(Smith, 2020)"),
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    )
    block = read_docx(build_docx(tmp_path / "e.docx", body)).blocks[0]
    assert block.text == "Text(Smith, 2020)"
    assert [(c.manager, block.text[c.start:c.end]) for c in block.field_citations] == [("endnote", "(Smith, 2020)")]


def test_fldsimple_and_mendeley(tmp_path):
    body = p(
        r("A "),
        '<w:fldSimple w:instr=" ADDIN CSL_CITATION {&quot;mendeley&quot;:{}} ">' + r("[2]") + "</w:fldSimple>",
        r(" B "),
        '<w:fldSimple w:instr=" PAGE ">' + r("7") + "</w:fldSimple>",
        r(" C "),
        _complex_field([" ADDIN CSL_CITATION {} "], "[3]"),
    )
    block = read_docx(build_docx(tmp_path / "f.docx", body)).blocks[0]
    assert block.text == "A [2] B 7 C [3]"
    assert [(c.manager, block.text[c.start:c.end]) for c in block.field_citations] == [
        ("mendeley", "[2]"), ("csl", "[3]")]


def test_field_codes_hidden_results_kept(tmp_path):
    body = p(_complex_field([' HYPERLINK "https://doi.org/x" '], "doi.org/x"))
    block = read_docx(build_docx(tmp_path / "c.docx", body)).blocks[0]
    assert block.text == "doi.org/x" and block.field_citations == ()


def test_footnotes_endnotes_and_tables(tmp_path):
    sep = '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    cont = ('<w:footnote w:type="continuationSeparator" w:id="0"><w:p>' + r("cont") + "</w:p></w:footnote>")
    notes = sep + cont + '<w:footnote w:id="1">' + p(r("A footnote.")) + "</w:footnote>"
    endnotes = '<w:endnote w:id="1">' + p(r("An endnote.")) + "</w:endnote>"
    body = (p(r("Before table."))
            + "<w:tbl><w:tr><w:tc>" + p(r("Cell one")) + "</w:tc><w:tc>" + p(r("Cell two"))
            + "</w:tc></w:tr></w:tbl>" + p(r("   ")) + p(r("After.")))
    ms = read_docx(build_docx(tmp_path / "n.docx", body, footnotes=notes, endnotes=endnotes))
    check_invariants(ms)
    got = [(b.kind, b.text, b.anchor) for b in ms.blocks]
    assert got == [
        (BlockKind.PARAGRAPH, "Before table.", ("body", 0)),
        (BlockKind.TABLE_CELL, "Cell one", ("body", 1)),
        (BlockKind.TABLE_CELL, "Cell two", ("body", 2)),
        (BlockKind.PARAGRAPH, "After.", ("body", 4)),
        (BlockKind.FOOTNOTE, "A footnote.", ("footnotes", 2)),
        (BlockKind.ENDNOTE, "An endnote.", ("endnotes", 0)),
    ]


def test_text_box_is_own_block_and_read_once(tmp_path):
    box = p(r("Inside the box."))
    body = p(
        r("Outer start "),
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><w:txbxContent>" + box
        + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>" + box
        + "</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>",
        r("outer end."),
    )
    ms = read_docx(build_docx(tmp_path / "b.docx", body))
    assert [(b.text, b.anchor) for b in ms.blocks] == [
        ("Outer start outer end.", ("body", 0)), ("Inside the box.", ("body", 1))]


STYLES = """
<w:docDefaults><w:rPrDefault><w:rPr/></w:rPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Sub"><w:name w:val="My Sub"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/></w:style>
<w:style w:type="paragraph" w:styleId="RefList"><w:name w:val="Ref List"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="CiteBase"><w:name w:val="Cite Base"/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Cite"><w:name w:val="Cite"/><w:basedOn w:val="CiteBase"/></w:style>
<w:style w:type="character" w:styleId="Loop1"><w:name w:val="Loop1"/><w:basedOn w:val="Loop2"/></w:style>
<w:style w:type="character" w:styleId="Loop2"><w:name w:val="Loop2"/><w:basedOn w:val="Loop1"/></w:style>
"""

NUMBERING = """
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="[%1]"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride></w:num>
"""


def _num(num_id: int, ilvl: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def test_styles_headings_title_caption_and_rstyle_superscript(tmp_path):
    body = "".join([
        p(r("The Title"), ppr='<w:pStyle w:val="Title"/>'),
        p(r("Intro"), ppr='<w:pStyle w:val="H1"/>'),
        p(r("Outline sub"), ppr='<w:pStyle w:val="Sub"/>'),
        p(r("Direct outline"), ppr='<w:outlineLvl w:val="2"/>'),
        p(r("Body text"), ppr='<w:outlineLvl w:val="9"/>'),
        p(r("Figure 1. A caption."), ppr='<w:pStyle w:val="Caption"/>'),
        p(r("Claim"), r("1,2", '<w:rStyle w:val="Cite"/>'), r(" and"),
          r("3", '<w:position w:val="6"/>'), r("x", '<w:rStyle w:val="Cite"/><w:vertAlign w:val="baseline"/>'),
          r("y", '<w:rStyle w:val="Loop1"/>')),
    ])
    ms = read_docx(build_docx(tmp_path / "s.docx", body, styles=STYLES))
    got = [(b.kind, b.level, b.style) for b in ms.blocks]
    assert got == [
        (BlockKind.TITLE, 0, "Title"),
        (BlockKind.HEADING, 1, "heading 1"),
        (BlockKind.HEADING, 2, "My Sub"),
        (BlockKind.HEADING, 3, "Normal"),
        (BlockKind.PARAGRAPH, 0, "Normal"),
        (BlockKind.CAPTION, 0, "caption"),
        (BlockKind.PARAGRAPH, 0, "Normal"),
    ]
    last = ms.blocks[-1]
    assert last.text == "Claim1,2 and3xy"
    assert sup_texts(last) == ["1,2", "3"]


def test_numbering_formats_overrides_and_style_numbering(tmp_path):
    body = "".join([
        p(r("one"), ppr=_num(1)),
        p(r("one-a"), ppr=_num(1, 1)),
        p(r("one-b"), ppr=_num(1, 1)),
        p(r(""), ppr=_num(1)),  # empty: skipped but counted
        p(r("three"), ppr=_num(1)),
        p(r("three-a"), ppr=_num(1, 1)),
        p(r("bullet"), ppr=_num(3)),
        p(r("restarted"), ppr=_num(4)),
        p(r("eleven"), ppr=_num(4)),
        p(r("roman by style"), ppr='<w:pStyle w:val="RefList"/>'),
        p(r("roman two"), ppr='<w:pStyle w:val="RefList"/>'),
        p(r("numbering removed"), ppr='<w:pStyle w:val="RefList"/><w:numPr><w:numId w:val="0"/></w:numPr>'),
    ])
    ms = read_docx(build_docx(tmp_path / "l.docx", body, styles=STYLES, numbering=NUMBERING))
    assert [(b.text, b.list_label) for b in ms.blocks] == [
        ("one", "[1]"), ("one-a", "1.a"), ("one-b", "1.b"), ("three", "[3]"), ("three-a", "3.a"),
        ("bullet", None), ("restarted", "[10]"), ("eleven", "[11]"),
        ("roman by style", "I."), ("roman two", "II."), ("numbering removed", None),
    ]


def test_strict_ooxml_namespaces(tmp_path):
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    path = tmp_path / "strict.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{strict}"><w:body>'
                    '<w:p><w:r><w:t>Strict text</w:t></w:r></w:p></w:body></w:document>')
    assert read_docx(path).blocks[0].text == "Strict text"
    for name in ("d2p__strict.docx", "mammoth__strict-format.docx", "oxsdk__Strict01.docx"):
        if (CORPUS / name).exists():
            assert read_docx(CORPUS / name).blocks, name


def test_iter_text_pieces_on_python_docx_paragraphs(seed):
    docx = pytest.importorskip("docx")
    document = docx.Document(str(EXAMPLES / "seed-review.docx"))
    ms = seed["seed-review"]
    body_ps = list(document.element.body.iter(f"{{{W_NS}}}p"))
    for block in ms.blocks[:20]:
        _, n = block.anchor
        pieces = list(iter_text_pieces(body_ps[n]))
        assert "".join(text for _, text in pieces) == block.text
        for seg in block.source.segments:
            run, text = pieces[seg.locator]
            assert block.text[seg.start:seg.start + seg.length] == text


# --- the robustness corpus -------------------------------------------------------


def test_every_corpus_file_reads_or_fails_cleanly():
    if not CORPUS.is_dir():
        pytest.skip("corpus folder absent")
    rows, crashes = [], []
    for path in sorted(CORPUS.iterdir()):
        try:
            ms = read_docx(path, {})
            check_invariants(ms)
            rows.append((path.name, f"read: {len(ms.blocks)} blocks"))
        except InputError as exc:
            assert path.name in str(exc) and "\n" not in str(exc)
            rows.append((path.name, f"clean error: {exc.problem}"))
        except Exception as exc:  # noqa: BLE001 - the point is to catch anything
            crashes.append(path.name)
            rows.append((path.name, f"CRASH {type(exc).__name__}: {exc}"))
    print()
    for name, outcome in rows:
        print(f"{name[:70]:70} {outcome[:110]}")
    read = sum(o.startswith("read") for _, o in rows)
    print(f"{len(rows)} files: {read} read, {len(rows) - read - len(crashes)} clean errors, {len(crashes)} crashes")
    assert not crashes
    assert read >= 180
