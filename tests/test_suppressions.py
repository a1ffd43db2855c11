"""Silencing accepted findings (issue 17): inline Markdown suppressions,
``per-file-ignores`` and a baseline — with the real pre-commit client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES, ROOT, require_client

import refcheck
from refcheck.config import config_from_table

REFCHECK = [sys.executable, "-m", "refcheck.cli"]
HYPE = "This remarkable result is unprecedented."
RC301 = config_from_table({"select": ["RC301", "RC401"]})


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REFCHECK, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def lines_flagged(text: str, config=RC301) -> list[tuple[int, str]]:
    result = refcheck.check(text=text, config=config)
    return [(f.line, f.code) for f in result.findings]


# -- inline, Markdown ----------------------------------------------------------------------


def test_disable_next_line() -> None:
    text = f"# Results\n\n{HYPE}\n\n<!-- refcheck: disable-next-line=RC301 -->\n{HYPE}\n\n{HYPE}\n"
    assert lines_flagged(text) == [(3, "RC301"), (8, "RC301")]


def test_disable_and_enable_a_region() -> None:
    text = (f"# Results\n\n<!-- refcheck: disable=RC301 -->\n{HYPE}\n\n{HYPE}\n\n"
            f"<!-- refcheck: enable=RC301 -->\n{HYPE}\n")
    assert lines_flagged(text) == [(9, "RC301")]


def test_disable_everything_by_name_or_all() -> None:
    both = f"{HYPE}\n\nMore text here. Many studies have shown that this works in mice."
    assert sorted(c for _, c in lines_flagged(f"# Results\n\n{both}\n")) == ["RC301", "RC401"]
    assert lines_flagged(f"# Results\n\n<!-- refcheck: disable -->\n{both}\n") == []
    assert lines_flagged(f"# Results\n\n<!-- refcheck: disable=ALL -->\n{both}\n") == []
    text = f"# Results\n\n<!-- refcheck:disable=unsupported-superlative -->\n{both}\n"
    assert [c for _, c in lines_flagged(text)] == ["RC401"]


def test_a_directive_in_a_code_block_is_text() -> None:
    text = f"# Results\n\n```\n<!-- refcheck: disable=RC301 -->\n```\n\n{HYPE}\n"
    assert lines_flagged(text) == [(7, "RC301")]


def test_unused_suppression_is_an_info_finding_and_unknown_codes_a_notice(tmp_path: Path) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(f"# Results\n\n<!-- refcheck: disable=RC302 -->\nPlain words here [1].\n\n"
                     f"<!-- refcheck: disable-next-line=RC3O1 -->\n{HYPE}\n", "utf-8")
    result = refcheck.check(paper, {"select": ["RC3", "RC001"]})
    assert [f.line for f in result.findings if f.code == "RC301"] == [7]  # an unknown code silences nothing
    unused = [f for f in result.findings if f.code == "RC001"]
    assert [(f.line, f.column, f.severity.value, f.name) for f in unused] == [(3, 1, "info", "unused-suppression")]
    assert "<!-- refcheck: disable=RC302 --> suppresses nothing" in unused[0].message
    notes = "\n".join(result.notices)
    assert "suppresses nothing" not in notes and "unused suppression" not in notes
    assert f"{paper}:6:1: suppression names unknown rule RC3O1 — did you mean RC301?" in notes
    proc = run("check", paper, "--select", "RC3,RC001")
    assert f"{paper.name}:3:1: RC001 info" in proc.stdout.replace(str(paper), paper.name), proc.stdout
    assert "did you mean RC301" in proc.stderr
    # RC001 not selected, or the suppressed rule did not run (it cannot be judged): no finding
    assert not [f for f in refcheck.check(paper, {"select": ["RC3"]}).findings if f.code == "RC001"]
    assert not [f for f in refcheck.check(paper, {"select": ["RC1", "RC001"]}).findings if f.code == "RC001"]


def test_suppressions_hold_in_annotate(tmp_path: Path) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(f"# Results\n\n<!-- refcheck: disable-next-line -->\n{HYPE}\n\n{HYPE}\n", "utf-8")
    # a lone hype word is low confidence (hidden by default); this test is about suppressions
    proc = run("annotate", paper, "--select", "RC301", "--no-summary", "--min-confidence", "low")
    assert proc.returncode == 0 and "(1 finding as comments)" in proc.stdout, proc.stdout + proc.stderr


# -- per-file-ignores ------------------------------------------------------------------------


def test_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    for name in ("paper.md", "drafts/early.md"):
        (tmp_path / name).write_text(f"# Results\n\n{HYPE}\n", "utf-8")
    # a lone hype word is low confidence: shown here, since the test is about which files
    (tmp_path / "refcheck.toml").write_text('select = ["RC301"]\nmin-confidence = "low"\n[per-file-ignores]\n"drafts/*.md" = ["RC3"]\n')
    proc = run("check", ".", cwd=tmp_path)
    assert "paper.md:3:" in proc.stdout and "early.md" not in proc.stdout, proc.stdout
    (tmp_path / "refcheck.toml").write_text('select = ["RC301"]\nmin-confidence = "low"\n[per-file-ignores]\n"paper.md" = ["RC301"]\n')
    proc = run("check", ".", cwd=tmp_path)  # a bare name matches in any folder
    assert "drafts/early.md:3:" in proc.stdout and "paper.md:3" not in proc.stdout.replace("early", "")
    (tmp_path / "refcheck.toml").write_text('[per-file-ignores]\n"*.md" = ["RC3O1"]\n')
    proc = run("check", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "per-file-ignores" in proc.stderr and "did you mean RC301" in proc.stderr


# -- baseline ---------------------------------------------------------------------------------


def test_baseline_hides_recorded_findings_and_shows_new_ones(tmp_path: Path) -> None:
    paper = tmp_path / "review.txt"
    shutil.copy(EXAMPLE_FILES["txt"], paper)
    n = len(json.loads(run("check", "review.txt", "--format", "json", cwd=tmp_path).stdout)["files"][0]["findings"])
    assert n > 10
    wrote = run("check", "review.txt", "--write-baseline", "refcheck-baseline.json", cwd=tmp_path)
    assert wrote.returncode == 0 and f"{n} findings accepted" in wrote.stderr, wrote.stderr
    data = json.loads((tmp_path / "refcheck-baseline.json").read_text("utf-8"))
    assert data["refcheck_baseline"] == 1 and {row["path"] for row in data["findings"]} == {"review.txt"}
    assert sum(row["count"] for row in data["findings"]) == n

    same = run("check", "review.txt", "--baseline", "refcheck-baseline.json", cwd=tmp_path)
    assert same.returncode == 0 and same.stdout.startswith("0 findings") and f"{n} findings in the baseline" in same.stderr

    # a new hype sentence far from the top: lines below it move, yet only it is new
    text = paper.read_text("utf-8")
    anchor = "\n\n"
    at = text.index(anchor, len(text) // 3)
    paper.write_text(text[:at] + "\n\nThis remarkable and unprecedented approach is unique." + text[at:], "utf-8")
    (tmp_path / "elsewhere").mkdir()
    new = run("check", "../review.txt", "--baseline", "../refcheck-baseline.json", cwd=tmp_path / "elsewhere")
    assert new.returncode == 1, new.stdout + new.stderr
    found = [line for line in new.stdout.splitlines() if ": RC" in line]
    assert len(found) == 1 and "RC301" in found[0], found


def test_bad_baseline_is_one_line(tmp_path: Path) -> None:
    for content, needle in ((None, "no such baseline file"), ("{", "invalid JSON"), ("[]", "not a refcheck baseline")):
        path = tmp_path / "b.json"
        if content is not None:
            path.write_text(content)
        proc = run("check", EXAMPLE_FILES["txt"], "--baseline", path)
        assert proc.returncode == 2 and needle in proc.stderr and "internal error" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


# -- the real pre-commit client, with a baseline --------------------------------------------------


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env or {}), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=1800)


@pytest.mark.client
def test_precommit_hook_with_a_baseline(tmp_path: Path) -> None:
    """pre-commit installs refcheck from a snapshot of this working tree (so the test
    sees the code under test, committed or not), and a manuscript with findings is
    committed once its baseline is: the hook then fails only on a new finding."""
    require_client("git")
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        require_client("pre-commit", "pip install pre-commit")
    src = tmp_path / "refcheck-src"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _git(src, "init", "-q")
    _git(src, "add", "-A")
    assert _git(src, "commit", "-qm", "snapshot").returncode == 0
    sha = _git(src, "rev-parse", "HEAD").stdout.strip()

    repo = tmp_path / "paper"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src.as_uri()}\n    rev: {sha}\n    hooks:\n      - id: refcheck\n"
        "        args: [--baseline, refcheck-baseline.json]\n", "utf-8")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "cache"), "PATH": f"{Path(pre_commit).parent}:{os.environ['PATH']}"}
    full_env = {**os.environ, **env}
    subprocess.run([pre_commit, "install"], cwd=repo, check=True, env=full_env, capture_output=True, timeout=120)
    shutil.copy(EXAMPLE_FILES["txt"], repo / "seed-review.txt")
    wrote = run("check", "seed-review.txt", "--write-baseline", "refcheck-baseline.json", cwd=repo)
    assert wrote.returncode == 0, wrote.stderr
    _git(repo, "add", ".pre-commit-config.yaml", "refcheck-baseline.json", "seed-review.txt")
    first = _git(repo, "commit", "-m", "manuscript and baseline", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Passed" in first.stdout + first.stderr

    text = (repo / "seed-review.txt").read_text("utf-8")
    at = text.index("\n\n", len(text) // 2)
    (repo / "seed-review.txt").write_text(text[:at] + "\n\nThis remarkable approach is unprecedented." + text[at:], "utf-8")
    _git(repo, "add", "seed-review.txt")
    second = _git(repo, "commit", "-m", "a new claim", env=env)
    out = second.stdout + second.stderr
    assert second.returncode != 0 and "Failed" in out, out
    assert out.count("seed-review.txt:") == 1 and "RC301" in out, out
