"""Relevance scoring (RC201/RC202): the scorer, abbreviations, the plugin hook and measured quality.

The quality figures are computed here by the same functions that
benchmarks/relevance_quality.py prints; nothing is hard-coded for the example.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import CORPUS, EXAMPLE_FILES, ROOT

from refcheck.analysis.abbreviations import best_long_form, expansion_map, find_abbreviations
from refcheck.engine import check, read_manuscript
from refcheck.model import Block, BlockKind
from refcheck.relevance import LexicalScorer, Match, Scorer, get_scorer, terms

sys.path.insert(0, str(ROOT / "benchmarks"))
import relevance_quality as rq  # noqa: E402


def _block(text: str) -> Block:
    return Block(index=0, kind=BlockKind.PARAGRAPH, text=text)


def test_schwartz_hearst_definitions() -> None:
    found = find_abbreviations([_block(
        "Acute liver failure (ALF) is severe. Human umbilical cord mesenchymal stem cells "
        "(hUC-MSCs) help, as do hepatocyte-like cells (HLCs); values (n = 5) and (see above) are no definitions."
    )])
    got = {a.short: a.long for a in found}
    assert got == {
        "ALF": "Acute liver failure",
        "hUC-MSCs": "Human umbilical cord mesenchymal stem cells",
        "HLCs": "hepatocyte-like cells",
    }
    assert expansion_map(found)["hUC-MSC"] == "Human umbilical cord mesenchymal stem cell"
    assert best_long_form("XYZ", "nothing matching here") is None


def test_terms_expand_abbreviations_and_lemmatise() -> None:
    got = terms("hUC-MSCs in ALF livers", {"hUC-MSCs": "human umbilical cord mesenchymal stem cells",
                                           "ALF": "acute liver failure"})
    assert got == ["human", "umbilical", "cord", "mesenchymal", "stem", "cell", "acute", "liver", "failure", "liver"]


def test_subword_overlap_and_generic_words() -> None:
    scorer = LexicalScorer()
    hepatic, generic, nothing = scorer.score(
        [("Hepatocyte injury in the liver", 1.0)],
        [[("Hepatoprotective effects of an extract", 1.0)],
         [("A study of the effect of therapy: research progress", 1.0)],
         [("Smooth muscle migration", 1.0)]],
    )
    assert "hepatoprotective" in hepatic.shared and hepatic.score > 0.1
    assert generic.mass < 0.6  # only generic words: too little to judge
    assert nothing.score == 0 and nothing.shared == ()


def test_findings_explain_themselves() -> None:
    result = check(EXAMPLE_FILES["txt"])
    rc201 = [f for f in result.findings if f.code == "RC201"]
    rc202 = [f for f in result.findings if f.code == "RC202"]
    assert rc201 and rc202
    for f in rc201 + rc202:
        assert "relevance" in f.message and "is about" in f.message
        assert ("share only" in f.message) or ("share no distinctive term" in f.message)
        assert f.data["reference_title"] and isinstance(f.data["score"], float)
    for f in rc202:  # anchored on the citation, naming only mismatched references
        assert f.text.startswith("[") and set(f.references) <= set(_numbers(f.text))


def _numbers(text: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r"\d+", text)]


class _FixedScorer:
    """A stand-in plugin scorer that calls every mesenchymal-stem-cell title unrelated."""

    name = "fixed"

    def __init__(self) -> None:
        self.calls = 0

    def score(self, query, candidates, abbreviations=None):  # noqa: ANN001, ANN201
        self.calls += 1
        out = []
        for parts in candidates:
            text = " ".join(t for t, _ in parts).lower()
            s = 0.0 if "mesenchymal" in text else 0.9
            out.append(Match(s, 1.0, (), ("fixed",), ("fixed",)))
        return out


def test_plugin_scorer_replaces_the_lexical_one() -> None:
    assert isinstance(get_scorer({}), LexicalScorer)
    fixed = _FixedScorer()
    assert isinstance(fixed, Scorer)
    with rq.scorer_plugin(fixed):
        assert get_scorer({}) is fixed
        result = check(EXAMPLE_FILES["txt"])
    assert fixed.calls > 0
    flagged = {n for f in result.findings if f.code == "RC201" for n in f.references}
    ms = read_manuscript(EXAMPLE_FILES["txt"])
    msc = {r.number for r in ms.references if "mesenchymal" in (r.title or r.text).lower()}
    assert flagged == msc  # the plugin's judgement; the lexical scorer rates these highest
    assert isinstance(get_scorer({}), LexicalScorer)  # unregistered again


def test_example_precision_and_recall() -> None:
    ex = rq.example_quality()
    assert ex.precision >= 0.9, ex
    assert ex.recall >= 0.8, ex


@pytest.mark.corpus
def test_real_articles_false_alarms_and_swaps() -> None:
    if not (CORPUS / "jats").is_dir():
        pytest.skip("corpus absent")
    cq = rq.corpus_quality()
    assert cq.articles >= 10
    assert cq.false_alarm_rate <= 0.05, cq.per_article
    assert cq.swap_recall >= 0.8, cq


@pytest.mark.corpus
def test_300_references_score_well_under_a_second() -> None:
    if not (CORPUS / "jats").is_dir():
        pytest.skip("corpus absent")
    n, seconds = rq.scoring_time()
    assert n == 300
    assert seconds < 0.75


def test_weights_file_has_provenance() -> None:
    text = (Path(ROOT) / "rules" / "lexicons" / "term_weights.tsv").read_text("utf-8")
    assert "Generated by benchmarks/build_term_weights.py" in text
    weights = LexicalScorer().weights
    assert weights["study"] < 0.2 < weights.get("hepatocyte", 1.0)
