"""Build benchmarks/fields/model.tsv: which fields of scholarship use each title word.

Why: a reference from an unrelated field (a particle-physics paper in a breast-cancer
study) is the one kind of wrong reference an editor spots from its title alone, but
only because the editor knows that "boson", "hadron" and "calorimeter" are physics
words.  Nothing refcheck ships knows that: its term weights say how *generic* a word
is, not *whose* it is.  This learns it from real bibliographies, for
benchmarks/field_evidence.py, which measures whether such evidence could let RC201
name a single reference (it cannot yet, precisely enough: see that script).

Sources (benchmarks/fields/SOURCES.md names every repository, its field and licence):

* ``benchmarks/fields/titles.tsv`` — titles of cited works read from the .bib files
  of public manuscript repositories (theses, papers, books), each labelled with the
  field of the *manuscript* whose bibliography it is, decided from that manuscript,
  never title by title;
* life science — the reference titles of the unseen PLOS articles (biology and
  medicine journals, and PLOS ONE articles filed under biology or medicine) and of
  seven life-science Manubot manuscripts in ``benchmarks/precision/unseen``.

Held out: one repository per field (:data:`HELD_OUT`) is *not* trained on.
``benchmarks/relevance_quality.py`` swaps their titles into the corpus's JATS
articles to measure whether RC201 names a reference from an unrelated field; a model
that had seen them would flatter that figure.  The corpus's JATS articles are not
trained on either (their real references are the measure's false-alarm side).

Model: multinomial naive Bayes over which lemmas (refcheck.analysis.scorer.terms)
and sub-word stems a title uses, equal priors, add-½ smoothing, written as a linear
model (per field and word, a log-probability).  Tried and measured worse on the same
evidence: no stems (32 % of swaps caught at zero false alarms, against 68 %), a
logistic regression fitted with numpy (15 %), smoothing 0.1 or 1.0 and a two-source
vocabulary floor (within a few points).  A word is kept only when at least
:data:`MIN_SOURCES` different manuscripts' bibliographies use it: a word that one
bibliography repeats (an author's pet acronym) is that manuscript's, not its field's.

Run: ``.venv/bin/python benchmarks/build_field_model.py`` (rewrites the file; about a
minute).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TITLES = ROOT / "benchmarks" / "fields" / "titles.tsv"
UNSEEN = ROOT / "benchmarks" / "precision" / "unseen"
OUT = ROOT / "benchmarks" / "fields" / "model.tsv"  # generated, not committed

MIN_SOURCES = 3
#: Life-science Manubot manuscripts (the others mix computing, sociology of science, software).
LIFE_MANUBOT = ("proteomics-tutorial", "2022-multi-omics-review", "rethink-prs-ms", "manu-vgsv",
                "better-cb", "whitePaper", "SORTEE-Github-Hackathon")
_LIFE_JOURNALS = ("pbio", "pcbi", "pgen", "pmed", "pntd", "ppat")
_LIFE_SUBJECTS = ("Biology and life sciences", "Medicine and health sciences")


def _plos_is_life(tree: etree._ElementTree, name: str) -> bool:
    """A PLOS life-science journal, or a PLOS ONE article filed under biology or medicine
    (older ones carry no discipline: their heading subjects stand in)."""
    if any(f".{j}." in name for j in _LIFE_JOURNALS):
        return True
    subjects = [s.text or "" for s in tree.iterfind(".//article-categories//subject")]
    return any(s in _LIFE_SUBJECTS or s.startswith(("Biology", "Medicine", "Infectious", "Immunology",
                                                    "Genetics", "Microbiology", "Neuroscience",
                                                    "Cell Biology", "Ecology", "Public Health",
                                                    "Molecular Biology", "Biochemistry", "Oncology"))
               for s in subjects)


def life_titles() -> list[tuple[str, str]]:
    """(source, title) for the life-science reference titles of the unseen sets."""
    out: list[tuple[str, str]] = []
    for p in sorted((UNSEEN / "plos").glob("*.xml")):
        tree = etree.parse(str(p), etree.XMLParser(resolve_entities=False, no_network=True))
        if not _plos_is_life(tree, p.name):
            continue
        for t in tree.iterfind(".//ref-list//article-title"):
            out.append((p.stem, " ".join("".join(t.itertext()).split())))
    for name in LIFE_MANUBOT:
        items = json.loads((UNSEEN / "manubot" / name / "references.json").read_text("utf-8"))
        out += [(name, " ".join(str(i["title"]).split())) for i in items if i.get("title")]
    return out


def external_titles() -> list[tuple[str, str, str]]:
    """(field, repository, title) rows of titles.tsv."""
    with TITLES.open(encoding="utf-8", newline="") as f:
        return [(r["field"], r["repo"], r["title"]) for r in csv.DictReader(f, delimiter="\t")]


#: Per field, the repository kept out of training: the one with the median number of
#: titles (the lower of the two middle ones) in the first collection of titles.tsv,
#: chosen by that rule before any measure was run, so that neither the richest nor the
#: thinnest bibliography decides the measure.  Fixed here so that titles added later
#: do not move it.
HELD_OUT = {
    "astronomy": "wadawson/dissertation", "chemistry": "Luthaf/phd-thesis", "computing": "michel-steuwer/phd-thesis",
    "earth": "apasto/apasto_phd_thesis", "economics": "llorracc/HAFiscal-Public",
    "engineering": "traversaro/traversaro-phd-thesis", "humanities": "langsci/186", "mathematics": "toonijn/PhD-thesis",
    "physics": "Lana-B/Thesis", "psychology": "cbergey/dissertation",
    "social": "andrewheiss/donors-ngo-restrictions", "statistics": "terrymyc/StratificationBASD",
}


def training_rows() -> list[tuple[str, str, str]]:
    """(field, source, title) for every title trained on (held-out repositories left out)."""
    rows = [(field, repo, title) for field, repo, title in external_titles() if HELD_OUT.get(field) != repo]
    rows += [("life", source, title) for source, title in life_titles()]
    return rows


def examples(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, frozenset[str]]]:
    """(field, source, lemmas) per distinct title of at least three words."""
    from field_evidence import features

    from refcheck.analysis.scorer import terms

    out = []
    seen: set[tuple[str, str]] = set()
    for field, source, title in rows:
        key = (field, title.lower())
        if key in seen or len(title.split()) < 3:
            continue
        seen.add(key)
        lemmas = frozenset(features(terms(title)))
        if lemmas:
            out.append((field, source, lemmas))
    return out


def vocabulary(data: list[tuple[str, str, frozenset[str]]]) -> list[str]:
    """Lemmas used by at least :data:`MIN_SOURCES` different bibliographies."""
    sources: dict[str, set[str]] = defaultdict(set)
    for _, source, lemmas in data:
        for t in lemmas:
            sources[t].add(source)
    return sorted(t for t, s in sources.items() if len(s) >= MIN_SOURCES)


def naive_bayes(data: list[tuple[str, str, frozenset[str]]], vocab: list[str], fields: list[str],
                alpha: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial naive Bayes as a linear model: per field, the add-α log-probability of
    each word among that field's title words (equal priors, so bias 0)."""
    index = {t: i for i, t in enumerate(vocab)}
    counts = np.zeros((len(vocab), len(fields)))
    for field, _, lemmas in data:
        j = fields.index(field)
        for t in lemmas:
            if t in index:
                counts[index[t], j] += 1
    w = np.log(counts + alpha) - np.log(counts.sum(axis=0) + alpha * len(vocab))
    return w, np.zeros(len(fields))


def write(fields: list[str], vocab: list[str], w: np.ndarray, b: np.ndarray, titles: Counter[str],
          sources: dict[str, int], out: Path = OUT) -> None:
    lines = [
        "# Field-of-scholarship word weights for benchmarks/field_evidence.py.",
        "# Generated by benchmarks/build_field_model.py — do not edit by hand.",
        "# A linear model: per field a bias, then per lemma its weight for each field (blank: under 0.01).",
        "# Trained on: " + ", ".join(f"{f} {titles[f]} titles from {sources[f]} bibliographies" for f in fields) + ".",
        "# Sources: titles of cited works in public manuscripts' bibliographies (benchmarks/fields/SOURCES.md",
        "#   names each repository and its licence) and the reference lists of CC BY PLOS articles and",
        "#   Manubot manuscripts (benchmarks/precision/unseen/SOURCE.md). Only these weights are kept.",
        "fields\t" + "\t".join(fields),
        "bias\t" + "\t".join(f"{x:.2f}" for x in b),
    ]
    for i, t in enumerate(vocab):
        row = w[i]
        if np.abs(row).max() < 0.01:
            continue
        lines.append(t + "\t" + "\t".join(f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) >= 0.01 else "" for x in row))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rows = training_rows()
    data = examples(rows)
    fields = sorted({f for f, _, _ in data})
    vocab = vocabulary(data)
    titles = Counter(f for f, _, _ in data)
    sources = {f: len({s for g, s, _ in data if g == f}) for f in fields}
    w, b = naive_bayes(data, vocab, fields)
    write(fields, vocab, w, b, titles, sources)
    print(f"{OUT.relative_to(ROOT)}: {len(vocab)} words; " +
          ", ".join(f"{f} {titles[f]} titles/{sources[f]} sources" for f in fields))


if __name__ == "__main__":
    main()
