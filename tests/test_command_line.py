"""`refcheck check` called as ruff and flake8 are (issue 17): folders, quoted globs,
stdin, --exit-zero, --quiet; options a command ignores are not offered; --jobs is
checked; and the terminal's encoding never ends a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

REFCHECK = [sys.executable, "-m", "refcheck.cli"]


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*REFCHECK, *map(str, args)], capture_output=True, cwd=cwd, timeout=300,
                          env={**os.environ, **(env or {})}, input=stdin)


def paths_in(stdout: bytes) -> set[str]:
    """The file part of each finding line (`path:¶N:` or `path:line:col:`)."""
    out = set()
    for line in stdout.decode("utf-8").splitlines():
        if ": RC" in line:
            head = line.split(": RC", 1)[0]
            out.add(head.split(":¶")[0] if ":¶" in head else head.rsplit(":", 2)[0])
    return out


def no_internal_error(proc: subprocess.CompletedProcess[bytes]) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert "internal error" not in err and "Traceback" not in err, err


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A manuscript repository: manuscripts, hidden and venv folders, outputs, a README."""
    (tmp_path / "subs" / "late").mkdir(parents=True)
    shutil.copy(EXAMPLE_FILES["docx"], tmp_path / "subs" / "a.docx")
    shutil.copy(EXAMPLE_FILES["txt"], tmp_path / "subs" / "late" / "b.txt")
    shutil.copy(EXAMPLE_FILES["docx"], tmp_path / "subs" / "a.refcheck.docx")  # our own output
    for hidden in (".git", ".venv", "env"):
        (tmp_path / hidden).mkdir()
        shutil.copy(EXAMPLE_FILES["txt"], tmp_path / hidden / "x.md")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "README.md").write_text("# A repository\n\nThis remarkable tool is unique.\n")
    (tmp_path / "data.xml").write_text("<catalog><item/></catalog>\n")  # XML that is no article
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    return tmp_path


def test_check_a_folder_recurses_and_skips_what_is_not_a_manuscript(tree: Path) -> None:
    proc = run("check", ".", cwd=tree)
    no_internal_error(proc)
    assert proc.returncode == 1, proc.stderr
    assert paths_in(proc.stdout) == {"subs/a.docx", "subs/late/b.txt"}
    assert proc.stdout.decode().splitlines()[-1].endswith("in 2 files")


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run("check", tmp_path / "empty")
    no_internal_error(proc)
    assert proc.returncode == 2 and b"a directory with no manuscripts" in proc.stderr


def test_quoted_glob(tree: Path) -> None:
    proc = run("check", "subs/*.docx", cwd=tree)
    assert proc.returncode == 1 and paths_in(proc.stdout) == {"subs/a.docx"}
    proc = run("check", "subs/**/*.txt", cwd=tree)
    assert paths_in(proc.stdout) == {"subs/late/b.txt"}
    proc = run("check", "nothing/*.docx", cwd=tree)
    no_internal_error(proc)
    assert proc.returncode == 2 and b"nothing/*.docx: the pattern matches no manuscript" in proc.stderr


def test_stdin_with_and_without_a_name(tree: Path) -> None:
    data = EXAMPLE_FILES["txt"].read_bytes()
    by_file = run("check", EXAMPLE_FILES["txt"], "--format", "json")
    named = run("check", "-", "--stdin-filename", "subs/paper.txt", "--format", "json", cwd=tree, stdin=data)
    assert named.returncode == 1, named.stderr
    a, b = json.loads(by_file.stdout)["files"][0], json.loads(named.stdout)["files"][0]
    assert b["path"] == "subs/paper.txt" and b["error"] is None
    assert [(f["code"], f["line"], f["message"]) for f in a["findings"]] == \
        [(f["code"], f["line"], f["message"]) for f in b["findings"]]
    text = run("check", "-", cwd=tree, stdin=data)
    assert text.returncode == 1 and text.stdout.decode().startswith("-:")
    docx = run("check", "-", "--stdin-filename", "sent.docx", "--select", "RC101", stdin=EXAMPLE_FILES["docx"].read_bytes())
    assert docx.returncode == 1 and docx.stdout.decode().startswith("sent.docx:¶")
    broken = run("check", "-", "--stdin-filename", "sent.docx", stdin=b"not a zip")
    no_internal_error(broken)
    assert broken.returncode == 2 and broken.stderr.decode().startswith("refcheck: error: sent.docx: ")
    assert "refcheck-stdin" not in broken.stderr.decode()  # the temporary copy never shows


def test_stdin_filename_picks_the_configuration(tree: Path) -> None:
    (tree / "subs" / "refcheck.toml").write_text('select = ["RC101"]\n')
    proc = run("check", "-", "--stdin-filename", "subs/paper.txt", cwd=tree, stdin=EXAMPLE_FILES["txt"].read_bytes())
    assert proc.stdout.decode().splitlines()[-1].startswith("2 findings")


def test_stdin_filename_without_dash_is_an_error() -> None:
    proc = run("check", EXAMPLE_FILES["txt"], "--stdin-filename", "x.md")
    no_internal_error(proc)
    assert proc.returncode == 2 and b"give - as the PATH" in proc.stderr


def test_exit_zero_and_quiet() -> None:
    loud = run("check", EXAMPLE_FILES["txt"], "--select", "RC1")
    assert loud.returncode == 1
    quiet = run("check", EXAMPLE_FILES["txt"], "--select", "RC1", "--exit-zero", "-q")
    assert quiet.returncode == 0
    assert quiet.stdout.decode().splitlines() == loud.stdout.decode().splitlines()[:-1]  # no summary line
    assert quiet.stderr == b""
    clean = run("check", EXAMPLE_FILES["txt"], "--select", "RC105", "--quiet")
    assert clean.returncode == 0 and clean.stdout == b""
    unreadable = run("check", "missing.txt", "--exit-zero")
    assert unreadable.returncode == 2  # nothing was checked: never green


def test_commands_offer_only_options_they_honour() -> None:
    for args in (["fix", "--renumber", "--select", "RC1"], ["fix", "--renumber", "--fail-on", "error"],
                 ["annotate", "--fail-on", "error"]):
        proc = run(*args, EXAMPLE_FILES["txt"])
        assert proc.returncode == 2 and b"unrecognized arguments" in proc.stderr, (args, proc.stderr)
    assert b"--select" in run("annotate", "--help").stdout
    assert b"--select" not in run("fix", "--help").stdout


def test_annotate_honours_select(tmp_path: Path) -> None:
    src = tmp_path / "paper.txt"
    shutil.copy(EXAMPLE_FILES["txt"], src)
    proc = run("annotate", src, "--select", "RC101", "--no-summary")
    assert proc.returncode == 0 and b"(2 findings as comments)" in proc.stdout


@pytest.mark.parametrize("jobs", ["-1", "two"])
def test_jobs_is_validated(tmp_path: Path, jobs: str) -> None:
    proc = run("batch", EXAMPLE_FILES["txt"], "--out", tmp_path / "desk", "--jobs", jobs)
    no_internal_error(proc)
    assert proc.returncode == 2 and b"--jobs: expected a whole number >= 0" in proc.stderr
    assert not (tmp_path / "desk").exists()


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_terminal_encoding_never_crashes(encoding: str) -> None:
    proc = run("check", EXAMPLE_FILES["docx"], env={"PYTHONIOENCODING": encoding})
    no_internal_error(proc)
    assert proc.returncode == 1
    text = proc.stdout.decode(encoding)  # the bytes are in the terminal's encoding
    utf8 = run("check", EXAMPLE_FILES["docx"], env={"PYTHONIOENCODING": "utf-8"}).stdout.decode("utf-8")
    assert len(text.splitlines()) == len(utf8.splitlines()) and text.splitlines()[-1] == utf8.splitlines()[-1]
    assert "?" in text or "“" in text  # what the encoding lacks is replaced, not fatal


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_are_always_utf8(fmt: str) -> None:
    proc = run("check", EXAMPLE_FILES["docx"], "--format", fmt, env={"PYTHONIOENCODING": "cp1252"})
    no_internal_error(proc)
    reference = run("check", EXAMPLE_FILES["docx"], "--format", fmt, env={"PYTHONIOENCODING": "utf-8"})
    assert proc.stdout == reference.stdout
    assert "“" in proc.stdout.decode("utf-8")  # written as UTF-8, not escaped or replaced


def test_folder_skips_the_names_the_precommit_hook_excludes() -> None:
    """`check .` and the pre-commit hook agree on what is not a manuscript."""
    import re

    import yaml
    from conftest import ROOT

    from refcheck.inputs import is_candidate

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    exclude = re.compile(hook["exclude"])
    names = ["README.md", "CHANGELOG.md", "LICENSE.txt", "CONTRIBUTING.md", "requirements-dev.txt",
             "SECURITY.md", "paper.refcheck.md", "paper.md", "review.txt", "notes.qmd", "AUTHORS.txt"]
    for name in names:
        assert is_candidate(Path(name)) == (not exclude.search(name)), name


def test_python_dash_m_refcheck_is_the_command_line() -> None:
    """``python -m refcheck`` works where the script is not on the PATH, and is the
    same command: same findings, same exit code."""
    package = subprocess.run([sys.executable, "-m", "refcheck", "check", str(EXAMPLE_FILES["txt"]), "--select", "RC1"],
                             capture_output=True, timeout=300)
    cli = run("check", EXAMPLE_FILES["txt"], "--select", "RC1")
    assert package.returncode == cli.returncode == 1
    assert package.stdout == cli.stdout and b"RC101" in package.stdout
