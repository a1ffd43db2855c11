"""The labels file: one editor verdict per finding place (see README.md beside it)."""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.tsv"
FIELDS = ["manuscript", "code", "refs", "flagged", "sentence", "verdict", "reason", "judge"]
VERDICTS = ("true", "debatable", "false")


def _clean(value: str) -> str:
    return " ".join(str(value or "").split())


def read_labels(path: Path = LABELS) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None))
    for r in rows:
        if r["verdict"] not in VERDICTS:
            raise ValueError(f"{path}: verdict {r['verdict']!r} is not one of {VERDICTS}")
    return rows


def write_labels(rows: list[dict[str, str]], path: Path = LABELS) -> None:
    """Sorted and whitespace-normalised, so a diff of the file shows only real changes."""
    clean = [{k: _clean(r.get(k, "")) for k in FIELDS} for r in rows]
    clean.sort(key=lambda r: (r["manuscript"], r["code"], r["refs"], r["flagged"].lower(), r["sentence"]))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
        w.writeheader()
        w.writerows(clean)
