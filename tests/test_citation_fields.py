"""References read from what citation managers store in Word fields (Zotero, Mendeley,
EndNote) rather than parsed back out of the rendered reference list.

Real inputs: the Zotero and Mendeley documents of pandoc's test suite
(tests/fixtures/pandoc, author–year styles), and the deeprules Word review of the
corpus with its numeric "[n]" hyperlinks turned into Zotero fields that carry the
CSL JSON Manubot rendered its bibliography from (../shared/corpus/csl).
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import corpus_dir

from refcheck.analysis.fields import csl_items, endnote_items
from refcheck.engine import check_file

FIXTURES = Path(__file__).parent / "fixtures" / "pandoc"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _rewrite(src: Path, dest: Path, change) -> Path:
    """A copy of ``src`` with word/document.xml passed through ``change``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return dest


def _field_items(path: Path) -> dict[str, dict]:
    """Every item the document's fields carry, by title (without the BibTeX
    case-protecting braces Mendeley leaves in titles: "{ANYONE}")."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    instructions = "".join(html.unescape(t) for t in re.findall(r"<w:instrText[^>]*>(.*?)</w:instrText>", xml))
    items = {}
    for part in re.split(r"(?=ADDIN )", instructions):
        for item in csl_items(part):
            items[" ".join(re.sub(r"[{}]", "", item["title"]).split())] = item
    return items


def _without_bibliography(xml: str) -> str:
    """The document as a draft whose bibliography was never inserted: every paragraph
    from the reference-list heading on removed (the section properties kept)."""
    paragraphs = list(re.finditer(r"<w:p[ >].*?</w:p>", xml, re.S))
    head = next(m for m in paragraphs if re.search(r">(Reference list|References)<", m.group()))
    sect = xml.find("<w:sectPr", head.start())
    return xml[: head.start()] + xml[sect:] if sect > 0 else xml[: head.start()] + "</w:body></w:document>"


@pytest.mark.parametrize("name", ["zotero_citations.docx", "mendeley_citations.docx"])
def test_reference_list_entries_take_the_fields_data(name: str) -> None:
    path = FIXTURES / name
    items = _field_items(path)
    refs = check_file(path).manuscript.references
    assert len(refs) == len(items) >= 3
    for ref in refs:
        item = items[ref.title]  # the title as the library holds it, not as parsed
        assert ref.confidence == 1.0
        assert ref.doi == item.get("DOI")
        assert ref.authors[0].startswith(item["author"][0]["family"] + ", " + item["author"][0]["given"])


def test_fields_give_what_the_rendered_list_lacks() -> None:
    """The APA list prints initials only; the Zotero field holds the given names."""
    refs = check_file(FIXTURES / "zotero_citations.docx").manuscript.references
    smith = next(r for r in refs if r.year == 2013)
    assert smith.authors[:2] == ("Smith, Doug M.", "Eade, Rosie")


@pytest.mark.parametrize("name", ["zotero_citations.docx", "mendeley_citations.docx"])
def test_a_draft_without_its_bibliography_gets_the_references_from_the_fields(name: str, tmp_path: Path) -> None:
    path = _rewrite(FIXTURES / name, tmp_path / name, _without_bibliography)
    result = check_file(path)
    refs = result.manuscript.references
    assert sorted(r.title for r in refs) == sorted(_field_items(FIXTURES / name))
    assert [r.number for r in refs] == list(range(1, len(refs) + 1))
    cited = {n for c in result.manuscript.citations for n in c.numbers}
    assert cited == {r.number for r in refs}
    assert not [f for f in result.findings if f.code in ("RC102", "RC103")]


def _deeprules_with_zotero_fields(xml: str, items: dict[str, dict]) -> str:
    """Each "[n]" hyperlink to a reference-list entry wrapped in a Zotero field that
    carries that entry's CSL JSON — what the same manuscript written with Zotero holds."""
    counter = 0

    def field(m: re.Match[str]) -> str:
        nonlocal counter
        item = items.get(m.group(1))
        if item is None:
            return m.group()
        counter += 1
        data = {"citationID": f"c{counter}", "properties": {"noteIndex": 0},
                "citationItems": [{"id": counter, "uris": [f"http://zotero.org/users/1/items/{m.group(1)}"],
                                   "itemData": item}],
                "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"}
        instruction = html.escape("ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(data), quote=False)
        return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f"{m.group(2)}"
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    return re.sub(r'<w:hyperlink w:anchor="ref-([^"]+)">(.*?)</w:hyperlink>', field, xml, flags=re.S)


@pytest.fixture(scope="module")
def deeprules(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict], list[str]]:
    docx = corpus_dir("docx") / "deeprules__manuscript-e95e37a.docx"
    items = {i["id"]: i for i in json.loads((corpus_dir("csl") / "deeprules__references.json").read_text("utf-8"))}
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    # The reference list's own bookmarks say which item each numbered entry is.
    order = re.findall(r'w:pStyle w:val="Bibliography"/>.*?<w:bookmarkStart w:id="\d+" w:name="ref-([^"]+)"', xml)
    path = _rewrite(docx, tmp_path_factory.mktemp("zotero") / "deeprules-zotero.docx",
                    lambda x: _deeprules_with_zotero_fields(x, items))
    return path, items, order


@pytest.mark.corpus
def test_numbered_entries_take_their_items_titles(deeprules) -> None:
    path, items, order = deeprules
    refs = check_file(path).manuscript.references
    by_number = {r.number: r for r in refs}
    paired = [n for n, key in enumerate(order, 1) if key in items and by_number[n].confidence == 1.0]
    with zipfile.ZipFile(path) as z:  # the items some field carries (a few are cited only inside ranges)
        carried = set(re.findall(r'items/([^"]+)"', z.read("word/document.xml").decode("utf-8")))
    assert len(carried) >= 120 and {order[n - 1] for n in paired} == carried
    for n in paired:
        ref, item = by_number[n], items[order[n - 1]]
        assert ref.title == " ".join(item["title"].split())
        assert (ref.doi or "").lower() == (item.get("DOI") or ref.doi or "").lower()


@pytest.mark.corpus
def test_numbered_draft_without_its_list_builds_it_from_the_fields(deeprules, tmp_path: Path) -> None:
    path, items, order = deeprules
    draft = _rewrite(path, tmp_path / "draft.docx", _without_bibliography)
    result = check_file(draft)
    refs = result.manuscript.references
    assert len(refs) >= 100
    for ref in refs:  # each built entry is the item the original list numbers so
        assert ref.title == " ".join(items[order[ref.number - 1]]["title"].split())
    assert not [f for f in result.findings if f.code == "RC103"]


ENDNOTE = (
    "ADDIN EN.CITE <EndNote><Cite><Author>Smith</Author><Year>2013</Year><RecNum>109</RecNum>"
    "<DisplayText>[1]</DisplayText><record><rec-number>109</rec-number>"
    '<ref-type name="Journal Article">17</ref-type><contributors><authors>'
    '<author><style face="normal" font="default" size="100%">Smith, Doug M.</style></author>'
    "<author>Eade, Rosie</author></authors></contributors><titles>"
    '<title><style face="normal" font="default" size="100%">A comparison of full-field and anomaly '
    "initialization for seasonal to decadal climate prediction</style></title>"
    "<secondary-title>Climate Dynamics</secondary-title></titles><dates><year>2013</year></dates>"
    "<electronic-resource-num>10.1007/s00382-013-1683-2</electronic-resource-num></record></Cite></EndNote>"
)


def test_endnote_records_in_the_field_instruction() -> None:
    (item,) = endnote_items(ENDNOTE)
    assert item["title"].startswith("A comparison of full-field")
    assert item["author"][0] == {"family": "Smith", "given": "Doug M."}
    assert item["DOI"] == "10.1007/s00382-013-1683-2" and item["issued"] == {"date-parts": [["2013"]]}
    assert item["container-title"] == "Climate Dynamics"


@pytest.mark.parametrize("instruction", [
    "ADDIN Mendeley Citation{5c6bd8a1-0000}",  # legacy Mendeley: an id only
    'ADDIN ZOTERO_ITEM CSL_CITATION {"citationItems": [{"id": 1}',  # truncated JSON
    "ADDIN EN.CITE ADDIN EN.CITE.DATA",  # EndNote data kept base64 in the field data
    "ADDIN EN.CITE <EndNote><Cite><record><titles><title>",  # broken XML
    'ADDIN EN.CITE <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EndNote><Cite><record>'
    "<titles><title>&e;</title></titles></record></Cite></EndNote>",
])
def test_fields_without_readable_items_give_none(instruction: str) -> None:
    assert csl_items(instruction) + endnote_items(instruction) == []
