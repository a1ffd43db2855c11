"""A baseline: today's accepted findings, so a gate can be adopted on an existing manuscript.

``refcheck check --write-baseline refcheck-baseline.json paper.md`` records every
finding by a fingerprint that survives edits elsewhere in the manuscript: the rule,
the sentence it sits in and the flagged words (case, spacing and quote style
normalised) and the reference numbers — not line numbers, which move with every
paragraph added above.  ``--baseline refcheck-baseline.json`` then reports only
findings that are not in it.  Fingerprints are counted, so a second identical
finding in the same sentence is new.

Paths are stored relative to the baseline file's folder, with ``/``, so the file
can be committed and used from any working directory or machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from refcheck.config import ConfigError
from refcheck.model import Finding

VERSION = 1
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Text as the fingerprint sees it: NFKC, case-folded, one space, plain quotes."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def fingerprint(f: Finding) -> str:
    """Rule + normalised sentence + flagged words + reference numbers, hashed."""
    parts = [f.code, normalise(f.excerpt or ""), normalise(f.text), ",".join(map(str, f.references))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _key(path: str, root: Path) -> str:
    """The file's path relative to the baseline's folder ('-' and '<text>' as given)."""
    if path in ("-", "<text>"):
        return path
    try:
        return Path(os.path.relpath(Path(path).resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).resolve().as_posix()


def write(target: Path, results: list[Any]) -> int:
    """Write the baseline for ``results`` (FileResults); return how many findings it holds."""
    root = target.resolve().parent
    rows: Counter[tuple[str, str, str]] = Counter()
    sample: dict[tuple[str, str, str], str] = {}
    for r in results:
        for f in r.findings:
            key = (_key(r.path, root), f.code, fingerprint(f))
            rows[key] += 1
            sample.setdefault(key, " ".join((f.excerpt or f.text).split())[:120])
    data = {
        "refcheck_baseline": VERSION,
        "findings": [
            {"path": p, "code": c, "fingerprint": fp, "count": n, "excerpt": sample[(p, c, fp)]}
            for (p, c, fp), n in sorted(rows.items())
        ],
    }
    try:
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write the baseline ({exc.strerror or exc})") from None
    return sum(rows.values())


def load(source: Path) -> Counter[tuple[str, str]]:
    """``(path, fingerprint) -> count`` from a baseline file; a bad file is a ConfigError."""
    try:
        data = json.loads(source.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such baseline file (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the baseline ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source}: not a refcheck baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("refcheck_baseline") != VERSION or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{source}: not a refcheck baseline (version {VERSION}); write it again with --write-baseline")
    out: Counter[tuple[str, str]] = Counter()
    for row in data["findings"]:
        try:
            out[(str(row["path"]), str(row["fingerprint"]))] += int(row.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{source}: malformed baseline entry {row!r}") from None
    return out


def apply(results: list[Any], source: Path, accepted: Counter[tuple[str, str]]) -> tuple[list[Any], int]:
    """The results with baselined findings removed, and how many were removed."""
    root = source.resolve().parent
    left = Counter(accepted)
    hidden = 0
    out = []
    for r in results:
        path = _key(r.path, root)
        kept = []
        for f in r.findings:
            key = (path, fingerprint(f))
            if left[key] > 0:
                left[key] -= 1
                hidden += 1
            else:
                kept.append(f)
        out.append(replace(r, findings=kept))
    return out, hidden
