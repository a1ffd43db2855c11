"""Markdown manuscripts as authors keep them in git: a YAML metadata block (pandoc,
Quarto, R Markdown) and pandoc citation keys ("[@smith2020]") instead of numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from refcheck.analysis.citations import find_citations
from refcheck.annotate import annotate_file
from refcheck.config import Config
from refcheck.engine import check_file, read_manuscript
from refcheck.fix import renumber_file
from refcheck.model import Block, BlockKind, InputError
from refcheck.reporters.criticmarkup import strip_criticmarkup
from tests.conftest import require_client

PAPER = """---
title: "Bile acids: a remarkable pathway"
author: [A. Author, B. Author]
abstract: |
  Studies demonstrate that bile acids are crucial.

  A second paragraph of the abstract.
keywords: [bile acids, liver]
bibliography: refs.bib
---

# Introduction

Studies demonstrate that bile acids are synthesised in hepatocytes [@russell2003; @hofmann1999].
This remarkable pathway is crucial for lipid digestion.
As @hofmann1999 showed, conjugation precedes secretion. Write to lab@example.org for data.

# References
"""


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    path = tmp_path / "paper.md"
    path.write_text(PAPER, "utf-8")
    return path


def test_metadata_block_gives_title_abstract_keywords_and_keeps_body_lines(paper: Path) -> None:
    ms = read_manuscript(paper)
    kinds = [(b.kind, b.text) for b in ms.blocks[:4]]
    assert kinds == [
        (BlockKind.TITLE, "Bile acids: a remarkable pathway"),
        (BlockKind.ABSTRACT, "Studies demonstrate that bile acids are crucial."),
        (BlockKind.ABSTRACT, "A second paragraph of the abstract."),
        (BlockKind.KEYWORDS, "Keywords: bile acids; liver"),
    ]
    assert ms.title == "Bile acids: a remarkable pathway"
    assert not any("bibliography" in b.text or "---" in b.text for b in ms.blocks)
    body = next(b for b in ms.blocks if "synthesised" in b.text)
    assert body.source.first_real(0, 1) == (14, 0)  # line numbers of the file, front matter counted


@pytest.mark.parametrize("text", [
    "---\ntitle: [unclosed\n---\n\n# Introduction\n\nText here.\n",  # not YAML
    "---\n\nA paragraph after a rule.\n\n---\n",  # a horizontal rule, not metadata
    "---\n- a list\n- not a mapping\n---\n\nText here.\n",
])
def test_what_is_not_a_metadata_block_is_read_as_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.md"
    path.write_text(text, "utf-8")
    ms = read_manuscript(path)
    assert not any(b.kind is BlockKind.KEYWORDS for b in ms.blocks)
    assert ms.blocks  # read, no error


def _cites(text: str) -> list[tuple[str, tuple[str, ...]]]:
    found, _style = find_citations([Block(0, BlockKind.PARAGRAPH, text)])
    return [(c.text, c.authors_year) for c in found]


def test_pandoc_citation_forms() -> None:
    assert _cites("Shown before [@smith2020; @jones:2021a, p. 3].") == \
        [("[@smith2020; @jones:2021a, p. 3]", ("smith2020", "jones:2021a"))]
    assert _cites("As [see @a_b, chap. 2; -@c.d] says.") == [("[see @a_b, chap. 2; -@c.d]", ("a_b", "c.d"))]
    assert _cites("Cited [@{10.1000/xyz-2020}] here.") == [("[@{10.1000/xyz-2020}]", ("10.1000/xyz-2020",))]
    # in-text keys count once the document uses bracketed ones
    assert _cites("@smith2020 showed it [@jones2021]. Mail me@example.org.") == \
        [("@smith2020", ("smith2020",)), ("[@jones2021]", ("jones2021",))]
    assert _cites("Mail lab@example.org or @someone.") == []  # no bracketed key: no citation
    assert _cites("See [the manual](mailto:lab@example.org).") == []


def test_no_false_alarms_where_keys_cite_and_the_real_ones_remain(paper: Path) -> None:
    result = check_file(paper)
    body = [f for f in result.findings if f.code in ("RC301", "RC401") and result.manuscript.blocks[f.block].kind is BlockKind.PARAGRAPH]
    # the uncited sentence only, as one finding naming both of its evaluative words
    assert [(f.text, f.data["words"]) for f in body] == [("remarkable", ["remarkable", "crucial"])]
    abstract = [f for f in result.findings if result.manuscript.blocks[f.block].kind is BlockKind.ABSTRACT]
    # "Studies demonstrate that bile acids are crucial." in the abstract: abstracts carry
    # no citations (RC401 does not judge them) and "crucial" alone is not promotional.
    assert abstract == []
    assert result.manuscript.citation_style == "key"


def test_annotated_copy_keeps_the_metadata_block_whole(paper: Path) -> None:
    # every finding as a comment (a lone hype word is low confidence): this is about the YAML
    out, result = annotate_file(paper, None, Config(min_confidence="low"))
    written = out.read_text("utf-8")
    assert strip_criticmarkup(written) == PAPER  # comments only; the text is the input's
    front = PAPER.split("---\n")[1]
    assert written.split("---\n")[1] == front  # nothing inside the YAML
    assert yaml.safe_load(written.split("---\n")[1]) == yaml.safe_load(front)
    assert written.count("{>>") == len(result.findings) + 1  # the summary too
    pandoc = require_client("pandoc", "pandoc reads the annotated Markdown")
    meta = subprocess.run([pandoc, "-f", "markdown", "-t", "plain", "--standalone", "--template",
                           str(_template(out.parent)), str(out)], capture_output=True, text=True, check=True).stdout
    assert meta.strip() == "Bile acids: a remarkable pathway"


def _template(folder: Path) -> Path:
    path = folder / "title.plain"
    path.write_text("$title$\n", "utf-8")
    return path


def test_renumbering_refuses_citation_keys(paper: Path) -> None:
    with pytest.raises(InputError, match="pandoc citation keys"):
        renumber_file(paper, None, Config())


BIB = """@string{hep = "Hepatology"}
@comment{not an entry}
@article{russell2003,
  title = {The enzymes, regulation, and genetics of bile acid synthesis},
  journal = hep, year = {2003}
}
@Book{ hofmann1999 ,
  title = "The continuing importance of bile acids",
}
"""


def _keyed(tmp_path: Path, bibliography: str, body: str) -> list:
    path = tmp_path / "keyed.md"
    path.write_text(f"---\ntitle: Bile acids\nbibliography: {bibliography}\n---\n\n# Introduction\n\n{body}\n", "utf-8")
    return [f for f in check_file(path).findings if f.code == "RC102"]


def test_citation_keys_are_checked_against_a_bibtex_file(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(BIB, "utf-8")
    found = _keyed(tmp_path, "refs.bib", "Bile acids come from cholesterol [@russel2003; @hofmann1999]. "
                                       "They are conjugated [@russell2003]. Also [@nobody2020].")
    assert [(f.text, f.data["keys"], f.data["closest"]) for f in found] == [
        ("[@russel2003; @hofmann1999]", ["russel2003"], ["russell2003"]),
        ("[@nobody2020]", ["nobody2020"], []),
    ]
    assert "closest: russell2003" in found[0].message and "2 entries" in found[0].message  # @string/@comment are no entries


@pytest.mark.parametrize("name, content", [
    ("refs.json", '[{"id": "russell2003", "title": "x"}, {"id": "hofmann1999"}]'),
    ("refs.yaml", "references:\n- id: russell2003\n- id: hofmann1999\n"),
])
def test_csl_json_and_yaml_bibliographies(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, "utf-8")
    found = _keyed(tmp_path, f"[{name}]", "Known [@russell2003; @hofmann1999]. Unknown [@nobody2020].")
    assert [f.data["keys"] for f in found] == [["nobody2020"]]


def test_a_missing_or_broken_bibliography_is_said_once(tmp_path: Path) -> None:
    found = _keyed(tmp_path, "missing.bib", "Known [@russell2003]. Again [@hofmann1999].")
    assert len(found) == 1 and "cannot be read (no such file)" in found[0].message
    (tmp_path / "bad.json").write_text("{not json", "utf-8")
    found = _keyed(tmp_path, "bad.json", "Known [@russell2003].")
    assert len(found) == 1 and "bad.json" in found[0].message


QUARTO = """---
title: Bile acids in mice
---

# Methods

We fitted a model [@russell2003].

```{r}
#| label: fit
# the best model is crucial
fit <- lm(y ~ x)  # remarkable
```

<!-- An unsupported, remarkable claim switched off
for now: studies show it is crucial. -->

Results follow; the effect was remarkable.
"""


@pytest.mark.parametrize("suffix", [".qmd", ".Rmd", ".md"])
def test_code_chunks_and_html_comments_are_not_prose(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"analysis{suffix}"
    path.write_text(QUARTO, "utf-8")
    result = check_file(path)
    assert result.manuscript.format == "markdown"
    assert [b.text for b in result.manuscript.blocks[1:]] == [
        "Methods", "We fitted a model [@russell2003].", "Results follow; the effect was remarkable."]
    assert [(f.code, f.text, f.line) for f in result.findings] == [("RC301", "remarkable", 18)]


def test_an_unclosed_fence_or_comment_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "odd.md"
    path.write_text("# Intro\n\n```\nThis remarkable text has no closing fence.\n\n<!-- nor does this remarkable one\n", "utf-8")
    texts = [b.text for b in read_manuscript(path).blocks]
    assert any("no closing fence" in t for t in texts) and any("nor does this" in t for t in texts)


def test_a_yaml_alias_bomb_in_the_metadata_block_is_capped(tmp_path: Path) -> None:
    """A short block whose aliases expand to gigabytes ("billion laughs" in YAML)."""
    path = tmp_path / "bomb.md"
    keywords = ", ".join(["*a"] * 20000)
    path.write_text(f'---\ntitle: &a "{"x" * 100000}"\nkeywords: [{keywords}]\nabstract: *a\n---\n\nText.\n', "utf-8")
    ms = read_manuscript(path)
    assert [b.kind for b in ms.blocks[:3]] == [BlockKind.TITLE, BlockKind.ABSTRACT, BlockKind.KEYWORDS]
    assert max(len(b.text) for b in ms.blocks) <= 20_100


BROKEN_BIB = """@article{smith2020,
  title = {Liver failure in adults},
  author = {Smith, John},
  journal = {Hepatology},
  year = {2020}
}
@article{broken2019,
  title = {An {unbalanced title,
  author = {Doe, Jane},
  year = {2019}
}
"""


@pytest.mark.parametrize(("key", "title"), [("smith2020", "Liver failure in adults"), ("broken2019", None)])
def test_a_broken_bibtex_entry_is_skipped_quietly(tmp_path: Path, key: str, title: str | None) -> None:
    """Only the cited entries are parsed in full, so a broken uncited one costs nothing;
    a broken cited one is listed by its key, and bibtexparser's log line about it does
    not reach the user's terminal."""
    (tmp_path / "refs.bib").write_text(BROKEN_BIB, "utf-8")
    (tmp_path / "ms.md").write_text(f"---\ntitle: A test\nbibliography: refs.bib\n---\n\n# Introduction\n\n"
                                    f"Liver failure is common [@{key}].\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "check", str(tmp_path / "ms.md")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and proc.stderr == ""
    refs = read_manuscript(tmp_path / "ms.md").references
    assert [r.title for r in refs] == [title]


def test_only_cited_bibtex_entries_are_parsed_in_full() -> None:
    from refcheck.readers.text import citation_keys

    text = "---\nnocite: |\n  @extra\n---\nAs shown [@smith2020, p. 3; @doe:2019]. @jones-2018. Mail me@example.org."
    assert citation_keys(text) == frozenset({"smith2020", "doe:2019", "jones-2018", "extra"})
    assert citation_keys("---\nnocite: '@*'\n---\nText [@a].") is None
