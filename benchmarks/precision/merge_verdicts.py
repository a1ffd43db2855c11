"""Turn judges' filled ``verdicts-NN.tsv`` files into labels.

Usage: python benchmarks/precision/merge_verdicts.py PACKET_DIR JUDGE_NAME

Reads ``index.json`` (id → place, written with the packets) and every
``verdicts-*.tsv`` beside it; a row with no verdict is skipped and reported.  A new
label replaces an older one at the same place.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from labels import VERDICTS, read_labels, write_labels  # noqa: E402
from places import Place  # noqa: E402


def _place(row: dict[str, str]) -> Place:
    return Place(row["manuscript"], row["code"], row["refs"], row["flagged"], row["sentence"])


def main(argv: list[str]) -> int:
    folder, judge = Path(argv[0]), argv[1]
    index = json.loads((folder / "index.json").read_text("utf-8"))
    new, missing = [], []
    for tsv in sorted(folder.glob("verdicts-*.tsv")):
        with open(tsv, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None):
                verdict = (row.get("verdict") or "").strip().lower()
                if row["id"] not in index:
                    continue
                if verdict not in VERDICTS:
                    missing.append(row["id"])
                    continue
                new.append({**index[row["id"]], "verdict": verdict, "reason": row.get("reason") or "", "judge": judge})
    new_places = [_place(r) for r in new]
    kept = [r for r in read_labels() if not any(p.matches(_place(r)) for p in new_places if p.bucket() == _place(r).bucket())]
    write_labels(kept + new)
    print(f"{len(new)} labels merged from {folder}; {len(missing)} ids without a verdict {missing[:10]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
