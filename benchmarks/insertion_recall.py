"""Recall on real text the rules have never seen: defects planted into published articles.

Usage:  python benchmarks/insertion_recall.py [--articles N]

The example review shows that the language and density rules find its defects; this
shows whether they find the same kind of defect in other people's prose.  Each JATS
article of ``../shared/corpus/jats`` is turned into Markdown (title, abstract,
sections, ``[n]`` citations, the reference list; ``language_density.jats_to_markdown``)
and, one at a time:

* **hype** — one of the promotional sentences below (written for this benchmark, not
  taken from the example) is inserted after the first sentence of a cited body
  paragraph; caught when an RC301 finding sits in it;
* **attribution** — one of the uncited "studies show" sentences below is inserted the
  same way, into a paragraph that cites; caught when an RC401 finding sits in it;
* **stripped section** — every citation of one body section (one with at least three
  cited sentences; each such section in turn) is removed; caught when RC402 names that
  section.  Sections under
  the authors' own results or discussion are tallied apart: RC402 leaves the
  discussion of a study's own data alone by design.

* **held-out stripped section** — the same stripping in eight Markdown and LaTeX
  manuscripts of ``../shared/corpus`` (their own citation syntax removed, the file
  checked from a copy of its folder), which were not looked at while RC402 was
  tuned on the JATS articles; ``--articles`` limits them too.

Sentences and paragraphs are chosen with a fixed seed.  It prints figures and never
fails on them (issue #15's targets: hype and attribution >= 95 %, stripped >= 85 %).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from language_density import DEFAULT_CORPUS, jats_to_markdown  # noqa: E402

from refcheck.config import config_from_table  # noqa: E402
from refcheck.engine import check  # noqa: E402

SEED = 20261129
PER_ARTICLE = 10  # planted sentences of each kind per article: every one of the ten, each in a random paragraph
HYPE = [
    "This approach represents a truly groundbreaking advance for the whole field.",
    "The results obtained with this technique are remarkable and unprecedented.",
    "Such methods offer tremendous potential for applications in many settings.",
    "This strategy is an ideal solution to the problem described above.",
    "The new framework delivers outstanding performance in every setting tested so far.",
    "These findings open exciting and transformative opportunities for patients.",
    "The resource is invaluable and indispensable to researchers in the area.",
    "Its extraordinary versatility makes it a revolutionary tool.",
    "This therapy holds great promise for treating the disease.",
    "The technology has shown spectacular success in practice.",
]
ATTRIBUTION = [
    "Previous studies have demonstrated that this effect is consistent across populations.",
    "Several reports have shown that the pathway is activated under stress.",
    "Recent research indicates that the mechanism is conserved in mammals.",
    "Numerous investigations have found a strong association between the two factors.",
    "It has been reported that the protein is expressed in most tissues.",
    "Earlier work has established that the process depends on temperature.",
    "Studies suggest that the intervention reduces mortality.",
    "Many authors have argued that the measure is unreliable.",
    "Evidence from clinical trials shows that the treatment is safe.",
    "Experiments in animal models have revealed that the gene regulates growth.",
]
_CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_ANY_BRACKETED_NUMBERS = re.compile(r"\[[\d,;\s–-]*\]")
# Where the authors present their own study, RC402 is silent by design (methods,
# results, the discussion of their own data): stripped sections there are counted
# apart from those of introductions and review bodies.
_OWN_STUDY = re.compile(r"result|discussion|conclu|finding", re.I)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9\]\)][.?!])\s+(?=[A-Z])")
_NON_BODY = re.compile(r"abstract|method|material|reference|acknowledg|fund|author|supporting|competing|appendi", re.I)


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@dataclass
class Tally:
    tried: int = 0
    caught: int = 0
    missed: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        rate = 100 * self.caught / self.tried if self.tried else 0.0
        return f"{name:<40} {self.caught:>4} / {self.tried:<4} caught  ({rate:5.1f} %)"


def body_paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, heading) of running-text paragraphs that cite and have two sentences."""
    out, heading, in_body = [], "", False
    for i, line in enumerate(lines):
        if line.startswith("#"):
            heading = line.lstrip("# ").strip()
            in_body = bool(heading) and not _NON_BODY.search(heading) and i > 0
            continue
        if in_body and _CITATION.search(line) and len(_SENTENCE_END.split(line)) >= 2:
            out.append((i, heading))
    return out


def strip_citations(line: str) -> str:
    """``line`` without its citations, nested ones too: some articles render as
    "[[12],[13]]", which one pass would leave as an empty "[,]" citation."""
    while True:
        stripped = _ANY_BRACKETED_NUMBERS.sub("", line)
        if stripped == line:
            return line
        line = stripped


def insert_after_first_sentence(paragraph: str, sentence: str) -> str:
    parts = _SENTENCE_END.split(paragraph, maxsplit=1)
    return f"{parts[0]} {sentence} {parts[1]}" if len(parts) == 2 else f"{paragraph} {sentence}"


def caught(markdown: str, code: str, sentence: str) -> bool:
    result = check(markdown, config_from_table({"select": [code]}))
    target = norm(sentence)
    return any(f.code == code and target in norm(f.excerpt) for f in result.findings)


def stripped_sections(lines: list[str]) -> list[tuple[str, list[int], bool]]:
    """Body sections (heading, paragraph line indexes, under the authors' own results or
    discussion?) with at least three cited sentences."""
    out: list[tuple[str, list[int], bool]] = []
    heading, idx, path = "", [], []

    def close() -> None:
        cited = sum(1 for i in idx for sentence in _SENTENCE_END.split(lines[i]) if _CITATION.search(sentence))
        if heading and not any(_NON_BODY.search(h) for h in path) and cited >= 3:
            out.append((heading, list(idx), any(_OWN_STUDY.search(h) for h in path)))

    for i, line in enumerate(lines):
        if line.startswith("#"):
            close()
            level = len(line) - len(line.lstrip("#"))
            heading, idx = line.lstrip("# ").strip(), []
            path = [*path[: max(level - 2, 0)], heading]
        elif line.strip():
            idx.append(i)
    close()
    return out


def run(articles: int | None = None) -> dict[str, Tally]:
    rng = random.Random(SEED)
    files = sorted(p for p in DEFAULT_CORPUS.glob("*") if p.suffix in (".xml", ".nxml"))[:articles]
    tallies = {"hype (RC301)": Tally(), "attribution (RC401)": Tally(),
               "stripped section (RC402)": Tally(), "  ... in results/discussion": Tally()}
    for path in files:
        lines = jats_to_markdown(path).split("\n")
        paragraphs = body_paragraphs(lines)
        if not paragraphs:
            continue
        for name, pool, code in (("hype (RC301)", HYPE, "RC301"), ("attribution (RC401)", ATTRIBUTION, "RC401")):
            for sentence in rng.sample(pool, PER_ARTICLE):
                i, _heading = rng.choice(paragraphs)
                planted = list(lines)
                planted[i] = insert_after_first_sentence(lines[i], sentence)
                t = tallies[name]
                t.tried += 1
                if caught("\n".join(planted), code, sentence):
                    t.caught += 1
                else:
                    t.missed.append(f"{path.name}: {sentence}")
        # Every eligible section, one at a time: a random one per article made the
        # figure swing by ten points with the seed.
        for heading, idx, own in stripped_sections(lines):
            planted = list(lines)
            for i in idx:
                planted[i] = strip_citations(planted[i])
            t = tallies["  ... in results/discussion" if own else "stripped section (RC402)"]
            t.tried += 1
            result = check("\n".join(planted), config_from_table({"select": ["RC402"]}))
            if any(norm(f.text) == norm(heading) or norm(heading) in norm(f.section) for f in result.findings):
                t.caught += 1
            else:
                t.missed.append(f"{path.name}: section “{heading}”")
    return tallies


# -- held out: Markdown and LaTeX manuscripts -------------------------------------

HELD_OUT = [  # the two short ones first: the smoke test (--articles 2) runs only those
    ("markdown/dhicks__p_curve", "summary.md"),
    ("markdown/greenelab__biopriors-review", "manuscript.md"),
    ("latex/pbizopoulos__deep-learning-in-cardiology", "ms.tex"),
    ("latex/DominiqueGravel__ms_neutral_theory", "ms.tex"),
    ("markdown/ammonslab__long_covid_idaho", "manuscript.qmd"),
    ("markdown/RemkoDuursma__duursma2015plosone", "manuscript.Rmd"),
    ("latex/jordanmuraskin__FCH-NI", "elsarticle-template.tex"),
    ("latex/swcarpentry__good-enough-practices-in-scientific-computing",
     "good-enough-practices-for-scientific-computing.tex"),
]
_PANDOC_CITATION = re.compile(r"\s?\[[^\[\]]*@[^\[\]]*\]")
_TEX_CITATION = re.compile(r"~?\\(?:cite[pt]?|citealp|autocite|parencite)\*?(?:\[[^\]]*\])*\{[^}]*\}")
_TEX_HEADING = re.compile(r"^\\(?:sub)*section\*?\{(.+?)\}")
_MD_HEADING = re.compile(r"^#+\s+(.+)")
_HELD_OUT_SKIP = re.compile(_NON_BODY.pattern + "|" + _OWN_STUDY.pattern, re.I)
_ANY_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\\])")


def held_out_sections(lines: list[str], tex: bool) -> list[tuple[str, list[int]]]:
    """(heading, line indexes) of the body sections with at least three cited sentences."""
    head, cite = (_TEX_HEADING, _TEX_CITATION) if tex else (_MD_HEADING, _PANDOC_CITATION)
    out: list[tuple[str, list[int]]] = []
    current: tuple[str, list[int]] | None = None
    for i, line in enumerate(lines):
        m = head.match(line)
        if m:
            if current:
                out.append(current)
            current = (m.group(1).strip(), [])
        elif current:
            current[1].append(i)
    if current:
        out.append(current)
    return [(h, idx) for h, idx in out if not _HELD_OUT_SKIP.search(h)
            and sum(1 for i in idx for s in _ANY_SENTENCE_END.split(lines[i]) if cite.search(s)) >= 3]


def held_out(tally: Tally, limit: int | None = None) -> None:
    corpus = DEFAULT_CORPUS.parent
    for folder, main in HELD_OUT[:limit]:
        source = corpus / folder
        if not (source / main).exists():
            continue
        tex = main.endswith(".tex")
        cite = _TEX_CITATION if tex else _PANDOC_CITATION
        lines = (source / main).read_text("utf-8", errors="replace").split("\n")
        for heading, idx in held_out_sections(lines, tex):
            stripped = list(lines)
            for i in idx:
                stripped[i] = cite.sub("", stripped[i])
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "m"
                shutil.copytree(source, copy)
                (copy / main).write_text("\n".join(stripped), "utf-8")
                result = check(copy / main, config_from_table({"select": ["RC402"]}))
            key = norm(heading)[:30]
            tally.tried += 1
            if any(key in norm(f.text) or key in norm(" ".join(f.section)) for f in result.findings):
                tally.caught += 1
            else:
                tally.missed.append(f"{folder.split('/')[1]}: section “{heading}”")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, help="only the first N articles (the smoke test uses 2)")
    ap.add_argument("--misses", action="store_true", help="list what was missed")
    args = ap.parse_args(argv)
    tallies = run(args.articles)
    tallies["held-out stripped (Markdown, LaTeX)"] = Tally()
    held_out(tallies["held-out stripped (Markdown, LaTeX)"], args.articles)
    print("Planted defects in published articles (../shared/corpus/jats), fixed seed")
    for name, t in tallies.items():
        print(t.line(name))
        if args.misses:
            for m in t.missed:
                print("    missed", m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
