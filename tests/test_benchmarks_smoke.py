"""The benchmark script runs end to end on tiny inputs, so it cannot rot.

Only that it runs and prints every figure is asserted -- never the figures."""

from __future__ import annotations

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
