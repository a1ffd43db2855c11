"""How fast the Retraction Watch index is built, reopened and searched (issue #21).

Run: ``.venv/bin/python benchmarks/retractions.py`` (a few seconds).  The real CSV
cannot be downloaded where refcheck is developed, so this writes a synthetic one of
the same shape: 65,000 rows in the published 20-column layout, about 900 bytes a row
like the real file (titles, author lists, institutions, reasons, URLs and notes of
realistic length, US-style dates, ``unavailable`` and ``0`` sentinels), then times

* **first build** — reading the CSV and writing the SQLite index (issue target ≤ 2 s);
* **reopen** — a second run finding the index current and opening it without
  reading the CSV (target ≤ 0.2 s);
* **match N references** — looking up a reference list (300 by default, one in five
  present in the database by DOI, PMID or title) through
  :meth:`refcheck.retractions.RetractionIndex.match` (target: milliseconds).

Wall-clock and CPU times are both printed: on a busy shared machine the first
measures the neighbours as much as refcheck.  It prints the figures and never fails; ``tests/test_retractions.py`` runs it small as
a smoke test.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["Record ID", "Title", "Subject", "Institution", "Journal", "Publisher", "Country", "Author", "URLS",
          "ArticleType", "RetractionDate", "RetractionDOI", "RetractionPubMedID", "OriginalPaperDate",
          "OriginalPaperDOI", "OriginalPaperPubMedID", "RetractionNature", "Reason", "Paywalled", "Notes"]
WORDS = ["cell", "protein", "expression", "tumour", "patients", "analysis", "model", "network", "gene", "regulation", "clinical", "outcome", "inflammatory", "pathway", "receptor", "signalling", "cohort", "randomized", "trial", "mitochondrial", "oxidative", "stress", "neuronal", "plasticity", "carbon", "nanotube", "catalyst", "synthesis", "thermal", "graphene", "membrane", "imaging"]
NAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Smith", "Garcia", "Müller", "Rossi", "Kowalski", "Nguyen", "Silva", "Kim", "Patel", "Sato", "Ivanov", "Dubois", "Jensen", "Okafor", "Haddad"]
NATURES = ["Retraction"] * 8 + ["Expression of concern", "Correction"]


def synthetic_rows(n: int, seed: int = 21) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + f" {i}"
        authors = ";".join(f"{rng.choice('ABCDEFGHJKLMNPRSTW')} {rng.choice('ABCDEFGHJKLMN')} {rng.choice(NAMES)}"
                           for _ in range(rng.randint(2, 9)))
        year = rng.randint(1990, 2025)
        rows.append([
            str(10000 + i), title, "(BLS) Biology - Cellular;(HSC) Medicine - Oncology;",
            ";".join(f"Department of {rng.choice(WORDS).title()}, University {rng.randint(1, 500)}, City"
                     for _ in range(rng.randint(1, 4))),
            f"Journal of {rng.choice(WORDS).title()} {rng.choice(WORDS).title()}", "Publisher", "China;United States",
            authors, f"https://retractionwatch.com/{year}/{i}/;https://pubpeer.com/publications/{i:08X}",
            "Research Article;", f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{min(year + rng.randint(0, 8), 2026)} 0:00",
            f"10.{1000 + i % 5000}/notice.{i}" if rng.random() < 0.9 else "unavailable",
            str(30000000 + i) if rng.random() < 0.5 else "0",
            f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{year} 0:00",
            f"10.{1000 + i % 5000}/paper.{i}" if rng.random() < 0.85 else "unavailable",
            str(20000000 + i) if rng.random() < 0.6 else "0",
            rng.choice(NATURES),
            "+Concerns/Issues About Data;+Duplication of Image;+Investigation by Journal/Publisher;"
            "+Paper Mill;+Unreliable Results;",
            rng.choice(["No", "Yes"]),
            "See also the publisher's notice; " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30))),
        ])
    return rows


def references(rows: list[list[str]], count: int, seed: int = 7) -> list:
    """``count`` references, one in five naming a paper of ``rows`` (by DOI, PMID or
    title, in turn), the rest papers the database does not hold."""
    from refcheck.model import Reference

    rng = random.Random(seed)
    refs = []
    for k in range(count):
        if k % 5 == 0:
            r = rows[rng.randrange(len(rows))]
            while r[14] == "unavailable" or r[15] == "0":
                r = rows[rng.randrange(len(rows))]
            year = int(r[13].split("/")[2].split()[0])
            surname = r[7].split(";")[0].split()[-1]
            how = (k // 5) % 3
            refs.append(Reference(number=k + 1, block=0, text="", doi=r[14] if how == 0 else None,
                                  pmid=r[15] if how == 1 else None, title=r[1], year=year,
                                  authors=(f"{surname} AB",), confidence=0.9))
        else:
            refs.append(Reference(number=k + 1, block=0, text="", doi=f"10.9999/absent.{k}", pmid=str(40000000 + k),
                                  title=f"An absent paper about {rng.choice(WORDS)} number {k}", year=2020,
                                  authors=("Nobody N",), confidence=0.9))
    return refs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=65000)
    parser.add_argument("--references", type=int, default=300)
    parser.add_argument("--workdir", type=Path, help="where the CSV and the index go (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="refcheck-retractions-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["REFCHECK_CACHE_DIR"] = str(work / "cache")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from refcheck import retractions

    rows = synthetic_rows(args.rows)
    path = work / "retraction_watch.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    size_mb = path.stat().st_size / 1e6
    print(f"rows: {args.rows} ({size_mb:.1f} MB CSV, {path.stat().st_size / args.rows:.0f} bytes a row)")

    t0, c0 = time.perf_counter(), time.process_time()
    index = retractions.open_index(path)
    build, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert index.built
    index.close()
    index_mb = retractions.index_path(path).stat().st_size / 1e6
    # CPU time too: on a shared machine the wall clock measures the neighbours.
    print(f"first build: {build:.2f} s wall, {cpu:.2f} s CPU (target <= 2 s; index {index_mb:.1f} MB)")

    t0 = time.perf_counter()
    index = retractions.open_index(path)
    reopen = time.perf_counter() - t0
    assert not index.built
    print(f"reopen (index reused, CSV not read): {reopen * 1000:.1f} ms (target <= 200 ms)")

    refs = references(rows, args.references)
    t0 = time.perf_counter()
    matched = sum(1 for r in refs if index.match(r) is not None)
    took = time.perf_counter() - t0
    print(f"match {len(refs)} references: {took * 1000:.1f} ms (matched {matched} of {len(refs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
