"""The text/Markdown reader: blocks, headings, joined lines, page breaks, encodings, positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

from refcheck.model import BlockKind, InputError
from refcheck.readers.text import read_text


def _read(tmp_path: Path, text: str | bytes, name: str = "m.md"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return read_text(str(path))


def test_wrapped_lines_join_and_keep_line_column(tmp_path: Path) -> None:
    ms = _read(tmp_path, "# Title here\n\nFirst line of a\n  wrapped paragraph [1].\n\nSecond.\n")
    assert [b.kind for b in ms.blocks] == [BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    para = ms.blocks[1]
    assert para.text == "First line of a wrapped paragraph [1]."
    i = para.text.index("[1]")
    assert para.source.locate(i) == (4, 20)  # line 4, column 20 (0-based) in the file


def test_numbered_headings_and_levels(tmp_path: Path) -> None:
    ms = _read(tmp_path, "2. The subject\n\n2.1. Basic characteristics of cells\n\n2.1.1. Cell origin\n\nBody text here.\n")
    assert [(b.kind, b.level) for b in ms.blocks[:3]] == [(BlockKind.HEADING, 1), (BlockKind.HEADING, 2), (BlockKind.HEADING, 3)]


@pytest.mark.parametrize("entry", ["1. Smith J (2020)", "1. Smith, J. 2020", "1. Lee JH, Park K. Liver 2019",
                                   "1. Doe et al 2019"])
def test_a_short_reference_entry_is_not_a_numbered_heading(tmp_path: Path, entry: str) -> None:
    """Entries separated by blank lines, as pasted from Word: the first, short and with
    no full stop, looked like heading "1." and took the reference list with it."""
    text = (f"Introduction\n\nLiver failure is common [1]. It kills [2].\n\nReferences\n\n{entry}\n\n"
            "2. Doe J. Kidney failure in adults. Nephrology. 2019;3:1-2.\n")
    from refcheck.engine import check

    result = check(text=text, name="m.txt")
    assert [r.number for r in result.manuscript.references] == [1, 2]
    assert not [f for f in result.findings if f.code == "RC102"]
    headings = [b.text for b in _read(tmp_path, text, "m.txt").blocks if b.kind is BlockKind.HEADING]
    assert headings == ["Introduction", "References"]
    assert [b.kind for b in _read(tmp_path, "2.1 Trials since 2010\n\nText.\n").blocks][0] is BlockKind.HEADING


def test_page_break_artefact_is_rejoined_with_footnote_kept(tmp_path: Path) -> None:
    ms = _read(tmp_path, "Cells show remarkable multi-\n\n^{*}Author to whom correspondence should be addressed.\n\ndirectional potential.\n")
    assert ms.blocks[0].text == "Cells show remarkable multi-directional potential."
    assert ms.blocks[1].kind is BlockKind.FOOTNOTE


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_decode(tmp_path: Path, encoding: str) -> None:
    ms = _read(tmp_path, "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 [1].\n".encode(encoding), "m.txt")
    assert ms.blocks[0].text == "Café naïve résumé [1]."


def test_cp1252_quotes(tmp_path: Path) -> None:
    ms = _read(tmp_path, "\u201cQuoted\u201d \u2013 dash.\n".encode("cp1252"), "m.txt")
    assert ms.blocks[0].text == "“Quoted” – dash."


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="binary"):
        _read(tmp_path, bytes(range(256)) * 20, "m.txt")


def test_every_mapped_character_of_the_example_is_where_the_map_says() -> None:
    path = EXAMPLE_FILES["txt"]
    lines = path.read_text("utf-8").split("\n")
    ms = read_text(str(path))
    checked = 0
    for block in ms.blocks:
        for seg in block.source.segments:
            if seg.locator is None:
                assert block.text[seg.start : seg.start + seg.length] == " "
                continue
            line = lines[seg.locator - 1]
            assert line[seg.offset : seg.offset + seg.length] == block.text[seg.start : seg.start + seg.length]
            checked += seg.length
    assert checked > 20000


def test_pandoc_heading_attributes_are_not_the_headings_words(tmp_path: Path) -> None:
    """Manubot/pandoc headings carry attributes: "## Peer review {#peer-review}",
    "# Figures {.page_break_before}", "# Appendix {-}" (a real SORTEE manuscript)."""
    ms = _read(tmp_path, "## Peer review{#peer-review}\n\nText.\n\n# Figures {.page_break_before}\n\nMore.\n\n"
                         "# Appendix {-}\n\nEnd.\n\n# C# and F# ##\n\nCode.\n")
    heads = [b.text for b in ms.blocks if b.kind is BlockKind.HEADING]
    assert heads == ["Peer review", "Figures", "Appendix", "C# and F#"]
    assert ms.blocks[0].source.locate(0) == (1, 3)  # the heading's words where they are in the file
