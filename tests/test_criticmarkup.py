"""CriticMarkup output for text and Markdown: exact spans, byte-identical otherwise."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

from refcheck.annotate import annotate_file, group_findings, group_text
from refcheck.confidence import DEFAULT_MIN, visible
from refcheck.config import Config
from refcheck.model import InputError
from refcheck.readers.text import read_text
from refcheck.reporters.criticmarkup import (
    Note,
    annotate_text,
    criticmarkup_comments,
    strip_criticmarkup,
)


def test_example_every_finding_highlighted_and_text_identical(tmp_path: Path) -> None:
    src = tmp_path / "seed-review.txt"
    shutil.copy(EXAMPLE_FILES["txt"], src)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out, result = annotate_file(src, None, Config(), summary=False)
    assert out.name == "seed-review.refcheck.txt"
    text = out.read_text(encoding="utf-8")
    assert strip_criticmarkup(text).encode("utf-8") == src.read_bytes()
    pairs = criticmarkup_comments(text)
    groups = group_findings(result.manuscript, visible(result.findings, DEFAULT_MIN))  # those shown by default
    assert len(pairs) == len(groups) > 0
    for g, (span, body) in zip(groups, pairs, strict=True):
        block = result.manuscript.blocks[g[0].block].text
        assert " ".join(span.split()) == " ".join(block[min(f.start for f in g):max(f.end for f in g)].split())
        assert body == " ".join(group_text(g).split())
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    # Rerun replaces its own output without --force; summary comment is added first.
    out2, _ = annotate_file(src, None, Config())
    assert criticmarkup_comments(out2.read_text())[0][1].startswith("refcheck: ")


def test_span_across_a_line_join_and_crlf_and_bom() -> None:
    data = "\ufeffTitle line\r\n\r\nThe most remarkable\r\nresult ever [1].\r\n".encode()
    ms = read_text("x.txt", data=data)
    block = ms.blocks[1]
    start = block.text.index("remarkable")
    end = block.text.index("ever") + 4
    out, n = annotate_text(data, ms.blocks, [Note(1, start, end, "RC301 x: hype")])
    assert n == 1
    assert out.startswith(b"\xef\xbb\xbf")
    assert out.decode("utf-8-sig") == "Title line\r\n\r\nThe most {==remarkable\r\nresult ever==}{>>RC301 x: hype<<} [1].\r\n"
    assert strip_criticmarkup(out.decode("utf-8-sig")).encode("utf-8-sig") == data


def test_overlapping_spans_merge_into_one_highlight() -> None:
    data = b"Alpha beta gamma delta.\n"
    ms = read_text("x.md", data=data)
    notes = [Note(0, 0, 10, "A"), Note(0, 6, 16, "B"), Note(0, 17, 22, "C")]
    out, n = annotate_text(data, ms.blocks, notes)
    assert n == 3
    assert out == b"{==Alpha beta gamma==}{>>A<<}{>>B<<} {==delta==}{>>C<<}.\n"


def test_markdown_heading_column_and_cp1252() -> None:
    data = "## Résumé heading\n\nCaf\xe9 text here.\n".encode("cp1252")
    ms = read_text("x.md", data=data)
    out, _ = annotate_text(data, ms.blocks, [Note(0, 0, 6, "h"), Note(1, 5, 9, "w <<} odd")])
    assert out.decode("cp1252") == "## {==Résumé==}{>>h<<} heading\n\nCafé {==text==}{>>w << } odd<<} here.\n"


def test_existing_foreign_output_is_not_overwritten(tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text("# Title\n\nText [1].\n\n# References\n\n1. A. Author. A title. J. 2020.\n")
    (tmp_path / "a.refcheck.md").write_text("mine\n")
    with pytest.raises(InputError, match="--force"):
        annotate_file(src, None, Config())
    assert (tmp_path / "a.refcheck.md").read_text() == "mine\n"
