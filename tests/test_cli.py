"""The command line as users meet it: output lines, JSON contract, exit codes, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

REFCHECK = [sys.executable, "-m", "refcheck.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REFCHECK, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_check_prints_findings_and_exits_1() -> None:
    proc = run("check", str(EXAMPLE_FILES["txt"]), "--select", "RC1")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{EXAMPLE_FILES['txt']}:57:") and " RC101 " in lines[0]
    assert lines[-1].startswith("2 findings")


def test_fail_on_error_lets_warnings_pass() -> None:
    assert run("check", str(EXAMPLE_FILES["txt"]), "--select", "RC1", "--fail-on", "error").returncode == 0


def test_json_contract() -> None:
    proc = run("check", str(EXAMPLE_FILES["docx"]), "--select", "RC101", "--format", "json")
    data = json.loads(proc.stdout)
    assert set(data) == {"refcheck", "files"}
    (file,) = data["files"]
    assert file["error"] is None and len(file["references"]) == 32
    assert set(file["references"][0]) == {"number", "title", "year", "doi", "cited"}
    f = file["findings"][0]
    assert set(f) >= {"code", "name", "severity", "message", "section", "line", "column", "block", "start",
                      "end", "text", "excerpt", "references", "suggestion", "data"}
    assert f["code"] == "RC101" and f["references"] == [13] and f["text"] == "[13]"


def test_ignore_prefix() -> None:
    proc = run("check", str(EXAMPLE_FILES["txt"]), "--select", "RC1", "--ignore", "RC10")
    assert proc.returncode == 0 and proc.stdout.strip().startswith("0 findings")


def test_config_file_found_upward(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.refcheck]\nselect = ["RC101"]\n[tool.refcheck.severity]\nRC101 = "info"\n')
    sub = tmp_path / "submissions"
    sub.mkdir()
    target = sub / "review.txt"
    target.write_bytes(EXAMPLE_FILES["txt"].read_bytes())
    proc = run("check", str(target))
    assert proc.returncode == 0, proc.stdout  # info is below the default fail-on
    assert "RC101" in proc.stdout and "2 findings (0 error, 0 warning, 2 info)" in proc.stdout


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "a directory with no manuscripts"),  # a folder is searched; an empty one is an error
        (lambda d: _write(d / "empty.txt", b""), "empty file"),
        (lambda d: _write(d / "photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64)), "unsupported file type"),
    ],
    ids=["missing", "empty-directory", "empty", "not-a-document"],
)
def test_unreadable_input_is_one_line_exit_2(tmp_path: Path, make, problem: str) -> None:
    path = make(tmp_path)
    proc = run("check", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and str(path) in err[0] and problem in err[0]


def test_rules_lists_every_rule_and_documents_one() -> None:
    listing = run("rules").stdout
    for code in ("RC101", "RC102", "RC103", "RC104", "RC105", "RC106"):
        assert code in listing
    doc = run("rules", "RC104").stdout
    for section in ("What it flags:", "Why it matters:", "Example:", "How to fix:"):
        assert section in doc
    assert run("rules", "RC999").returncode == 2


def test_python_api_on_text() -> None:
    import refcheck

    result = refcheck.check("Cells help [2]. More [1].\n\n# References\n\n[1] A. One. J. 2020.\n[2] B. Two. J. 2020.\n")
    assert [f.code for f in result.findings if f.code.startswith("RC1")] == ["RC101"]
