"""``refcheck batch`` over the examples, real corpus articles and a broken file."""

from __future__ import annotations

import csv
import filecmp
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from refcheck.batch import MIN_WORDS, SEVERITY_WEIGHTS, rule_precision
from tests.conftest import CORPUS, EXAMPLE_FILES, ROOT, corpus_dir, report_schema

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
    scores = [float(r["triage_score"]) for r in ok]
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
        # per 1,000 words of text (at least 1,000), weighted by severity and measured precision
        expected = 1000 * sum(SEVERITY_WEIGHTS[f["severity"]] * rule_precision(f["code"], f["severity"])
                              for f in findings) / max(int(r["words"]), MIN_WORDS)
        assert float(r["triage_score"]) == pytest.approx(expected, abs=0.006)
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


# -- inputs: what is a manuscript, unique names, configuration, failures ---------

def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))


def test_same_names_in_two_folders_readme_and_hidden_folder(tmp_path: Path) -> None:
    """Two paper.docx give two JSON files and two annotated copies; a README, a
    CHANGELOG and everything under .git/ are skipped and listed as skipped."""
    inbox = tmp_path / "submissions"
    for folder, form in (("a", "docx"), ("b", "superscript")):
        (inbox / folder).mkdir(parents=True)
        shutil.copy(EXAMPLE_FILES[form], inbox / folder / "paper.docx")
    shutil.copy(ROOT / "README.md", inbox / "README.md")
    shutil.copy(ROOT / "README.md", inbox / "a" / "CHANGELOG.md")
    (inbox / ".git" / "objects").mkdir(parents=True)
    shutil.copy(EXAMPLE_FILES["txt"], inbox / ".git" / "paper.txt")
    proc = batch("submissions", "--out", "desk", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "3 skipped as not manuscripts" in proc.stderr
    out = tmp_path / "desk"
    rows = _rows(out)
    checked = [r for r in rows if r["status"] == "ok"]
    assert sorted(r["manuscript"] for r in checked) == ["a/paper.docx", "b/paper.docx"]
    for r in checked:
        data = json.loads((out / r["json"]).read_text("utf-8"))
        assert data["path"] == r["path"]  # each JSON is its own manuscript's
        assert (out / r["annotated"]).is_file()
    assert sorted(r["json"] for r in checked) == ["json/a/paper.docx.json", "json/b/paper.docx.json"]
    assert sorted(r["annotated"] for r in checked) == ["annotated/a/paper.refcheck.docx", "annotated/b/paper.refcheck.docx"]
    skipped = {r["path"].removeprefix("submissions/"): r["error"] for r in rows if r["status"] == "skipped"}
    assert set(skipped) == {"README.md", "a/CHANGELOG.md", ".git/"}
    assert "hidden folder" in skipped[".git/"] and "not a manuscript" in skipped["README.md"]
    assert not any(".git" in r["path"] for r in checked)
    html = (out / "report.html").read_text("utf-8")
    assert "a/paper.docx" in html and "b/paper.docx" in html and "skipped" in html
    # --no-default-exclude: the README is taken and .git/ is walked (hidden files still not)
    every = batch("submissions", "--out", "desk-all", "--jobs", "1", "--no-default-exclude", cwd=tmp_path)
    assert every.returncode == 1, every.stderr
    status = {r["path"].removeprefix("submissions/"): r["status"] for r in _rows(tmp_path / "desk-all")}
    assert status["README.md"] == status[".git/paper.txt"] == "ok", status


def test_output_names_unique_and_keep_the_suffix() -> None:
    """Explicitly named files of one name get a stable suffix in the stem, so the
    annotated copy keeps its type (the old ``Path("paper.docx-2").stem`` was "paper")."""
    from refcheck.batch import annotated_name, output_names

    files = [(Path("x/paper.docx"), "paper.docx"), (Path("y/paper.docx"), "paper.docx"), (Path("z/Paper.docx"), "Paper.docx"),
             (Path("only.md"), "only.md")]
    names = output_names(files)
    assert len({n.lower() for n in names.values()}) == 4
    assert names["only.md"] == "only.md"
    for p, _ in files[:3]:
        name = names[str(p)]
        assert name.endswith(".docx") and name.startswith(("paper~", "Paper~")), name
        assert annotated_name(name, str(p)) == f"annotated/{name[:-5]}.refcheck.docx"
    assert output_names(files) == names  # stable


def test_submissions_refcheck_toml_is_honoured(tmp_path: Path) -> None:
    """The submissions folder's refcheck.toml applies, not the working directory's, and
    a subfolder's own refcheck.toml applies to the manuscripts in it, as with check."""
    inbox = tmp_path / "submissions"
    (inbox / "citations-only").mkdir(parents=True)
    shutil.copy(EXAMPLE_FILES["txt"], inbox / "seed.txt")
    shutil.copy(EXAMPLE_FILES["txt"], inbox / "citations-only" / "seed.txt")
    (inbox / "refcheck.toml").write_text('ignore = ["RC3", "RC4"]\n', "utf-8")
    (inbox / "citations-only" / "refcheck.toml").write_text('select = ["RC1"]\n', "utf-8")
    (inbox / "drafts").mkdir()
    shutil.copy(EXAMPLE_FILES["txt"], inbox / "drafts" / "seed.txt")
    (tmp_path / "refcheck.toml").write_text('select = ["RC2"]\n', "utf-8")  # the working directory's: not used
    work = tmp_path / "elsewhere"
    work.mkdir()
    proc = batch(inbox, "--out", tmp_path / "desk", "--jobs", "1", "--exclude", "^drafts/", cwd=work)
    assert proc.returncode == 1, proc.stderr
    rows = {r["manuscript"]: r for r in _rows(tmp_path / "desk")}
    skipped = {Path(r["path"]).relative_to(inbox).as_posix(): r["error"] for r in rows.values() if r["status"] == "skipped"}
    assert skipped == {"drafts/seed.txt": "excluded by --exclude"}

    def codes(name: str) -> set[str]:
        data = json.loads((tmp_path / "desk" / rows[name]["json"]).read_text("utf-8"))
        return {f["code"][:3] for f in data["findings"]}

    assert codes("seed.txt") == {"RC1", "RC2"}
    assert codes("citations-only/seed.txt") == {"RC1"}


def test_annotation_failure_is_an_error_row(tmp_path: Path) -> None:
    """A Strict Open XML document is read and checked but cannot be annotated: its row
    says so (not "ok"), the terminal prints it as an error and the exit code is 2."""
    src = corpus_dir("docx") / "d2p__strict.docx"
    shutil.copy(src, tmp_path / "strict.docx")
    shutil.copy(EXAMPLE_FILES["txt"], tmp_path / "seed.txt")
    proc = batch("strict.docx", "seed.txt", "--out", "desk", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "refcheck: error: strict.docx: annotation failed: cannot annotate Strict Open XML" in proc.stderr
    assert "1 not annotated" in proc.stderr
    rows = _rows(tmp_path / "desk")
    assert rows[0]["manuscript"] == "strict.docx" and rows[0]["status"] == "annotation-failed"
    assert "annotation failed" in rows[0]["error"] and rows[0]["json"] and not rows[0]["annotated"]
    assert rows[1]["status"] == "ok"
    html = (tmp_path / "desk" / "report.html").read_text("utf-8")
    assert "class='annotation-failed'" in html and "No annotated copy" in html


def test_not_manuscript_names_match_the_pre_commit_hook() -> None:
    """Batch skips the files the pre-commit hook excludes by name (one idea, one list)."""
    import yaml

    from refcheck.batch import NOT_MANUSCRIPT

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))[0]
    exclude = re.compile(hook["exclude"])
    names = ["README.md", "readme.txt", "CHANGELOG.md", "LICENSE", "LICENCE.txt", "CONTRIBUTING.md", "AUTHORS.md",
             "requirements-dev.txt", "CODE_OF_CONDUCT.md", "SECURITY.md", "paper.md", "manuscript.docx",
             "readme-notes.md", "review.txt", "HISTORY.md", "NOTICE.txt", "COPYING"]
    for name in names:
        assert bool(NOT_MANUSCRIPT.match(name)) == bool(exclude.search(name)), name


def test_example_forms_rank_above_every_published_manuscript(tmp_path: Path) -> None:
    """The issue's acceptance test: the four example forms and the published
    manuscripts of the precision benchmark (JATS, Word, Markdown) in one batch; every
    example form ranks above every published manuscript."""
    corpus_dir("jats")
    corpus_dir("docx")
    listed = (ROOT / "benchmarks" / "precision" / "manuscripts.tsv").read_text("utf-8").splitlines()[1:]
    published = [CORPUS / line.split("\t")[0] for line in listed if line.split("\t")[1] == "published"]
    published = [p for p in published if p.exists()]
    assert len(published) >= 20
    assert any(p.suffix == ".docx" for p in published) and any(p.suffix in (".xml", ".nxml") for p in published)
    files = [*map(str, EXAMPLE_FILES.values()), *map(str, published)]
    proc = batch(*files, "--out", tmp_path / "desk", "--jobs", "2", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    rows = _rows(tmp_path / "desk")
    examples = {str(p) for p in EXAMPLE_FILES.values()}
    ranks = [r["path"] in examples for r in rows]
    assert ranks[: len(examples)] == [True] * len(examples), [(r["manuscript"], r["triage_score"]) for r in rows[:8]]
    # Not by a hair: the mildest example form scores several times the worst published one.
    ex = min(float(r["triage_score"]) for r in rows if r["path"] in examples)
    pub = max(float(r["triage_score"]) for r in rows if r["path"] not in examples)
    assert ex > 3 * pub, (ex, pub)
