"""The benchmark script runs end to end on tiny inputs, so it cannot rot.

Only that it runs and prints every figure is asserted -- never the figures."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_benchmark_quick_prints_all_seven_figures() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert {r[2] for r in rows} == set("1234567"), proc.stdout


def test_fuzz_smoke() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz_docx.py"), "-n", "40", "--seed", "7"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "crashes: 0" in proc.stdout and "inputs tried: 40" in proc.stdout


def test_precision_benchmark_smoke(tmp_path) -> None:
    """`make precision` on the example and two published manuscripts: every section prints,
    and the packets it writes for the judges carry no severity or score."""
    from conftest import corpus_dir

    corpus_dir("jats")
    empty = tmp_path / "labels.tsv"  # no labels: every finding is unlabelled and gets a packet
    empty.write_text("manuscript\tcode\trefs\tflagged\tsentence\tverdict\treason\tjudge\n", "utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "precision" / "run.py"), "--subset", "2",
                           "--packets", str(tmp_path / "packets"), "--labels", str(empty)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for heading in ("## Precision by rule and severity", "## Warnings and errors per 1,000 words",
                    "## The example's recall", "## refcheck batch order", "## Unlabelled findings"):
        assert heading in proc.stdout, heading
    assert "| rule | severity | findings | true | debatable | false | unlabelled |" in proc.stdout
    assert "Every example form ranks above every published manuscript:" in proc.stdout
    packets = "".join(p.read_text("utf-8") for p in (tmp_path / "packets").glob("packet-*.md"))
    assert packets and "against a median" not in packets  # no similarity scores for the judge


def test_insertion_recall_smoke() -> None:
    """benchmarks/insertion_recall.py plants defects into two corpus articles and prints
    the three tallies (the figures are not asserted)."""
    from conftest import corpus_dir

    corpus_dir("jats")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "insertion_recall.py"), "--articles", "2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in ("hype (RC301)", "attribution (RC401)", "stripped section (RC402)", "held-out stripped"):
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith(name))
        assert re.search(r"\d+ / [1-9]\d*\s+caught", line), line


def test_reference_parsing_benchmark_smoke() -> None:
    """benchmarks/reference_parsing.py --quick prints every section and never fails."""
    from conftest import corpus_dir

    corpus_dir("jats")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reference_parsing.py"), "--quick"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for heading in ("## 1. JATS", "## 2. CSL JSON vs the DOCX", "## 3. .bib entries", "## 4. Markdown manuscripts"):
        assert heading in proc.stdout, heading
    assert "| **all** |" in proc.stdout


def test_scaling_benchmark_quick_prints_every_shape() -> None:
    """benchmarks/scaling.py --quick builds every shape of issue 18 at its two small
    sizes and runs each through `refcheck check`: a row per run, and no run failed
    (a failed or killed run is printed with its exit status instead of a time)."""
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--quick", "--timeout", "120"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [r[2] for r in rows] == list("11223344555"), proc.stdout
    assert not [r for r in rows if "exit" in r or "killed" in r], proc.stdout + proc.stderr[-2000:]
    assert "worst time ratio for 10x the size" in proc.stdout and "peak RSS of the texts" in proc.stdout


def test_field_evidence_smoke() -> None:
    """benchmarks/field_evidence.py builds its field model and prints its table on two
    corpus articles (the figures themselves are the script's to report)."""
    from conftest import corpus_dir

    corpus_dir("jats")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "field_evidence.py"), "--quick"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line for line in proc.stdout.splitlines() if re.match(r"\| \d+ \| \d+% \(\d+/40\)", line)]
    assert len(rows) == 5, proc.stdout
