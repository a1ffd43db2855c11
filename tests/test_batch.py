"""``refcheck batch`` over the examples, real corpus articles and a broken file."""

from __future__ import annotations

import csv
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CORPUS, EXAMPLE_FILES, corpus_dir, report_schema

JATS = ["plos__journal.pmed.1000097.xml", "plos__journal.pmed.0020007.xml"]
COMPARED = ["summary.csv", "report.html", "manifest.json"]


def batch(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refcheck.cli", "batch", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus_dir("jats")
    root = tmp_path_factory.mktemp("desk")
    inbox = root / "in"
    inbox.mkdir()
    for p in EXAMPLE_FILES.values():
        shutil.copy(p, inbox)
    for name in JATS:
        shutil.copy(CORPUS / "jats" / name, inbox)
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    return root


@pytest.fixture(scope="module")
def first_run(desk: Path) -> subprocess.CompletedProcess:
    return batch("in", "--out", "out1", "--jobs", "1", cwd=desk)


def test_outputs_and_error_row(desk: Path, first_run: subprocess.CompletedProcess) -> None:
    assert first_run.returncode == 2, first_run.stderr  # one unreadable file
    assert "Traceback" not in first_run.stderr
    assert "broken.docx: is a corrupt" in first_run.stderr
    out = desk / "out1"
    rows = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))
    assert len(rows) == len(EXAMPLE_FILES) + len(JATS) + 1
    assert rows[0]["manuscript"] == "broken.docx" and rows[0]["status"] == "error"
    ok = [r for r in rows if r["status"] == "ok"]
    scores = [int(r["triage_score"]) for r in ok]
    assert scores == sorted(scores, reverse=True)  # worst first
    file_schema = report_schema("file")
    for r in rows:  # every manuscript's JSON, the unreadable one's too, is the contract's file object
        jsonschema.validate(json.loads((out / r["json"]).read_text("utf-8")), file_schema)
    for r in ok:
        data = json.loads((out / r["json"]).read_text("utf-8"))
        findings = data["findings"]
        # summary counts agree with the manuscript's own JSON
        assert int(r["errors"]) + int(r["warnings"]) + int(r["info"]) == len(findings)
        assert int(r["RC1"]) == sum(1 for f in findings if f["code"].startswith("RC1"))
        assert int(r["triage_score"]) == sum({"error": 5, "warning": 2, "info": 1}[f["severity"]] for f in findings)
        assert int(r["references"]) == len(data["references"]) and int(r["words"]) > 100
        if r["path"].endswith((".docx", ".txt")):
            assert (out / r["annotated"]).is_file()
    txt = next(r for r in ok if r["manuscript"] == "seed-review.txt")
    annotated = (out / txt["annotated"]).read_text("utf-8")
    assert "{>>RC101" in annotated or "RC101" in annotated
    assert int(txt["RC1"]) >= 2  # the seed review's two out-of-order citations
    html = (out / "report.html").read_text("utf-8")
    assert html.count("<tr") == len(rows) + 1
    assert "<script src" not in html and "<link" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_second_run_skips_unchanged_and_force_redoes(desk: Path, first_run: subprocess.CompletedProcess) -> None:
    out = desk / "out1"
    before = {n: (out / n).read_bytes() for n in COMPARED}
    again = batch("in", "--out", "out1", "--jobs", "1", cwd=desk)
    assert again.returncode == 2
    assert f"0 checked, {len(EXAMPLE_FILES) + len(JATS) + 1} unchanged" in again.stderr
    assert {n: (out / n).read_bytes() for n in COMPARED} == before
    # a changed manuscript is redone, the others are not
    changed = desk / "in" / "seed-review.txt"
    changed.write_text(changed.read_text("utf-8") + "\nA closing sentence.\n", "utf-8")
    third = batch("in", "--out", "out1", "--jobs", "1", cwd=desk)
    assert "1 checked" in third.stderr
    forced = batch("in", "--out", "out1", "--jobs", "1", "--force", cwd=desk)
    assert f"{len(EXAMPLE_FILES) + len(JATS) + 1} checked, 0 unchanged" in forced.stderr


def test_jobs_two_is_identical_to_jobs_one(desk: Path, first_run: subprocess.CompletedProcess) -> None:
    one = batch("in", "--out", "j1", "--jobs", "1", cwd=desk)
    two = batch("in", "--out", "j2", "--jobs", "2", cwd=desk)
    assert one.returncode == two.returncode == 2
    cmp = filecmp.dircmp(desk / "j1", desk / "j2")
    assert sorted(cmp.left_list) == sorted(cmp.right_list)
    for name in COMPARED:
        assert (desk / "j1" / name).read_bytes() == (desk / "j2" / name).read_bytes(), name
    for sub in ("json", "annotated"):
        files = sorted(p.name for p in (desk / "j1" / sub).iterdir())
        assert files == sorted(p.name for p in (desk / "j2" / sub).iterdir())
        match, mismatch, errors = filecmp.cmpfiles(desk / "j1" / sub, desk / "j2" / sub, [f for f in files if not f.endswith(".docx")], shallow=False)
        assert not mismatch and not errors, mismatch


def test_clean_batch_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "clean.md").write_text("# A note\n\nThe liver is an organ of the body.\n", "utf-8")
    proc = batch("clean.md", "--out", "o", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    missing = batch("nothing/*.docx", "--out", "o", cwd=tmp_path)
    assert missing.returncode == 2 and "matches no file" in missing.stderr and "Traceback" not in missing.stderr
