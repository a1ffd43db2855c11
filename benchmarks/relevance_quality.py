"""How well RC201/RC202 do: example precision/recall, real-article false alarms, swaps caught, speed.

Run: ``.venv/bin/python benchmarks/relevance_quality.py`` (about half a minute).
tests/test_relevance.py calls the same functions and checks the targets, so the
figures in the README ("Topical relevance") are the ones this script prints.

* Example — examples/seed-review.txt against the hand labels in
  tests/relevance_labels.yml; a reference counts as flagged when RC201 flags it or
  RC202 names it at any of its citations.
* False alarms — the share of the references of the real articles in
  ../shared/corpus/jats that RC201 flags (the articles' bibliographies are taken
  as correct).  Weights are leave-one-out: the article under test is left out of
  the term-weight statistics, so the figure is not flattered by having seen it.
* Swaps — in each article, 3 reference titles (and journals) chosen at random
  (fixed seed) are replaced by titles from another, randomly chosen article of the
  corpus; the share that RC201 (or RC202 at their citations) flags is measured.
* Speed — RC201 + RC202 on a 300-reference manuscript (the 459-reference malaria
  meta-analysis cut to its first 300 references and the citations to them).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_term_weights import (  # noqa: E402
    build,
    corpus_files,
    english_probabilities,
)
from relevance_corpus import Article, load_article  # noqa: E402

from refcheck.analysis.scorer import LexicalScorer, clear_term_cache, stem_key, terms  # noqa: E402
from refcheck.config import Config  # noqa: E402
from refcheck.engine import read_manuscript, run_rules  # noqa: E402
from refcheck.model import Manuscript  # noqa: E402
from refcheck.plugins import get_plugin_manager, hookimpl  # noqa: E402

EXAMPLE = ROOT / "examples" / "seed-review.txt"
LABELS = ROOT / "tests" / "relevance_labels.yml"
RELEVANCE = Config(select=["RC201", "RC202"])
SWAPS_PER_ARTICLE = 3
PASTED_SHARE = 0.25  # a quarter of the cited works replaced: a bibliography pasted from another field
SEED = 20250808


def relevance_findings(ms: Manuscript) -> tuple[set[int], set[int]]:
    """Reference numbers flagged by RC201 and by RC202."""
    rc201, rc202, _ = graded_findings(ms)
    return rc201, rc202


def graded_findings(ms: Manuscript) -> tuple[set[int], set[int], set[int]]:
    """Reference numbers flagged by RC201, by RC202, and by RC202 at warning severity."""
    rc201: set[int] = set()
    rc202: set[int] = set()
    warned: set[int] = set()
    for f in run_rules(ms, RELEVANCE):
        (rc201 if f.code == "RC201" else rc202).update(f.references)
        if f.code == "RC202" and f.severity.value != "info":
            warned.update(f.references)
    return rc201, rc202, warned


# -- example --------------------------------------------------------------------------


@dataclass
class ExampleResult:
    precision: float
    recall: float
    flagged: list[int]
    positives: list[int]
    rc201: list[int]
    rc202: list[int]
    unrelated_recall: float = 0.0


def unsupported_labels() -> tuple[set[int], set[int]]:
    """(unsupported, unrelated): a reference is unsupported when it is unrelated to the
    review or fits none of the sentences citing it ("fits: no"; YAML reads no as False)."""
    labels = yaml.safe_load(LABELS.read_text("utf-8"))["references"]
    unrelated = {int(n) for n, v in labels.items() if v["unrelated"]}
    misfit = {int(n) for n, v in labels.items() if any(x in (False, "no") for x in (v.get("fits") or {}).values())}
    return unrelated | misfit, unrelated


def example_quality() -> ExampleResult:
    """Precision and recall of RC201 ∪ RC202 against the unsupported references."""
    positives, unrelated = unsupported_labels()
    rc201, rc202 = relevance_findings(read_manuscript(EXAMPLE))
    flagged = rc201 | rc202
    tp = len(flagged & positives)
    return ExampleResult(
        precision=tp / len(flagged) if flagged else 1.0,
        recall=tp / len(positives),
        flagged=sorted(flagged), positives=sorted(positives),
        rc201=sorted(rc201), rc202=sorted(rc202),
        unrelated_recall=len(flagged & unrelated) / len(unrelated),
    )


# -- corpus ---------------------------------------------------------------------------


def corpus_articles(min_references: int = 10) -> list[Article]:
    """Real articles with numbered references (author-year ones have no numbers to cite)."""
    out = []
    for path in corpus_files():
        art = load_article(path)
        ms = art.manuscript
        numbered = [r for r in ms.references if r.number is not None and r.title]
        if len(numbered) >= min_references:
            out.append(art)
    return out


class _Weights:
    """Leave-one-out term weights: the statistics without the article being tested."""

    def __init__(self, articles: list[Article]):
        self.articles = articles
        self.texts = [a.full_text for a in articles]
        vocab: set[str] = set()
        for t in self.texts:
            got = set(terms(t))
            vocab |= got | {k for w in got if (k := stem_key(w))}
        self.english = english_probabilities(vocab)

    def without(self, index: int) -> dict[str, float]:
        return build([t for i, t in enumerate(self.texts) if i != index], self.english)


@contextmanager
def scorer_plugin(scorer: object) -> Iterator[None]:
    """Register a plugin whose scorer wins over the built-in one, for the duration."""

    class _Plugin:
        @hookimpl
        def refcheck_relevance_scorer(self, config):  # noqa: ANN001, ANN202
            return scorer

    pm = get_plugin_manager()
    plugin = _Plugin()
    pm.register(plugin)
    try:
        yield
    finally:
        pm.unregister(plugin)


@dataclass
class CorpusResult:
    articles: int
    references: int
    rc201_flags: int
    rc202_flags: int
    rc202_warnings: int
    per_article: list[tuple[str, int, int]]
    swaps: int
    swaps_caught_rc201: int
    swaps_caught_any: int
    pasted: int = 0
    pasted_caught: int = 0

    @property
    def false_alarm_rate(self) -> float:
        return self.rc201_flags / self.references

    @property
    def any_flag_rate(self) -> float:
        """References named by RC201 or RC202 at all, over all references."""
        return (self.rc201_flags + self.rc202_flags) / self.references

    @property
    def pasted_recall(self) -> float:
        return self.pasted_caught / self.pasted if self.pasted else 0.0

    @property
    def rc202_rate(self) -> float:
        return self.rc202_flags / self.references

    @property
    def swap_recall(self) -> float:
        return self.swaps_caught_rc201 / self.swaps if self.swaps else 0.0

    @property
    def swap_recall_any(self) -> float:
        return self.swaps_caught_any / self.swaps if self.swaps else 0.0


def swapped(ms: Manuscript, donors: list[Manuscript], rng: random.Random,
            share: float | None = None) -> tuple[Manuscript, set[int]]:
    """``ms`` with SWAPS_PER_ARTICLE cited reference titles (or ``share`` of them: a
    pasted-in block of another field's references) replaced by another article's titles."""
    cited = {n for c in ms.citations for n in c.numbers}
    pool = [r for r in ms.references if r.number in cited and r.title]
    k = max(SWAPS_PER_ARTICLE, round(share * len(pool))) if share else SWAPS_PER_ARTICLE
    chosen = rng.sample(pool, min(k, len(pool)))
    donor = rng.choice(donors)
    donor_refs = [r for r in donor.references if r.title]
    new = {}
    for r in chosen:
        d = rng.choice(donor_refs)
        new[r.number] = replace(r, title=d.title, journal=d.journal)
    refs = tuple(new.get(r.number, r) for r in ms.references)
    return replace(ms, references=refs), set(new)


def corpus_quality(leave_one_out: bool = True) -> CorpusResult:
    articles = corpus_articles()
    weights = _Weights(articles) if leave_one_out else None
    rng = random.Random(SEED)
    refs = f201 = f202 = w202 = swaps = caught = caught_any = pasted = pasted_caught = 0
    per: list[tuple[str, int, int]] = []
    for i, art in enumerate(articles):
        ms = art.manuscript
        scorer = LexicalScorer(weights.without(i)) if weights else LexicalScorer()
        with scorer_plugin(scorer):
            rc201, rc202, warned = graded_findings(ms)
            donors = [a.manuscript for j, a in enumerate(articles) if j != i]
            sw, truth = swapped(ms, donors, rng)
            s201, s202 = relevance_findings(sw)
            pw, ptruth = swapped(ms, donors, rng, share=PASTED_SHARE)
            p201, p202 = relevance_findings(pw)
        pasted += len(ptruth)
        pasted_caught += len(ptruth & (p201 | p202))
        n = len(ms.references)
        refs += n
        f201 += len(rc201)
        f202 += len(rc202)
        w202 += len(warned)
        per.append((art.path.name, n, len(rc201)))
        swaps += len(truth)
        caught += len(truth & s201)
        caught_any += len(truth & (s201 | s202))
    return CorpusResult(len(articles), refs, f201, f202, w202, per, swaps, caught, caught_any, pasted, pasted_caught)


# -- one title from an unrelated field ----------------------------------------------

UNRELATED_PER_ARTICLE = 10
FIELDS = ROOT / "benchmarks" / "fields"
#: The fields of the manuscripts whose .bib files ../shared/corpus holds (latex/ and
#: markdown/), decided from each manuscript: their titles are donors too.  (The
#: deep-learning-in-cardiology review is left out: it is computing and medicine at once.)
CORPUS_BIB_FIELDS = {
    "DominiqueGravel__ms_neutral_theory": "life", "cl445__misestimation_mri_mdd": "life",
    "dilawar__SinghAndBhalla_CaMKII_SubunitExchange_2018": "life", "jordanmuraskin__FCH-NI": "life",
    "joshuablake__COVID-incidence-paper": "life", "knkiers__ttH": "physics", "lh3__minimap2": "life",
    "AlexanderLabWHOI__EUKulele": "life",
    "MitchellAcoustics__JASAEL-HowToAnalyseQuantiativeSoundscapeData": "engineering",
    "RemkoDuursma__duursma2015plosone": "life", "dhicks__p_curve": "statistics",
}


def donor_titles() -> dict[str, list[str]]:
    """Field -> English titles that the field model was never trained on, from the shared
    corpus's .bib files (by their manuscript's field) and the repositories that
    benchmarks/build_field_model.py holds out, each judged blind to be of that field."""
    from build_field_model import HELD_OUT, external_titles
    from build_term_weights import CORPUS

    from refcheck.analysis.subjects import reference_title_lemmas
    from refcheck.model import Reference
    from refcheck.readers.bibliography import parse_bibtex

    def usable(title: str) -> bool:
        return reference_title_lemmas(Reference(None, 0, "", title=title), {}) is not None

    out: dict[str, list[str]] = {}
    for bib in sorted([*CORPUS.parent.glob("latex/*/*.bib"), *CORPUS.parent.glob("markdown/*/*.bib")]):
        field = CORPUS_BIB_FIELDS.get(bib.parent.name)
        if field is None:
            continue
        try:
            items = parse_bibtex(bib.read_text("utf-8", errors="replace"))
        except Exception:  # noqa: BLE001 - a .bib the parser refuses is simply not a donor
            continue
        out.setdefault(field, []).extend(str(i["title"]) for i in items if i.get("title") and usable(str(i["title"])))
    for field, repo, title in external_titles():
        if HELD_OUT.get(field) == repo and usable(title):
            out.setdefault(field, []).append(title)
    judged = donor_judgements()
    return {f: sorted({t for t in ts if judged.get(" ".join(t.split())) == f}) for f, ts in out.items()}


def donor_judgements() -> dict[str, str]:
    """Title -> the field an editor-judge gave it, blind (benchmarks/fields/donor_labels.tsv).
    A bibliography's field is its manuscript's; a title in it ("Learning with Kernels"
    in a linguistics book) need not be that field's, so only titles the judge put in
    their source's field are donors."""
    lines = [line.split("\t") for line in (FIELDS / "donor_labels.tsv").read_text("utf-8").splitlines()
             if line and not line.startswith("#")]
    return {r[0]: r[1] for r in lines[1:] if len(r) == 2}


def recipient_fields() -> dict[str, set[str]]:
    """Article file stem -> its fields (benchmarks/fields/recipients.tsv)."""
    rows = [line.split("\t") for line in (FIELDS / "recipients.tsv").read_text("utf-8").splitlines()
            if line and not line.startswith("#")]
    return {r[0]: set(r[1].split(",")) for r in rows[1:]}


def unrelated_swap_recall() -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(caught, tried, per donor field): in each article, ``UNRELATED_PER_ARTICLE`` cited
    references in turn get the title of a work from a field the article is not in
    (benchmarks/fields/recipients.tsv; the fields taken in rotation, statistics never,
    since any empirical paper may cite a statistical method); caught when RC201 or
    RC202 names that reference (issue #14's measure)."""
    articles = corpus_articles()
    weights = _Weights(articles)
    donors = donor_titles()
    fields_of = recipient_fields()
    rng = random.Random(SEED)
    caught = tried = 0
    per_field: dict[str, list[int]] = {}
    for i, art in enumerate(articles):
        ms = art.manuscript
        own = fields_of[art.path.stem]
        unrelated = sorted(f for f in donors if f not in own and f != "statistics")
        cited = {n for c in ms.citations for n in c.numbers}
        pool = [r for r in ms.references if r.number in cited and r.title]
        with scorer_plugin(LexicalScorer(weights.without(i))):
            for k, r in enumerate(rng.sample(pool, min(UNRELATED_PER_ARTICLE, len(pool)))):
                field = unrelated[k % len(unrelated)]
                title = rng.choice(donors[field])
                refs = tuple(replace(x, title=title, journal=None) if x.number == r.number else x
                             for x in ms.references)
                rc201, rc202 = relevance_findings(replace(ms, references=refs))
                hit = r.number in (rc201 | rc202)
                tried += 1
                caught += hit
                tally = per_field.setdefault(field, [0, 0])
                tally[0] += hit
                tally[1] += 1
    return caught, tried, {f: (c, n) for f, (c, n) in sorted(per_field.items())}


# -- speed ----------------------------------------------------------------------------


def scoring_time(n_refs: int = 300, repeat: int = 3) -> tuple[int, float]:
    """Seconds for RC201 + RC202 on a manuscript with ``n_refs`` references (best of ``repeat``)."""
    big = max(corpus_articles(), key=lambda a: len(a.manuscript.references)).manuscript
    refs = tuple(r for r in big.references if r.number is not None and r.number <= n_refs)
    cites = tuple(c for c in big.citations if all(n <= n_refs for n in c.numbers))
    ms = replace(big, references=refs, citations=cites)
    relevance_findings(ms)  # load the lemma table and weights once, as a long-lived process would
    best = float("inf")
    for _ in range(repeat):
        clear_term_cache()  # measure real term extraction, not the cache
        ms.cache.relevance.clear()  # nor the evidence kept from the last run
        t = time.perf_counter()
        relevance_findings(ms)
        best = min(best, time.perf_counter() - t)
    return len(refs), best


def main() -> None:
    ex = example_quality()
    print("Example (examples/seed-review.txt, 32 references, hand labels in tests/relevance_labels.yml)")
    print(f"  unrelated references (labels): {ex.positives}")
    print(f"  flagged by RC201: {ex.rc201}")
    print(f"  flagged by RC202: {ex.rc202}")
    print(f"  against the unsupported references: precision {ex.precision:.2f}  recall {ex.recall:.2f}; "
          f"recall of the unrelated ones {ex.unrelated_recall:.2f}")
    cq = corpus_quality()
    print(f"Real articles (../shared/corpus/jats, {cq.articles} articles, {cq.references} references, leave-one-out weights)")
    for name, n, f in cq.per_article:
        print(f"  {name[:60]:60s} {n:4d} refs  RC201 {f}")
    print(f"  RC201 false-alarm rate {cq.false_alarm_rate:.1%} ({cq.rc201_flags}/{cq.references})")
    print(f"  RC202 citations-to-reference flags: {cq.rc202_flags} references ({cq.rc202_rate:.1%}); "
          f"at warning severity {cq.rc202_warnings} ({cq.rc202_warnings / cq.references:.1%})")
    print(f"  references named by RC201 or RC202: {cq.any_flag_rate:.1%}")
    print(f"  3 swapped-in titles per article caught by RC201 {cq.swap_recall:.1%} ({cq.swaps_caught_rc201}/{cq.swaps}); "
          f"by RC201 or RC202 {cq.swap_recall_any:.1%}")
    print(f"  a quarter of the cited titles swapped in from another article: caught {cq.pasted_recall:.1%} "
          f"({cq.pasted_caught}/{cq.pasted})")
    caught, tried, per_field = unrelated_swap_recall()
    print(f"  one cited title replaced by a title from an unrelated field (issue #14's measure): caught "
          f"{caught / max(tried, 1):.1%} ({caught}/{tried}); by donor field: "
          + ", ".join(f"{f} {c}/{n}" for f, (c, n) in per_field.items()))
    n, secs = scoring_time()
    print(f"Speed: RC201 + RC202 on a {n}-reference manuscript: {secs * 1000:.0f} ms")


if __name__ == "__main__":
    main()
