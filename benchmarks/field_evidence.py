"""Can a reference's title alone show it is from a field unrelated to the manuscript?

Issue #14 asks RC201 to catch ≥ 90 % of single reference titles swapped in from an
unrelated field.  RC201's lexical evidence needs a *pattern* (several odd references)
before it speaks, so a single swap is never reported.  Single-reference evidence needs
field knowledge: that "boson" and "calorimeter" are physics words, "aquifer" an earth
science one.  This script measures the best such evidence built so far, and why
refcheck does not use it.

The classifier: multinomial naive Bayes over title lemmas and their sub-word stems,
trained by benchmarks/build_field_model.py on 40,000 titles of cited works from the
bibliographies of 160 public manuscript repositories in 13 fields (benchmarks/fields/
SOURCES.md) and the life-science reference lists of the unseen PLOS and Manubot sets.
The evidence for one cited reference: its title reads as a field the manuscript is not
in (not its title and abstract's field, nor that of three or more of its paragraphs
and other references) by a margin of at least M nats, on three or more known words;
it uses a word the manuscript never does; the paragraphs citing it share no specific
word with it and do not name it.

Three figures per margin M:

* **swaps caught** — in each of the corpus's JATS articles, 20 cited references get a
  title from a held-out bibliography (never trained on) of a field the article is not
  in (benchmarks/fields/recipients.tsv), a title an editor-judge placed in that field
  blind (benchmarks/fields/donor_labels.tsv);
* **false alarms, tuned corpus** — the same articles' own references so flagged;
* **false alarms, unseen** — the references of the 118 unseen published manuscripts of
  the precision benchmark so flagged.  Every one read so far is a real cross-field
  citation: the Metropolis algorithm's paper in a biology article, R, van Kampen's
  "Stochastic Processes in Physics and Chemistry" in a stochastic-finance paper.

Result (2026-11-29): at M = 8, 62 % of 420 swaps caught, none of the corpus's 1,826
judgeable references flagged, 26 of the unseen manuscripts' 5,538 flagged; at M = 15,
33 % caught and still 3 unseen false alarms.  Real manuscripts cite methods and
classics across fields far more often than they carry a wrong reference from another
field, so a warning on this evidence would be wrong nearly every time; wired in as
extra evidence for RC201's pattern, it changed no finding on 276 published manuscripts
but one, where it added seven false warnings.  refcheck therefore does not use it.

Run: ``.venv/bin/python benchmarks/field_evidence.py`` (builds the model if needed;
about half a minute).  ``--quick``: two corpus articles, no unseen set (the smoke test).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import build_field_model  # noqa: E402
import relevance_quality as rq  # noqa: E402

from refcheck.analysis.citations import blank_citations  # noqa: E402
from refcheck.analysis.scorer import stem_key, terms  # noqa: E402
from refcheck.analysis.subjects import (  # noqa: E402
    ManuscriptVocabulary,
    named_in_sentence,
    reference_title_lemmas,
    specific,
)
from refcheck.model import BlockKind, Manuscript, Reference  # noqa: E402
from refcheck.rules.relevance import abbreviations_of  # noqa: E402

MARGINS = (6.0, 8.0, 10.0, 12.0, 15.0)
PEER_MARGIN = 3.0  # a paragraph or another reference counts for its field at this margin
FIELD_ITEMS = 3  # ... and the manuscript is in a field that this many of them read as
MIN_KNOWN = 3  # known title words needed
SWAPS = 20


def features(lemmas: Iterable[str]) -> list[str]:
    """Words of three letters or more and their sub-word stems ("~nebul"), which carry
    a field's word families to forms the training titles did not use."""
    words = [t for t in dict.fromkeys(lemmas) if len(t) > 2 and t.isalpha()]
    return words + list(dict.fromkeys(k for t in words if (k := stem_key(t))))


@dataclass(frozen=True)
class Model:
    fields: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]

    def scores(self, feats: Iterable[str]) -> tuple[list[float], int]:
        total = [0.0] * len(self.fields)
        known = 0
        for t in feats:
            row = self.weights.get(t)
            if row is None:
                continue
            known += not t.startswith("~")
            for i, v in enumerate(row):
                total[i] += v
        return total, known


@dataclass(frozen=True)
class Guess:
    field: str
    margin: float
    known: int


@lru_cache(maxsize=1)
def model() -> Model:
    path = build_field_model.OUT
    if not path.exists():
        build_field_model.main()
    rows = [line.split("\t") for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    head = {r[0]: r[1:] for r in rows[:2]}
    return Model(tuple(head["fields"]), {r[0]: tuple(float(c) if c else 0.0 for c in r[1:]) for r in rows[2:]})


def field_of(lemmas: Sequence[str], inside: Collection[str] = ()) -> Guess | None:
    """The title's best field and its margin over the runner-up; with ``inside``, the
    best field outside those and its margin over the best inside."""
    m = model()
    scores, known = m.scores(features(lemmas))
    if not known:
        return None
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    if inside:
        out = [i for i in order if m.fields[i] not in inside]
        within = [i for i in order if m.fields[i] in inside]
        if not out or not within:
            return None
        return Guess(m.fields[out[0]], scores[out[0]] - scores[within[0]], known)
    return Guess(m.fields[order[0]], scores[order[0]] - scores[order[1]], known)


def _prose(ms: Manuscript, block: int) -> str:
    return blank_citations(ms.blocks[block].text, [c for c in ms.citations if c.block == block])


def _counted(g: Guess | None) -> str | None:
    """The field a paragraph or reference counts for, if it reads as one clearly enough."""
    return g.field if g is not None and g.margin >= PEER_MARGIN else None


def manuscript_fields(ms: Manuscript, guesses: Mapping[int, Guess | None]) -> Callable[[int], set[str]]:
    """For each reference left out in turn: the title and abstract's field, and every
    field that :data:`FIELD_ITEMS` of the paragraphs and other references read as.
    The paragraphs are read once per manuscript, not once per reference."""
    summary = " ".join([ms.title or "", *(b.text for b in ms.blocks if b.kind in (BlockKind.ABSTRACT, BlockKind.KEYWORDS))])
    own = field_of(terms(summary)) if summary.strip() else None
    items = [field_of(terms(_prose(ms, b.index))) for b in ms.blocks if b.kind is BlockKind.PARAGRAPH]
    counts: Counter[str] = Counter(f for g in [*items, *guesses.values()] if (f := _counted(g)))

    def inside(leave_out: int) -> set[str]:
        mine = _counted(guesses.get(leave_out))
        out = {f for f, k in counts.items() if k - (f == mine) >= FIELD_ITEMS}
        return out | {own.field} if own is not None else out

    return inside


def margins(ms: Manuscript, donors: Mapping[str, list[str]] | None = None, donor_fields: Sequence[str] = (),
            rng: random.Random | None = None) -> tuple[list[float], list[float]]:
    """(evidence margins of the manuscript's own judgeable references, of swapped-in
    titles); a reference without evidence (a word shared with its citing paragraphs,
    named there, no foreign word, too few known words) scores -inf."""
    ab = abbreviations_of(ms)
    vocab = ManuscriptVocabulary(ms, ab)
    citing: dict[int, set[int]] = defaultdict(set)
    for c in ms.citations:
        for n in c.numbers:
            citing[n].add(c.block)
    refs = {r.number: r for r in ms.references
            if r.number in citing and r.confidence >= 0.8 and reference_title_lemmas(r, ab) is not None}
    lemmas = {n: reference_title_lemmas(r, ab) or [] for n, r in refs.items()}
    guesses = {n: field_of(lem) for n, lem in lemmas.items()}
    inside = manuscript_fields(ms, guesses)

    def evidence(n: int, title: str, lem: list[str]) -> float:
        if not vocab.foreign(lem):
            return float("-inf")
        g = field_of(lem, inside(n))
        prose = " ".join(_prose(ms, b) for b in sorted(citing[n]))
        context = set(terms(prose, ab))
        if (g is None or g.known < MIN_KNOWN or any(specific(t) and t in context for t in lem)
                or named_in_sentence(Reference(None, 0, "", title=title), prose)):
            return float("-inf")
        return g.margin

    own = [evidence(n, refs[n].title or "", lemmas[n]) for n in refs]
    swapped: list[float] = []
    if donors and donor_fields and rng and refs:
        for k in range(SWAPS):
            n = rng.choice(sorted(refs))
            title = rng.choice(donors[donor_fields[k % len(donor_fields)]])
            swapped.append(evidence(n, title, terms(title, ab)))
    return own, swapped


def unseen_manuscripts() -> list[Manuscript]:
    import importlib.util

    from refcheck.config import Config
    from refcheck.engine import read_manuscript

    spec = importlib.util.spec_from_file_location("precision_run", ROOT / "benchmarks" / "precision" / "run.py")
    assert spec is not None and spec.loader is not None
    prun = importlib.util.module_from_spec(spec)
    sys.modules["precision_run"] = prun
    spec.loader.exec_module(prun)
    return [read_manuscript(str(path), Config()) for _, role, path in prun.manuscript_list() if role == "unseen"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="two corpus articles, no unseen manuscripts")
    args = ap.parse_args(argv)
    donors = rq.donor_titles()
    fields_of = rq.recipient_fields()
    rng = random.Random(rq.SEED)
    articles = rq.corpus_articles()[:2] if args.quick else rq.corpus_articles()
    own: list[float] = []
    swapped: list[float] = []
    for art in articles:
        unrelated = sorted(f for f in donors if donors[f] and f not in fields_of[art.path.stem] and f != "statistics")
        o, s = margins(art.manuscript, donors, unrelated, rng)
        own += o
        swapped += s
    unseen: list[float] = []
    if not args.quick:
        for ms in unseen_manuscripts():
            unseen += margins(ms)[0]
    print(f"Field evidence for a single reference (corpus: {len(articles)} articles, {len(own)} judgeable "
          f"references, {len(swapped)} swaps; unseen: {len(unseen)} judgeable references)")
    print("| margin | swaps caught | false alarms, tuned corpus | false alarms, unseen |")
    print("| ---: | ---: | ---: | ---: |")
    for m in MARGINS:
        caught = sum(x >= m for x in swapped)
        print(f"| {m:.0f} | {caught / max(len(swapped), 1):.0%} ({caught}/{len(swapped)}) | "
              f"{sum(x >= m for x in own)} | {sum(x >= m for x in unseen) if unseen else '–'} |")


if __name__ == "__main__":
    main()
