"""The hook in .pre-commit-hooks.yaml with the real pre-commit client.

pre-commit clones this repository at a commit and pip-installs it into its own
environment (network to the package index, slow): the install happens once per test
session, in one PRE_COMMIT_HOME.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_FILES, ROOT, require_client

pytestmark = pytest.mark.client

CLEAN = """# Bile acids and the liver

Bile acids are synthesised in hepatocytes from cholesterol [1]. They are conjugated
before secretion into bile [2].

## References

1. Russell DW. The enzymes, regulation, and genetics of bile acid synthesis. Annu Rev Biochem. 2003;72:137-174.
2. Hofmann AF. The continuing importance of bile acids in liver and intestinal disease. Arch Intern Med. 1999;159:2647-2658.
"""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=1800)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A user's repository whose .pre-commit-config.yaml points at a clone of refcheck at HEAD."""
    require_client("git")
    pre_commit = shutil.which("pre-commit") or str(Path(os.sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        require_client("pre-commit", "pip install pre-commit")
    base = tmp_path_factory.mktemp("precommit")
    src = base / "refcheck-src"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(src)], check=True, timeout=300)
    sha = _git(src, "rev-parse", "HEAD").stdout.strip()
    assert (src / ".pre-commit-hooks.yaml").is_file(), "commit .pre-commit-hooks.yaml first"
    repo = base / "paper"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src.as_uri()}\n    rev: {sha}\n    hooks:\n      - id: refcheck\n", "utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "PATH": f"{Path(pre_commit).parent}:{os.environ['PATH']}"}
    subprocess.run([pre_commit, "install"], cwd=repo, check=True, env=env, capture_output=True, timeout=120)
    _git(repo, "add", ".pre-commit-config.yaml")
    first = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "config"],
                           cwd=repo, env=env, capture_output=True, text=True, timeout=1800)
    assert first.returncode == 0, first.stdout + first.stderr
    return repo, env


def _commit(repo: Path, env: dict[str, str], name: str, message: str) -> subprocess.CompletedProcess:
    _git(repo, "add", name)
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-m", message],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=1800)


def test_commit_of_example_manuscript_fails_with_findings(hook_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = hook_repo
    shutil.copy(EXAMPLE_FILES["txt"], repo / "seed-review.txt")
    proc = _commit(repo, env, "seed-review.txt", "add review")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "refcheck" in out and "Failed" in out
    assert "seed-review.txt:" in out and "RC101 warning" in out
    assert not list(repo.glob("*.refcheck.*")), "the hook must not annotate"
    _git(repo, "reset", "-q", "HEAD", "seed-review.txt")
    (repo / "seed-review.txt").unlink()


def test_commit_of_clean_manuscript_passes(hook_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = hook_repo
    (repo / "note.md").write_text(CLEAN, "utf-8")
    proc = _commit(repo, env, "note.md", "add note")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout + proc.stderr


def test_readme_and_refcheck_outputs_are_not_checked(hook_repo: tuple[Path, dict[str, str]]) -> None:
    """A manuscript repository's README and refcheck's own annotated copies are not
    manuscripts: the hook's default exclude leaves them alone."""
    repo, env = hook_repo
    hype = "# A draft\n\nStudies demonstrate that this remarkable, unique approach is crucial for patients.\n"
    for name in ("README.md", "docs/CHANGELOG.md", "paper.refcheck.md", "requirements-dev.txt"):
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(hype, "utf-8")
        _git(repo, "add", name)
    (repo / "draft.md").write_text(hype, "utf-8")  # a manuscript: still checked
    proc = _commit(repo, env, "draft.md", "add files")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "draft.md:" in out, out
    for name in ("README.md", "CHANGELOG.md", "paper.refcheck.md", "requirements-dev.txt"):
        assert f"{name}:" not in out, out
    _git(repo, "rm", "-q", "--cached", "draft.md")
    proc = _commit(repo, env, "README.md", "add readme and the rest")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_latex_example_fails_and_a_clean_latex_manuscript_passes(hook_repo: tuple[Path, dict[str, str]]) -> None:
    """#19: the hook matches .tex.  The example review in LaTeX (its thebibliography in
    the example's order) fails on RC101; a clean LaTeX manuscript passes."""
    from tests.test_latex_manuscripts import seed_review_latex

    repo, env = hook_repo
    (repo / "seed-review.tex").write_text(seed_review_latex(), "utf-8")
    proc = _commit(repo, env, "seed-review.tex", "add LaTeX review")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert re.search(r"seed-review\.tex:\d+:\d+: RC101 warning", out), out
    _git(repo, "reset", "-q", "HEAD", "seed-review.tex")
    (repo / "seed-review.tex").unlink()
    (repo / "clean.tex").write_text(seed_review_latex("clean"), "utf-8")
    proc = _commit(repo, env, "clean.tex", "add clean LaTeX")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout + proc.stderr
