"""What ``refcheck check`` prints for people and CI logs (issue 16): one line per finding
at 120 columns (``path:line:col``; DOCX ``path:¶N`` with the section and the
sentence's first words, which Word's Find locates), the flagged words quoted once,
``--output-format full``, ``--output-format github`` and ``--statistics``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

from refcheck.confidence import DEFAULT_MIN, visible
from refcheck.engine import check_file, read_manuscript
from refcheck.reporters.terminal import cells, cut

REFCHECK = [sys.executable, "-m", "refcheck.cli"]
SHARED = Path("/work/shared/examples/seed-review-superscript.docx")
# The acceptance command of issue 16 names the shared copy (a long absolute path).
SUPERSCRIPT = SHARED if SHARED.exists() else EXAMPLE_FILES["superscript"]
DOCX_LINE = re.compile(r"^(?P<path>.+?):¶(?P<para>\d+) (?P<where>.*?): (?P<code>RC\d{3}) (?P<sev>error|warning|info) (?P<msg>.+)$")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REFCHECK, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300,
                          encoding="utf-8")


def finding_lines(stdout: str) -> list[str]:
    return stdout.splitlines()[:-1]  # the last line is the summary


def test_cut_keeps_width_and_words() -> None:
    text = "“remarkable”, “excellent” and “crucial” promote the claim, and the sentence gives no citation"
    short = cut(text, 40)
    assert cells(short) <= 40 and short.endswith("…") and text.startswith(short[:-1])
    assert not short[:-1].endswith(" ") and cut(text, 500) == text
    assert cells(cut("肝衰竭的治疗前景非常广阔" * 3, 11)) <= 11  # wide characters take two columns


@pytest.mark.parametrize("where", ["acceptance", "deep-folder"])
def test_the_example_docx_is_one_line_per_finding_at_120_columns(where: str, tmp_path: Path) -> None:
    path, cwd = SUPERSCRIPT, None
    if where == "deep-folder":  # a longer path than the acceptance command's (51 characters) still fits
        path, cwd = Path("submissions/2026/editor-round-two") / SUPERSCRIPT.name, tmp_path
        (tmp_path / path).parent.mkdir(parents=True)
        shutil.copy(SUPERSCRIPT, tmp_path / path)
        assert len(str(path)) > len(str(SHARED))
    proc = run("check", path, cwd=cwd)
    assert proc.returncode == 1, proc.stderr
    lines = finding_lines(proc.stdout)
    path_read = path if cwd is None else tmp_path / path
    result = check_file(path_read)
    shown = visible(result.findings, DEFAULT_MIN)  # the terminal shows those of min-confidence medium
    assert len(lines) == len(shown) > 30
    assert proc.stdout.splitlines()[-1].startswith(f"{len(shown)} findings")
    ms = read_manuscript(path_read)
    para_text = {b.anchor[1] + 1: b.text for b in ms.blocks if b.anchor[0] == "body"}
    quoted = 0
    for line in lines:
        assert cells(line) <= 120, line
        m = DOCX_LINE.match(line)
        assert m and m["path"] == str(path), line
        words = re.search(r"“([^”]+?)…?”", m["where"])
        if words:  # the sentence's first words, exactly as in the paragraph: Word's Find finds them
            quoted += 1
            assert words.group(1).rstrip("…") in para_text[int(m["para"])], line
    if where == "acceptance":
        assert quoted == len(lines)
        assert all(DOCX_LINE.match(x)["where"].split("“")[0].strip() for x in lines)  # a section for each


def test_flagged_words_are_quoted_once() -> None:
    lines = finding_lines(run("check", SUPERSCRIPT, "--select", "RC301,RC401").stdout)
    one = next(x for x in lines if "“remarkable”, “excellent”" in x)
    assert one.count("“remarkable”") == 1 and '"remarkable"' not in one
    text_lines = finding_lines(run("check", EXAMPLE_FILES["txt"], "--select", "RC401").stdout)
    assert text_lines
    for line in text_lines:  # “Research indicates” attributes …, not "Research indicates": “Research …
        phrase = re.search(r" RC401 \w+ “([^”]+)”", line).group(1)
        assert line.count(phrase) == 1, line


def test_text_lines_point_at_the_flagged_text() -> None:
    path = EXAMPLE_FILES["txt"]
    lines = finding_lines(run("check", path).stdout)
    source = path.read_text("utf-8").splitlines()
    for line in lines:
        m = re.match(rf"^{re.escape(str(path))}:(\d+):(\d+): (RC\d{{3}}) (error|warning|info) ", line)
        assert m and cells(line) <= 120, line
    first = next(x for x in lines if " RC101 " in x)
    row, col = map(int, re.match(rf"^{re.escape(str(path))}:(\d+):(\d+):", first).groups())
    assert source[row - 1][col - 1] == "["


def test_format_text_is_still_the_concise_output() -> None:
    concise = run("check", EXAMPLE_FILES["txt"], "--output-format", "concise").stdout
    assert run("check", EXAMPLE_FILES["txt"], "--format", "text").stdout == concise
    assert run("check", EXAMPLE_FILES["txt"]).stdout == concise
    assert json.loads(run("check", EXAMPLE_FILES["txt"], "--output-format", "json").stdout)["files"]


def test_full_adds_the_sentence_and_the_fix() -> None:
    proc = run("check", SUPERSCRIPT, "--select", "RC301", "--output-format", "full")
    blocks = proc.stdout.strip().split("\n\n")
    stacked = next(b for b in blocks if "“key”, “unique” and “remarkable”" in b)
    head, *rest = stacked.splitlines()
    assert re.search(r"RC301 error unsupported-superlative \[(high|medium) confidence\]", head), head
    sentence = " ".join(x[4:] for x in rest if x.startswith("  | "))
    assert sentence.startswith("In conclusion, hUC-MSCs have become a key research focus")
    assert any(x.startswith("  = fix: ") for x in rest)
    assert blocks[-1].startswith(f"{len(blocks) - 1} findings")


def test_github_annotations() -> None:
    txt = run("check", EXAMPLE_FILES["txt"], "--output-format", "github")
    assert txt.returncode == 1
    lines = txt.stdout.splitlines()
    assert lines and all(x.startswith("::") for x in lines)  # no raw line break inside a command
    pattern = re.compile(r"^::(warning|error|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=\d+,endColumn=\d+,"
                         r"title=(RC\d{3})::(.+)$")
    for x in lines:
        m = pattern.match(x)
        assert m and m.group(2) == str(EXAMPLE_FILES["txt"]).replace(":", "%3A"), x
    assert any(x.startswith("::notice ") for x in lines) and any("%0AFix: " in x for x in lines)
    docx = run("check", SUPERSCRIPT, "--output-format", "github").stdout.splitlines()
    assert docx and all(re.match(r"^::(warning|error|notice) file=[^,]+,title=RC\d{3}::[a-z-]+: ¶\d+ ", x) for x in docx)
    assert not any(",line=" in x for x in docx)


def test_statistics(tmp_path: Path) -> None:
    proc = run("check", EXAMPLE_FILES["txt"], "--statistics")
    assert proc.returncode == 1
    *rows, summary = proc.stdout.splitlines()
    parsed = [re.match(r"^\s*(\d+)  (RC\d{3})  ([a-z-]+)\s+(.+)$", r) for r in rows]
    assert all(parsed), rows
    counts = [int(m.group(1)) for m in parsed]
    assert counts == sorted(counts, reverse=True) and summary.startswith(f"{sum(counts)} findings")
    shown = len(finding_lines(run("check", EXAMPLE_FILES["txt"]).stdout))
    assert sum(counts) == shown
    data = json.loads(run("check", EXAMPLE_FILES["txt"], "--statistics", "--output-format", "json").stdout)
    assert {d["code"]: d["count"] for d in data}["RC202"] == next(c for c, m in zip(counts, parsed, strict=True)
                                                                  if m.group(2) == "RC202")
    assert "RC301" in run("check", EXAMPLE_FILES["txt"], "--statistics", "-q").stdout
    assert "findings" not in run("check", EXAMPLE_FILES["txt"], "--statistics", "-q").stdout
