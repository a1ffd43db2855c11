"""Every DOCX/DOCM/DOTX in ../shared/corpus/docx through ``refcheck check --format json``.

One process per file (what a user runs), all of them: each must end with findings,
no findings, or the clean one-line input error -- never a traceback or an internal
error.  The per-file outcome table is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import ROOT, corpus_dir


def _outcome(path: Path) -> tuple[str, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "refcheck.cli", "check", "--format", "json", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    if "Traceback" in proc.stderr or "internal error" in proc.stderr:
        return path.name, "CRASH", proc.stderr.strip().splitlines()[-1][:150]
    if proc.returncode == 2:
        lines = proc.stderr.strip().splitlines()
        ok = len(lines) == 1 and path.name in lines[0]
        return path.name, "input error" if ok else "BAD ERROR", (lines[0] if lines else "(no message)")[:150]
    if proc.returncode not in (0, 1):
        return path.name, "CRASH", f"exit {proc.returncode}"
    data = json.loads(proc.stdout)
    rows = data["files"] if isinstance(data, dict) and "files" in data else data
    n = sum(len(r["findings"]) for r in rows)
    return path.name, "findings" if n else "no findings", f"{n} finding(s)"


def test_every_corpus_docx_gives_findings_or_clean_error() -> None:
    folder = corpus_dir("docx")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".docx", ".docm", ".dotx", ".dotm"})
    assert files
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(_outcome, files))
    width = max(len(name) for name, _, _ in outcomes)
    print(f"\n{'file':{width}}  outcome      detail")
    for name, outcome, detail in outcomes:
        print(f"{name:{width}}  {outcome:11}  {detail}")
    tally: dict[str, int] = {}
    for _, outcome, _ in outcomes:
        tally[outcome] = tally.get(outcome, 0) + 1
    print("totals:", ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    bad = [(n, o, d) for n, o, d in outcomes if o in ("CRASH", "BAD ERROR")]
    assert not bad, bad
