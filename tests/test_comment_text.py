"""What an editor reads in the margin: short comments, one per sentence, a summary that
says where to start — on the example's DOCX forms and the corpus's Word manuscripts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from annotate_helpers import docx_anchored
from conftest import CORPUS, EXAMPLE_FILES

from refcheck.annotate import annotate_file, build_notes, comment_text, group_findings, group_text
from refcheck.confidence import DEFAULT_MIN, visible
from refcheck.config import Config
from refcheck.engine import check_file

WORD_REVIEWS = ["kgreview__manuscript.docx", "deeprules__manuscript.docx", "metareview__manuscript-orig.docx"]
MAX_COMMENT_WORDS = 60  # a finding's comment: message and fix, two or three lines
MAX_SUMMARY_WORDS = 80


def _inputs() -> list[Path]:
    files = [EXAMPLE_FILES[k] for k in ("docx", "superscript", "autonumbered")]
    return files + [CORPUS / "docx" / name for name in WORD_REVIEWS]


@pytest.fixture(params=_inputs(), ids=lambda p: p.name)
def annotated(request, tmp_path: Path):
    src: Path = request.param
    if not src.exists():
        pytest.skip(f"corpus file {src} is absent")
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    out, result = annotate_file(copy, None, Config())
    return out, result


def test_comments_are_short_one_per_sentence_and_the_summary_says_where_to_start(annotated) -> None:
    out, result = annotated
    ms = result.manuscript
    shown = visible(result.findings, DEFAULT_MIN)  # comments carry the findings of min-confidence medium
    comments = [body for author, body, _ in docx_anchored(out).values() if author == "refcheck"]
    summary, rest = comments[0], comments[1:]
    assert summary.startswith(f"refcheck: {len(shown)} finding")
    assert "Start here:" in summary and "\n1. " in summary and " in " in summary
    assert len(summary.split()) <= MAX_SUMMARY_WORDS, summary
    # the most serious rule first, with its count and where its comments are
    first_rule = summary.split("\n1. ", 1)[1].split(" ", 1)[0]
    assert first_rule in {f.code for f in shown}
    for body in rest:
        assert len(body.split()) <= MAX_COMMENT_WORDS, body
    # one comment per sentence: no two notes in the same sentence
    keys = []
    for note in build_notes(ms, shown, summary=False):
        sentence = next((s.start for s in ms.sentences_in(note.block) if s.start <= note.start < s.end), -1)
        keys.append((note.block, sentence))
    assert len(keys) == len(set(keys)) == len(rest)
    # a reference title once
    for f in shown:
        title = (f.data.get("reference_title") or "").strip()
        if title:
            body = next(b for b in rest if f"{f.code} {f.name}" in b and f"Reference {f.references[0]} " in b)
            assert body.lower().count(title[:24].lower()) == 1, body


def test_example_comments_say_each_thing_once() -> None:
    result = check_file(EXAMPLE_FILES["txt"], Config())
    groups = group_findings(result.manuscript, result.findings)
    # a message that already says what to do gets no second "Fix:" line
    attribution = next(f for f in result.findings if f.code == "RC401")
    assert attribution.message.rstrip().endswith("Cite the studies meant.")
    assert "Fix:" not in comment_text(attribution)
    hype = next(f for f in result.findings if f.code == "RC301")
    assert comment_text(hype).count("Fix: ") == 1 and hype.suggestion in comment_text(hype)
    # a sentence with hype and an uncited attribution: one comment naming both rules
    both = next(g for g in groups if {f.code for f in g} == {"RC301", "RC401"})
    text = group_text(both)
    assert "RC301 unsupported-superlative:" in text and "RC401 uncited-attribution:" in text
    assert text.count("\n") == 2  # two findings and one fix line
    # a heading the comment sits on is not quoted again
    section = next(f for f in result.findings if f.code == "RC402")
    assert f"“{section.text.strip()}”" not in comment_text(section) and "This section" in comment_text(section)


def test_same_rule_twice_in_a_sentence_says_the_shared_ending_once() -> None:
    """Two findings of one rule in one comment: the shared end of their messages
    ("… attributes the claim to published research, but the sentence cites none. Cite
    the studies meant.") is said once, after both flagged phrases."""
    result = check_file(EXAMPLE_FILES["txt"], Config())
    two = [f for f in result.findings if f.code == "RC401"][:2]
    text = group_text(two)
    tail = "attributes the claim to published research"
    assert text.count(tail) == 1 and all(f"“{f.text}”" in text for f in two)
    assert text.startswith("RC401 uncited-attribution: ") and text.count("RC401") == 1
