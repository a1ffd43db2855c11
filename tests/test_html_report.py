"""report.html opens in a real browser (headless Chromium) from disk, with no network."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from refcheck.reporters.html import families_svg, sequence_svg
from tests.conftest import CORPUS, EXAMPLE_FILES, ROOT, corpus_dir, require_client

ARTIFACTS = ROOT / "tests" / "artifacts"


def _chromium_args(profile: Path) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def test_report_loads_in_chromium(tmp_path: Path) -> None:
    chromium = require_client("chromium", "the HTML report is checked in a real browser")
    corpus_dir("jats")
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLE_FILES["txt"], inbox)
    shutil.copy(EXAMPLE_FILES["docx"], inbox)
    shutil.copy(CORPUS / "jats" / "plos__journal.pmed.1000097.xml", inbox)
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "batch", str(inbox), "--out", str(tmp_path / "out"), "--jobs", "1"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    report = tmp_path / "out" / "report.html"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    base = [chromium, *_chromium_args(tmp_path / "profile")]
    run = subprocess.run([*base, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    dom = subprocess.run([*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0
    tbody = re.search(r"<tbody>(.*?)</tbody>", dom.stdout, re.S)
    assert tbody and tbody.group(1).count("<tr") == 3
    assert dom.stdout.count("<svg") >= 6  # two pictures per manuscript
    assert "seed-review.txt" in tbody.group(1)


def test_sequence_plot_marks_out_of_sequence_points() -> None:
    svg = sequence_svg({"numbers": [1, 2, 5, 3, 4], "out_of_sequence": [5], "references": 5})
    assert svg.count("<circle") == 4 and "[5] first cited at position 3 — out of sequence" in svg
    assert "no numbered citations" in sequence_svg({"numbers": []})
    bars = families_svg({"RC1": 3, "RC2": 0, "RC3": 1, "RC4": 0, "other": 0})
    assert bars.count("<rect") == 4 and ">3</text>" in bars
