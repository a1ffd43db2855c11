"""Word suppressions (issue 17): a comment whose text starts ``refcheck: ignore`` on the
flagged words silences those findings, survives ``refcheck annotate`` and holds on
re-check; one that silences nothing is an RC001 info finding.

The commented documents are real: the example DOCX copied into ``tmp_path`` and given
comments by the project's own Word-comment writer (anchored on exact words, as Word
anchors a comment on a selection), then handed to an author other than refcheck.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXAMPLE_FILES
from lxml import etree

from refcheck.engine import check_file, read_manuscript
from refcheck.reporters.docx_comments import Note, annotate_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REFCHECK = [sys.executable, "-m", "refcheck.cli"]
SOURCE = EXAMPLE_FILES["docx"]
SENTENCE = "demonstrate remarkable advantages"  # RC301 "remarkable", "excellent", "crucial"
EDITOR = "A. Editor"


def commented_copy(tmp_path: Path, comments: list[tuple[str, str, str]], name: str = "commented.docx") -> Path:
    """The example with ``(block text needle, words, comment text)`` comments by an editor."""
    ms = read_manuscript(SOURCE)
    notes = []
    for needle, words, text in comments:
        block = next(b for b in ms.blocks if needle in b.text)
        at = block.text.index(words, block.text.index(needle) if words in needle else 0)
        notes.append(Note(block.index, at, at + len(words), text))
    out = tmp_path / name
    annotate_docx(SOURCE, out, ms.blocks, notes)
    with zipfile.ZipFile(out) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/comments.xml"] = parts["word/comments.xml"].replace(b'w:author="refcheck"', f'w:author="{EDITOR}"'.encode())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return out


def keyed(findings: list) -> list[tuple[str, str, int]]:
    return [(f.code, f.text, f.block) for f in findings]


def comments_of(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/comments.xml"))
    return [(c.get(W + "author"), "".join(t.text or "" for t in c.iter(W + "t"))) for c in root.iter(W + "comment")]


def test_ignore_comment_silences_only_its_rule_on_its_words(tmp_path: Path) -> None:
    before = check_file(SOURCE).findings
    target = [f for f in before if f.code == "RC301" and "remarkable" in f.data.get("words", [])
              and SENTENCE in f.excerpt]
    assert len(target) == 1
    doc = commented_copy(tmp_path, [(SENTENCE, "remarkable", "refcheck: ignore RC301 the data are in Table 2")])
    ms = read_manuscript(doc)
    (comment,) = ms.metadata["comments"]
    block = ms.blocks[target[0].block]
    assert comment.author == EDITOR and block.text[comment.start[1]:comment.end[1]] == "remarkable"
    after = check_file(doc).findings
    assert keyed(after) == [k for k in keyed(before) if k != keyed(target)[0]]
    # the other RC301 findings of the manuscript are untouched
    assert sum(f.code == "RC301" for f in after) == sum(f.code == "RC301" for f in before) - 1


def test_ignore_without_codes_silences_every_rule_there_and_names_work(tmp_path: Path) -> None:
    before = check_file(SOURCE).findings
    mismatch = next(f for f in before if f.code == "RC202")
    ms = read_manuscript(SOURCE)
    sentence = mismatch.excerpt[:40]
    doc = commented_copy(tmp_path, [
        (sentence, ms.blocks[mismatch.block].text[mismatch.start:mismatch.end], "refcheck: ignore"),
        (SENTENCE, "remarkable", "refcheck:ignore unsupported-superlative, RC4 — accepted"),
    ])
    after = keyed(check_file(doc).findings)
    assert (mismatch.code, mismatch.text, mismatch.block) not in after
    assert not any(code == "RC301" and SENTENCE in f.excerpt for f in check_file(doc).findings for code in [f.code])
    assert len(after) == len(before) - 2


def test_unused_and_unknown_word_suppressions(tmp_path: Path) -> None:
    doc = commented_copy(tmp_path, [
        (SENTENCE, "advantages", "refcheck: ignore RC104"),        # no duplicate reference there
        (SENTENCE, "remarkable", "refcheck: ignore RC3O1"),        # a misspelt code silences nothing
        (SENTENCE, "excellent", "Please check this claim."),       # an ordinary comment is no directive
    ])
    result = check_file(doc)
    unused = [f for f in result.findings if f.code == "RC001"]
    assert [(f.severity.value, f.text) for f in unused] == [("info", "advantages")]
    assert "“refcheck: ignore RC104” suppresses nothing" in unused[0].message
    assert any(f.code == "RC301" and SENTENCE in f.excerpt for f in result.findings)
    assert any("unknown rule RC3O1 — did you mean RC301?" in n for n in result.notices)
    proc = subprocess.run([*REFCHECK, "check", str(doc), "--format", "json", "--select", "RC104,RC3,RC001"],
                          capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout)["files"][0]["findings"]
    assert [(f["code"], f["data"]["paragraph"]) for f in data if f["code"] == "RC001"] == \
        [("RC001", unused[0].data["paragraph"])]
    assert "did you mean RC301" in proc.stderr


def test_the_suppression_survives_annotate_and_holds_on_recheck(tmp_path: Path) -> None:
    doc = commented_copy(tmp_path, [(SENTENCE, "remarkable", "refcheck: ignore RC301")])
    out = tmp_path / "annotated.docx"
    proc = subprocess.run([*REFCHECK, "annotate", str(doc), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    comments = comments_of(out)
    assert (EDITOR, "refcheck: ignore RC301") in comments
    ours = [text for author, text in comments if author == "refcheck"]
    assert ours and not any(re.search(r"“remarkable”, “excellent”", t) for t in ours)
    # annotating the annotated copy again still keeps the editor's comment, and the
    # re-check of either copy reports the same findings as the commented original
    again = tmp_path / "again.docx"
    subprocess.run([*REFCHECK, "annotate", str(out), "-o", str(again)], check=True, capture_output=True, timeout=120)
    assert (EDITOR, "refcheck: ignore RC301") in comments_of(again)
    expected = keyed(check_file(doc).findings)
    assert keyed(check_file(out).findings) == expected == keyed(check_file(again).findings)
    assert not any(f.code == "RC301" and SENTENCE in f.excerpt for f in check_file(again).findings)


def test_a_comment_on_whole_paragraphs_covers_them(tmp_path: Path) -> None:
    """Word puts the range marks between paragraphs when whole paragraphs are selected:
    the range then runs from the next paragraph's start to the previous one's end."""
    doc = commented_copy(tmp_path, [(SENTENCE, "advantages", "refcheck: ignore RC3")])
    with zipfile.ZipFile(doc) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    start = next(root.iter(W + "commentRangeStart"))
    end = next(root.iter(W + "commentRangeEnd"))
    para = next(start.iterancestors(W + "p"))
    start.getparent().remove(start)
    end.getparent().remove(end)
    para.addprevious(start)
    para.addnext(end)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(doc, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    ms = read_manuscript(doc)
    (comment,) = ms.metadata["comments"]
    block = next(b for b in ms.blocks if SENTENCE in b.text)
    assert comment.start == (block.anchor[1], 0) and comment.end[0] == block.anchor[1]
    before = [f for f in check_file(SOURCE).findings if f.block == block.index]
    after = [f for f in check_file(doc).findings if f.block == block.index]
    assert any(f.code.startswith("RC3") for f in before)
    assert [f.code for f in after] == [f.code for f in before if not f.code.startswith("RC3")]
