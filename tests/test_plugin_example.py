"""The example third-party plugin behaves like a built-in rule, end to end.

It is pip-installed into the running environment for this module and uninstalled
afterwards; the CLI runs in subprocesses because the plugin manager is cached per
process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CORPUS, EXAMPLE_FILES, ROOT

PLUGIN = ROOT / "examples" / "refcheck-plugin-example"


def refcheck(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "refcheck.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def installed() -> None:
    pip = [sys.executable, "-m", "pip"]
    proc = subprocess.run([*pip, "install", "-q", "--no-deps", "--no-build-isolation", str(PLUGIN)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    try:
        yield
    finally:
        subprocess.run([*pip, "uninstall", "-y", "-q", "refcheck-banned-phrases"], capture_output=True, timeout=600)
        shutil.rmtree(PLUGIN / "build", ignore_errors=True)
        for egg in PLUGIN.glob("*.egg-info"):
            shutil.rmtree(egg, ignore_errors=True)


@pytest.fixture()
def journal(tmp_path: Path) -> Path:
    """A submissions folder whose configuration bans one phrase the seed review uses."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.refcheck.options.JB001]\nphrases = ["research hotspot"]\n', "utf-8")
    shutil.copy(EXAMPLE_FILES["txt"], tmp_path)
    shutil.copy(EXAMPLE_FILES["docx"], tmp_path)
    return tmp_path


def test_listed_and_documented(installed: None) -> None:
    table = refcheck("rules").stdout
    assert any(line.startswith("JB001") and "banned-phrase" in line for line in table.splitlines())
    doc = refcheck("rules", "JB001").stdout
    assert "Why it matters:" in doc and "phrases = " in doc


def test_configurable_and_selectable_in_json(installed: None, journal: Path) -> None:
    proc = refcheck("check", "--format", "json", "seed-review.txt", cwd=journal)
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    ours = [f for f in findings if f["code"] == "JB001"]
    assert [f["text"].lower() for f in ours] == ["research hotspot"]
    assert ours[0]["line"] and ours[0]["message"].startswith("“research hotspot”")
    assert any(f["code"].startswith("RC") for f in findings)
    only = json.loads(refcheck("check", "--format", "json", "--select", "JB001", "seed-review.txt", cwd=journal).stdout)
    assert {f["code"] for f in only["files"][0]["findings"]} == {"JB001"}
    ignored = json.loads(refcheck("check", "--format", "json", "--ignore", "JB", "seed-review.txt", cwd=journal).stdout)
    assert all(f["code"] != "JB001" for f in ignored["files"][0]["findings"])


def test_default_phrases_without_configuration(installed: None, tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("# Note\n\nThis is a paradigm shift for hepatology [1].\n\n## References\n\n1. A B. C. D. 2020.\n")
    out = json.loads(refcheck("check", "--format", "json", "--select", "JB001", "x.md", cwd=tmp_path).stdout)
    assert [f["text"] for f in out["files"][0]["findings"]] == ["paradigm shift"]


def test_in_sarif_and_word_comments(installed: None, journal: Path) -> None:
    sarif = json.loads(refcheck("check", "--format", "sarif", "--select", "JB001", "seed-review.docx", cwd=journal).stdout)
    schema = CORPUS / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():
        jsonschema.validate(sarif, json.loads(schema.read_text("utf-8")))
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]].count("JB001") == 1
    assert [r["ruleId"] for r in run["results"]] == ["JB001"]
    proc = refcheck("annotate", "seed-review.docx", "-o", "out.docx", "--select", "JB001", cwd=journal)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(journal / "out.docx") as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert "JB001" in comments and "banned phrases" in comments


def test_its_family_gets_a_column_and_bars_in_a_batch(installed: None, journal: Path) -> None:
    """The plugin declares its family (refcheck_rule_families); batch reads it from the
    registry: a "JB" column in summary.csv and a "JB journal house style" bar in
    report.html, next to the built-in families, with no change to refcheck."""
    proc = refcheck("batch", str(journal), "--out", str(journal / "out"), cwd=journal)
    assert proc.returncode in (0, 1), proc.stderr
    import csv

    rows = list(csv.DictReader((journal / "out" / "summary.csv").open(encoding="utf-8")))
    assert "JB" in rows[0] and "RC1" in rows[0]
    seed = next(r for r in rows if r["manuscript"].endswith("seed-review.txt"))
    assert int(seed["JB"]) == 1  # "research hotspot"
    html = (journal / "out" / "report.html").read_text("utf-8")
    assert ">JB journal house style</text>" in html and "<th class=''>JB</th>" in html
