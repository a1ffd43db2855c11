"""report.html opens in a real browser (headless Chromium) from disk, with no network."""

from __future__ import annotations

import json
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


def test_report_groups_findings_and_plots_199_references_in_chromium(tmp_path: Path) -> None:
    """The issue's acceptance check: kgreview's report (199 references) screenshotted in
    headless Chromium, its plot at the top of the page; findings grouped by severity
    and rule, the filter bar shown and working (a shared link's filter applies)."""
    chromium = require_client("chromium", "the HTML report is checked in a real browser")
    kg = corpus_dir("docx") / "kgreview__manuscript.docx"
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(kg, inbox)
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "batch", str(inbox), "--out", str(tmp_path / "out"), "--jobs", "1"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    report = tmp_path / "out" / "report.html"
    html = report.read_text("utf-8")
    assert "199 references" in html
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-199-references.png"
    shot.unlink(missing_ok=True)
    base = [chromium, *_chromium_args(tmp_path / "profile")]
    run = subprocess.run([*base, f"--screenshot={shot}", "--window-size=1280,1600", report.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    dom = subprocess.run([*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180).stdout
    assert 'class=" js"' in dom or "class=\"js\"" in dom or " js" in re.search(r"<html[^>]*>", dom).group(0)
    data = json.loads((tmp_path / "out" / "json" / "kgreview__manuscript.docx.json").read_text("utf-8"))
    groups = {(f["severity"], f["code"]) for f in data["findings"]}
    assert len(groups) >= 2  # one <details> per severity and rule
    assert dom.count("<details class=\"rule\"") == len(groups)
    assert dom.count("class=\"sevgroup\"") == len({sev for sev, _ in groups})
    assert "width=\"560\"" in dom  # the wide plot for a long list
    assert "hidden" not in re.search(r"<li class=\"finding\"[^>]*>", dom).group(0)  # everything shown at first
    # a link that filters to one severity and rule hides every other finding (and emptied groups)
    sev, code = sorted(groups)[0]
    filtered = subprocess.run([*base, "--dump-dom", report.as_uri() + f"#sev={sev}&code={code}"],
                              capture_output=True, text=True, timeout=180).stdout
    shown = re.findall(r"<li class=\"finding\"([^>]*)>", filtered)
    visible = [a for a in shown if "hidden" not in a]
    assert visible and all(f'data-code="{code}"' in a and f'data-sev="{sev}"' in a for a in visible)
    assert len(visible) < len(shown)


def test_sequence_plot_stays_readable_with_199_references() -> None:
    """199 references, one flagged out of sequence: the in-order points are small and faint,
    the flagged one a red cross with a stem, both axes ticked, a wider plot."""
    numbers = list(range(1, 200))
    numbers[40], numbers[149] = numbers[149], numbers[40]  # [150] cited early, [41] late
    svg = sequence_svg({"numbers": numbers, "out_of_sequence": [150], "references": 199})
    assert 'width="560"' in svg and svg.count("<circle") == 198
    assert 'fill-opacity="0.4"' in svg and 'r="1.3"' in svg
    assert svg.count("out of sequence</title>") == 1 and svg.count('stroke="#c0392b"') == 1
    assert svg.index("out of sequence</title>") > svg.rindex("<circle")  # the crosses are drawn on top
    ticks = re.findall(r'text-anchor="middle" fill="#566573">(\d+)</text>', svg)
    assert ticks[:3] == ["1", "50", "100"]  # the x axis is ticked, not just the y axis


def test_family_bars_share_one_scale() -> None:
    """The same count draws the same bar in every manuscript of a batch."""
    a = families_svg({"RC1": 2, "RC2": 0, "RC3": 0, "RC4": 0}, scale=20)
    b = families_svg({"RC1": 2, "RC2": 20, "RC3": 0, "RC4": 0}, scale=20)
    width = re.compile(r'<rect x="150" y="[\d.]+" width="([\d.]+)"')
    assert width.findall(a)[0] == width.findall(b)[0] == "11.0"
    assert ">20</text>" in a  # the scale's end is labelled
