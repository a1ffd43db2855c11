"""Every DOCX/DOCM/DOTX in ../shared/corpus/docx through ``refcheck check --format json``.

All of them, each on its own command line: each must end with findings, no
findings, or the clean one-line input error -- never a traceback or an internal
error.  The per-file outcome table is printed (``pytest -s`` shows it).  The command
runs in this process (``refcheck.cli.main``, as the console script calls it): a
fresh interpreter per file spent 100 of the suite's seconds importing spaCy 196
times.  A few files also go through a real subprocess, as a user runs it.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, corpus_dir


def _run_in_process(path: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``refcheck check --format json PATH``; an
    exception escaping the command is what a traceback would be."""
    from refcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--format", "json", str(path)])
    except BaseException as exc:  # noqa: BLE001 - the test reports it as the crash it is
        return -1, out.getvalue(), f"{err.getvalue()}Traceback: {type(exc).__name__}: {exc}"
    return code, out.getvalue(), err.getvalue()


def _run_subprocess(path: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "refcheck.cli", "check", "--format", "json", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _outcome(path: Path, run=_run_in_process) -> tuple[str, str, str]:
    code, stdout, stderr = run(path)
    if "Traceback" in stderr or "internal error" in stderr:
        return path.name, "CRASH", stderr.strip().splitlines()[-1][:150]
    if code == 2:
        lines = stderr.strip().splitlines()
        ok = len(lines) == 1 and path.name in lines[0]
        return path.name, "input error" if ok else "BAD ERROR", (lines[0] if lines else "(no message)")[:150]
    if code not in (0, 1):
        return path.name, "CRASH", f"exit {code}"
    data = json.loads(stdout)
    rows = data["files"] if isinstance(data, dict) and "files" in data else data
    n = sum(len(r["findings"]) for r in rows)
    return path.name, "findings" if n else "no findings", f"{n} finding(s)"


def test_every_corpus_docx_gives_findings_or_clean_error() -> None:
    folder = corpus_dir("docx")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".docx", ".docm", ".dotx", ".dotm"})
    assert files
    outcomes = [_outcome(p) for p in files]
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


def test_a_few_corpus_docx_through_a_real_process() -> None:
    """The same outcomes from the console command in its own interpreter."""
    folder = corpus_dir("docx")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".docx", ".docm", ".dotx", ".dotm"})
    for path in files[:: max(len(files) // 4, 1)][:4]:
        assert _outcome(path, _run_subprocess) == _outcome(path), path.name
