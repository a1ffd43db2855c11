"""Import the editor's verdicts in ``../shared/judgements/`` into ``labels.tsv``.

Run once to seed the labels (re-running replaces only the rows whose judge is
``shared-judgements``).  The shared files are the editor's own reading of refcheck
0.1.0's findings (see their README): each row becomes a label keyed by code and
place (:mod:`places`), never by message, so it keeps matching after a rewording.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from labels import FIELDS, read_labels, write_labels  # noqa: E402
from places import refs_key  # noqa: E402

SHARED = HERE.parents[2] / "shared" / "judgements"
JUDGE = "shared-judgements"
_REF_NUM = re.compile(r"(?:^|\|\s*)\[(\d+)\]")


def _refs(row: dict[str, str]) -> str:
    nums = _REF_NUM.findall(row.get("reference_titles_as_parsed", ""))
    if not nums and row["code"] == "RC201":
        m = re.match(r"\s*\[?(\d+)[.\]]", row["flagged_text"])
        nums = [m.group(1)] if m else []
    return refs_key(nums)


def from_findings_judged(path: Path) -> list[dict[str, str]]:
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.append({
                "manuscript": row["manuscript"], "code": row["code"], "refs": _refs(row),
                "flagged": row["flagged_text"], "sentence": row["sentence"],
                "verdict": row["verdict"].strip().lower(), "reason": row["reason"], "judge": JUDGE,
            })
    return out


def from_rc101(path: Path) -> list[dict[str, str]]:
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.append({
                "manuscript": "jats/plos__journal.pone.0010685.xml", "code": row["code"],
                "refs": refs_key(row["refs"].split(",")), "flagged": "", "sentence": row["where"],
                "verdict": row["verdict"].strip().lower(), "reason": row["reason"], "judge": JUDGE,
            })
    return out


def main() -> int:
    rows = from_findings_judged(SHARED / "findings-judged.tsv") + from_rc101(SHARED / "rc101-pone.0010685.tsv")
    kept = [r for r in read_labels() if r["judge"] != JUDGE]
    write_labels(rows + kept)
    print(f"{len(rows)} labels imported from {SHARED}; {len(kept)} other labels kept ({len(FIELDS)} columns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
