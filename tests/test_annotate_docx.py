"""Word comments: exact anchoring, preservation, re-annotation, safe outputs, the run splitter."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from annotate_helpers import check_package, docx_anchored, expected_text, norm, synthetic_notes
from conftest import EXAMPLE_FILES
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from refcheck.annotate import annotate_file, group_findings, group_text
from refcheck.cli import main
from refcheck.confidence import DEFAULT_MIN, visible
from refcheck.config import Config
from refcheck.engine import check_file, read_manuscript
from refcheck.model import InputError
from refcheck.ooxml.namespaces import W
from refcheck.ooxml.runs import split_at
from refcheck.ooxml.text import run_text
from refcheck.reporters.docx_comments import Note, annotate_docx

DOCX_FORMS = ["docx", "superscript", "autonumbered"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=DOCX_FORMS)
def docx_copy(request, tmp_path) -> Path:
    src = EXAMPLE_FILES[request.param]
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def test_every_sentence_with_findings_is_one_comment_on_exactly_their_words(docx_copy: Path) -> None:
    """One comment per sentence (a finding alone in its sentence: on exactly its span;
    several: from the first flagged character to the last), every finding in one."""
    before = sha(docx_copy)
    out, result = annotate_file(docx_copy, None, Config(), summary=False)
    assert out == docx_copy.with_name(docx_copy.stem + ".refcheck.docx")
    assert sha(docx_copy) == before
    comments = docx_anchored(out)
    assert result.findings, "the seed review has findings"
    # Word comments carry the findings shown at the default min-confidence.
    shown = visible(result.findings, DEFAULT_MIN)
    groups = group_findings(result.manuscript, shown)
    assert sorted(id(f) for g in groups for f in g) == sorted(id(f) for f in shown)
    assert any(len(g) > 1 for g in groups), "the seed review has sentences with two findings"
    assert len(comments) == len(groups)
    for g, (author, body, anchored) in zip(groups, comments.values(), strict=True):
        assert author == "refcheck"
        assert body == group_text(g)
        block = result.manuscript.blocks[g[0].block].text
        assert anchored == (g[0].text if len(g) == 1 else block[min(f.start for f in g):max(f.end for f in g)]), g
        assert all(f"{f.code} {f.name}" in body for f in g)
    assert check_package(docx_copy, out) == []


def test_summary_comment_sits_on_the_title(docx_copy: Path) -> None:
    out, result = annotate_file(docx_copy, None, Config())
    comments = list(docx_anchored(out).values())
    assert len(comments) == len(group_findings(result.manuscript, visible(result.findings, DEFAULT_MIN))) + 1
    author, body, anchored = comments[0]
    assert body.startswith(f"refcheck: {len(visible(result.findings, DEFAULT_MIN))} findings. Start here:")
    assert "RC101 citation-out-of-order ×" in body
    assert norm(anchored) == norm(result.manuscript.title or "")


def test_stress_spans_words_run_edges_superscripts_cells_headings(docx_copy: Path, tmp_path: Path) -> None:
    ms = read_manuscript(docx_copy)
    notes = synthetic_notes(ms, [], limit=400)
    out = tmp_path / "stress.docx"
    anchored = annotate_docx(docx_copy, out, ms.blocks, notes)
    saved = docx_anchored(out)
    assert len(saved) == len(notes) > 50
    for note, got, (_, body, text) in zip(notes, anchored, saved.values(), strict=True):
        want = expected_text(ms.blocks[note.block], note)
        assert got == want and text == want, (note, got, text)
        assert body == note.text
    # The text the reader sees is unchanged: comments carry no text of their own.
    again = read_manuscript(out)
    assert [b.text for b in again.blocks] == [b.text for b in ms.blocks]
    assert check_package(docx_copy, out) == []


def test_reannotating_replaces_own_comments_and_keeps_others(tmp_path: Path) -> None:
    src = tmp_path / "paper.docx"
    shutil.copy(EXAMPLE_FILES["docx"], src)
    ms = read_manuscript(src)
    # A colleague's comment, written with the same machinery but another author.
    human = tmp_path / "human.docx"
    annotate_docx(src, human, ms.blocks, [Note(5, 0, 4, "Please check this.")])
    with zipfile.ZipFile(human) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/comments.xml"] = parts["word/comments.xml"].replace(b'w:author="refcheck"', b'w:author="Dr Reviewer"')
    with zipfile.ZipFile(human, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    first, result = annotate_file(human, tmp_path / "once.docx", Config())
    second, _ = annotate_file(first, tmp_path / "twice.docx", Config())
    for out in (first, second):
        authors = [a for a, _, _ in docx_anchored(out).values()]
        assert authors.count("Dr Reviewer") == 1
        assert authors.count("refcheck") == len(group_findings(result.manuscript, visible(result.findings, DEFAULT_MIN))) + 1
    kept = [v for v in docx_anchored(second).values() if v[0] == "Dr Reviewer"][0]
    assert kept[1] == "Please check this." and kept[2] == ms.blocks[5].text[:4]
    doc = etree.fromstring(zipfile.ZipFile(second).read("word/document.xml"))
    assert len(doc.findall(f".//{W}commentRangeStart")) == len(group_findings(result.manuscript, visible(result.findings, DEFAULT_MIN))) + 2


def test_output_safety(tmp_path: Path) -> None:
    src = tmp_path / "paper.docx"
    shutil.copy(EXAMPLE_FILES["docx"], src)
    with pytest.raises(InputError, match="overwrite the input"):
        annotate_file(src, src, Config())
    link = tmp_path / "link.docx"
    link.symlink_to(src)
    with pytest.raises(InputError, match="overwrite the input"):
        annotate_file(src, link, Config())
    foreign = tmp_path / "paper.refcheck.docx"
    foreign.write_bytes(b"my own notes")
    with pytest.raises(InputError, match="--force"):
        annotate_file(src, None, Config())
    assert foreign.read_bytes() == b"my own notes"
    annotate_file(src, None, Config(), force=True)
    annotate_file(src, None, Config())  # its own output: replaced without --force
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_annotate_and_check_annotate_leave_input_alone(tmp_path: Path, capsys) -> None:
    src = tmp_path / "paper.docx"
    shutil.copy(EXAMPLE_FILES["superscript"], src)
    before = sha(src)
    assert main(["annotate", str(src)]) == 0
    assert "comments" in capsys.readouterr().out
    assert main(["check", "--annotate", str(src)]) in (0, 1)
    assert main(["annotate", str(src), "-o", str(src)]) == 2
    assert "overwrite the input" in capsys.readouterr().err
    assert sha(src) == before


def test_footnote_findings_fall_back_to_the_reference_mark(tmp_path: Path) -> None:
    from conftest import corpus_dir

    src = corpus_dir("docx") / "mammoth__footnotes.docx"
    ms = read_manuscript(src)
    notes_blocks = [b for b in ms.blocks if b.anchor[0] == "footnotes"]
    assert notes_blocks
    out = tmp_path / "fn.docx"
    anchored = annotate_docx(src, out, ms.blocks, [Note(b.index, 0, 3, "x") for b in notes_blocks])
    saved = list(docx_anchored(out).values())
    assert anchored == [""] * len(notes_blocks)
    assert all(body.startswith("In footnote ") for _, body, _ in saved)
    doc = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    for start in doc.iter(W + "commentRangeStart"):
        assert start.getnext().find(W + "footnoteReference") is not None


def test_references_stay_out_of_data_bound_controls(tmp_path: Path) -> None:
    """A document that is one cover-page control whose cells are data-bound
    (poi Bug54771a): every reference mark sits outside the data-bound controls,
    where LibreOffice keeps the comment's text (checked with LibreOffice in
    test_real_clients)."""
    from conftest import corpus_dir

    src = corpus_dir("docx") / "poi__Bug54771a.docx"
    ms = read_manuscript(src)
    cells = [b for b in ms.blocks if b.text.startswith("Test")]
    assert len(cells) == 3
    out = tmp_path / "bound.docx"
    anchored = annotate_docx(src, out, ms.blocks, [Note(b.index, 0, len(b.text), "x") for b in cells for _ in (1, 2)])
    assert anchored == [b.text for b in cells for _ in (1, 2)]
    doc = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    refs = list(doc.iter(W + "commentReference"))
    assert len(refs) == 6
    for ref in refs:
        controls = [a for a in ref.iterancestors(W + "sdt")]
        assert controls, "the whole document is a control"
        assert all(a.find(f"{W}sdtPr/{W}dataBinding") is None for a in controls)


def test_comment_ids_stay_clear_of_note_ids(tmp_path: Path) -> None:
    """LibreOffice 7.4 empties an endnote whose id equals a comment's (mammoth
    endnotes lost both texts), so comment ids start above every note id."""
    from conftest import corpus_dir

    src = corpus_dir("docx") / "mammoth__endnotes.docx"
    ms = read_manuscript(src)
    out = tmp_path / "notes.docx"
    annotate_docx(src, out, ms.blocks, [Note(b.index, 0, 2, "x") for b in ms.blocks])
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("word/document.xml"))
        endnotes = etree.fromstring(zf.read("word/endnotes.xml"))
    note_ids = {int(e.get(W + "id")) for e in endnotes.iter(W + "endnote")}
    comment_ids = {int(e.get(W + "id")) for e in doc.iter(W + "commentReference")}
    assert note_ids and len(comment_ids) == len(ms.blocks)
    assert min(comment_ids) > max(note_ids)


def test_text_frame_findings_sit_after_the_frame(tmp_path: Path) -> None:
    """Paragraphs with w:framePr (poi stress010, a footnote-like frame): no comment
    mark inside them — LibreOffice would pull the text out of the frame — and the
    comment names where its finding is."""
    from conftest import corpus_dir

    src = corpus_dir("docx") / "poi__stress010.docx"
    ms = read_manuscript(src)
    doc = etree.fromstring(zipfile.ZipFile(src).read("word/document.xml"))
    paras = list(doc.find(W + "body").iter(W + "p"))
    framed = [b for b in ms.blocks if b.anchor[0] == "body" and paras[b.anchor[1]].find(f"{W}pPr/{W}framePr") is not None
              and b.text.strip()]
    assert framed
    out = tmp_path / "frames.docx"
    anchored = annotate_docx(src, out, ms.blocks, [Note(b.index, 0, len(b.text), "x") for b in framed])
    assert all(a.strip() for a in anchored)  # on the text after the frame
    doc = etree.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
    for p in doc.iter(W + "p"):
        if p.find(f"{W}pPr/{W}framePr") is not None:
            assert p.find(W + "commentRangeStart") is None and p.find(f".//{W}commentReference") is None
    bodies = [body for author, body, _ in docx_anchored(out).values() if author == "refcheck"]
    assert bodies and all(body.startswith("In a text frame: x") for body in bodies)


# ---------------------------------------------------------------------------
# The run splitter, property-tested

_RPR = '<w:rPr><w:b/><w:vertAlign w:val="superscript"/></w:rPr>'
_piece = st.one_of(
    st.text(alphabet="ab c", min_size=1, max_size=6).map(lambda s: ("t", s)),
    st.just(("tab", "\t")),
    st.just(("br", "\n")),
    st.just(("fld", "")),
)


def _run(pieces: list[tuple[str, str]]) -> etree._Element:
    body = "".join(
        f'<w:t xml:space="preserve">{s}</w:t>' if k == "t" else
        "<w:tab/>" if k == "tab" else "<w:br/>" if k == "br" else '<w:fldChar w:fldCharType="end"/>'
        for k, s in pieces
    )
    p = etree.fromstring(f'<w:p xmlns:w="{W[1:-1]}"><w:r>{_RPR}{body}</w:r></w:p>')
    return p[0]


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=6), st.lists(st.integers(0, 40), max_size=5))
def test_split_then_join_gives_original_text_and_formatting(pieces, cuts) -> None:
    run = _run(pieces)
    p = run.getparent()
    original = run_text(run)
    rpr = etree.tostring(run.find(W + "rPr"))
    tags_before = [c.tag for c in run if c.tag != W + "rPr" and c.tag != W + "t"]
    parts = split_at(run, cuts)
    runs = list(p)
    assert [r for r, _, _ in parts] == runs
    assert "".join(run_text(r) for r in runs) == original
    for r, a, b in parts:
        assert run_text(r) == original[a:b]
        assert etree.tostring(r.find(W + "rPr")) == rpr
    assert [c.tag for r in runs for c in r if c.tag != W + "rPr" and c.tag != W + "t"] == tags_before
    expected_cuts = sorted({c for c in cuts if 0 < c < len(original)})
    assert [a for _, a, _ in parts[1:]] == expected_cuts


def test_check_file_result_is_reused_by_annotate_result(tmp_path: Path) -> None:
    from refcheck.annotate import annotate_result

    src = tmp_path / "paper.docx"
    shutil.copy(EXAMPLE_FILES["autonumbered"], src)
    result = check_file(src)
    out = annotate_result(result, Config(), summary=False)
    assert len(docx_anchored(out)) == len(group_findings(result.manuscript, visible(result.findings, DEFAULT_MIN)))
