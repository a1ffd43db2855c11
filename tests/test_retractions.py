"""RC5xx: references checked against a Retraction Watch CSV (issue #21, the offline part).

The CSV is the hand-made fixture of tests/retraction_watch/ (its README says which
facts in it are real).  Every test builds its index in its own cache folder, so a
test never reuses another's index by accident.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_dir

import refcheck
from refcheck import retractions
from refcheck.cli import main
from refcheck.config import ConfigError, config_from_table, load_config
from refcheck.engine import FileResult
from refcheck.model import Reference, Severity
from refcheck.retractions import Notice, RetractionsError, open_index, require, strongest

FIXTURE = ROOT / "tests" / "retraction_watch" / "retraction_watch_sample.csv"

MANUSCRIPT = """\
# Vaccines, viruses and cells

Measles vaccination was once linked to bowel disease [1]. Registry data were used to judge
hydroxychloroquine [2]. Somatic cells were said to become pluripotent under stress [3].
Recoverin is a tumour antigen [4]. Learning rules in the brain are debated [5]. Stress may
reprogram cells [6]. A fixture paper was corrected [7].

# References

[1] Wakefield AJ, Murch SH, Anthony A, Linnell J, Casson DM, Malik M, et al. Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental disorder in children. Lancet. 1998;351(9103):637-41. doi:10.1016/S0140-6736(97)11096-0
[2] Mehra MR, Desai SS, Ruschitzka F, Patel AN. Hydroxychloroquine or chloroquine with or without a macrolide for treatment of COVID-19: a multinational registry analysis. Lancet. 2020. PMID: 32450107
[3] Obokata H, Wakayama T, Sasai Y, Kojima K, Vacanti MP, Niwa H, et al. Stimulus-triggered fate conversion of somatic cells into pluripotency. Nature. 2014;505(7485):641-7.
[4] Recoverin as a paraneoplastic antigen. Lung Cancer. 2004. doi:10.1016/j.lungcan.2003.10.006
[5] Lillicrap TP, Santoro A, Marris L, Akerman CJ, Hinton G. Backpropagation and the brain. Nat Rev Neurosci. 2020;21:335-46. doi:10.1038/s41583-020-0277-3
[6] Smith J, Jones K. Stimulus-triggered fate conversion of somatic cells into pluripotency. Nature. 2014;505:700-7.
[7] Fixture A, Example B. A fictional paper that exists only to exercise the correction path of refcheck. J Test Fixtures. 2019. doi:10.5555/refcheck-fixture.corrected
"""

SETTINGS = {"retractions": str(FIXTURE), "retractions-max-age": 0, "select": ["RC5"]}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test indexes into its own folder and opens its own index."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(cache))
    retractions._cached.cache_clear()
    yield cache
    retractions._cached.cache_clear()


def by_reference(result: FileResult) -> dict[int, tuple[str, Severity, str, dict]]:
    out = {}
    for f in result.findings:
        assert len(f.references) == 1, f
        assert f.references[0] not in out, "one finding per reference"
        out[f.references[0]] = (f.code, f.severity, f.message, f.data)
    return out


# -- the acceptance case ----------------------------------------------------------


def test_each_retracted_reference_is_found_by_doi_pmid_or_title_with_its_nature() -> None:
    found = by_reference(refcheck.check(text=MANUSCRIPT, config=SETTINGS))
    assert sorted(found) == [1, 2, 3, 4, 7], "nothing else flagged: [5] is sound, [6] only shares a title"
    code, sev, message, data = found[1]
    assert (code, sev, data["matched_by"]) == ("RC501", Severity.ERROR, "DOI")
    assert "Retraction dated 2010-02-06, notice doi:10.1016/s0140-6736(10)60175-4" in message
    assert "Correction dated 2004-03-06" in message, "the earlier correction is named too"
    assert data["predates_manuscript"] is True and "predates this manuscript" in message
    code, sev, message, data = found[2]
    assert (code, data["matched_by"]) == ("RC501", "PMID")
    assert "Retraction dated 2020-06-05" in message and "Expression of concern dated 2020-06-02" in message
    assert data["predates_manuscript"] is False, "retracted in 2020, the newest reference's year: not shown to predate"
    code, sev, message, data = found[3]
    assert (code, data["matched_by"], data["notice_doi"]) == ("RC501", "title", "10.1038/nature13598")
    code, sev, message, data = found[4]
    assert (code, sev, data["nature"]) == ("RC502", Severity.WARNING, "Expression of concern")
    assert "notice doi:10.1016/j.lungcan.2026.109332" in message
    code, sev, message, data = found[7]
    assert (code, sev, data["nature"]) == ("RC503", Severity.INFO, "Correction")


def test_the_finding_sits_on_the_reference_entry() -> None:
    result = refcheck.check(text=MANUSCRIPT, config=SETTINGS)
    first = next(f for f in result.findings if f.references == (1,))
    assert first.text.startswith("[1] Wakefield AJ") and first.text.endswith("11096-0")
    assert first.line == 10 and first.name == "retracted-reference"


def test_no_retractions_file_means_no_finding_and_no_index() -> None:
    result = refcheck.check(text=MANUSCRIPT, config={"select": ["RC5"]})
    assert result.findings == []
    assert not retractions.cache_dir().exists(), "nothing is built or downloaded without a file"


# -- strict title matching -----------------------------------------------------------

OBOKATA = "Stimulus-triggered fate conversion of somatic cells into pluripotency"


def ref(**kw: object) -> Reference:
    base = dict(number=1, block=0, text="", authors=("Obokata H",), year=2014, title=OBOKATA, confidence=0.9)
    return Reference(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(("why", "kw", "hits"), [
    ("the cited title, year and first author", {}, 1),
    ("the title exported with a RETRACTED label and other case", {"title": "RETRACTED: stimulus-triggered FATE conversion of somatic cells into pluripotency."}, 1),
    ("print year after an online year", {"year": 2015}, 1),
    ("a year two off", {"year": 2016}, 0),
    ("a year before the paper", {"year": 2013}, 0),
    ("a guessed title", {"confidence": 0.6}, 0),
    ("another first author", {"authors": ("Smith J",)}, 0),
    ("no authors", {"authors": ()}, 0),
    ("a DOI naming another paper", {"doi": "10.1000/another.paper"}, 0),
    ("one word more", {"title": OBOKATA + " in mice"}, 0),
])
def test_title_matching_is_strict(why: str, kw: dict, hits: int) -> None:
    index = open_index(FIXTURE)
    assert len(index.title_matches(ref(**kw))) == hits, why


def test_a_short_title_is_never_matched(tmp_path: Path) -> None:
    path = copy_with_rows(tmp_path, [row("1", title="Erratum", doi="10.1000/x", date="1/1/2020 0:00",
                                         original="1/1/2019 0:00", authors="Jane Roe")])
    index = open_index(path)
    assert index.title_matches(ref(title="Erratum", authors=("Roe J",), year=2019)) == []


def test_a_doi_in_the_database_wins_over_the_title() -> None:
    index = open_index(FIXTURE)
    match = index.match(ref(doi="10.1038/nature12968"))
    assert match is not None and match.matched_by == "DOI"
    assert index.match(ref(), by_title=False) is None


def test_strongest_notice() -> None:
    def n(nature: str, date: str) -> Notice:
        return Notice("1", "t", "j", (), nature, date, None, None, None, None, None, "")

    assert strongest([n("Correction", "2004-03-06"), n("Retraction", "2010-02-06")])[0] == "retraction"
    assert strongest([n("Retraction", "2010-02-06"), n("Reinstatement", "2011-01-01")])[0] == "reinstatement"
    assert strongest([n("Reinstatement", "2009-01-01"), n("Retraction", "2010-02-06")])[0] == "retraction"
    assert strongest([n("Correction", "2020-01-01"), n("Expression of concern", "2019-01-01")])[0] == "expression of concern"
    assert strongest([n("Withdrawal", "2020-01-01")])[0] == "withdrawal"
    assert strongest([]) is None


def test_an_unknown_nature_is_still_shown_at_info(tmp_path: Path) -> None:
    path = copy_with_rows(tmp_path, [row("2", nature="Withdrawal", doi="10.1038/s41583-020-0277-3")])
    found = by_reference(refcheck.check(text=MANUSCRIPT, config={**SETTINGS, "retractions": str(path)}))
    assert found[5][0] == "RC503" and "Reference with a notice (Withdrawal)" in found[5][2]


# -- the index ---------------------------------------------------------------------------


def test_the_index_is_built_once_and_reused_without_reading_the_csv(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "rw.csv"
    shutil.copy(FIXTURE, path)
    first = open_index(path)
    assert first.built and first.size == 7 and first.newest == "2026-02-13"

    def no_reading(_: Path) -> None:
        raise AssertionError("the CSV was read again")

    monkeypatch.setattr(retractions, "read_records", no_reading)
    second = open_index(path)
    assert not second.built and second.size == 7
    assert refcheck.check(text=MANUSCRIPT, config={**SETTINGS, "retractions": str(path)}).findings
    monkeypatch.undo()
    with path.open("a", encoding="utf-8", newline="") as fh:  # a new snapshot: rebuilt
        csv.writer(fh, lineterminator="\r\n").writerow(row("3", doi="10.1038/s41583-020-0277-3"))
    third = open_index(path)
    assert third.built and third.size == 8


def test_a_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    open_index(FIXTURE).close()
    target = retractions.index_path(FIXTURE)
    target.write_bytes(b"not a database")
    index = open_index(FIXTURE)
    assert index.built and index.size == 7


def test_an_index_of_an_older_layout_is_rebuilt_not_misread() -> None:
    import sqlite3

    open_index(FIXTURE).close()
    con = sqlite3.connect(retractions.index_path(FIXTURE))
    con.execute("UPDATE meta SET value = '0' WHERE name = 'version'")
    con.commit()
    con.close()
    index = open_index(FIXTURE)
    assert index.built and index.meta["version"] == retractions.INDEX_VERSION


def test_an_unwritable_cache_still_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be made
    index = open_index(FIXTURE)
    assert index.built and index.match(ref(doi="10.1038/nature12968")) is not None


def test_a_new_snapshot_changes_the_batch_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "rw.csv"
    shutil.copy(FIXTURE, path)
    cfg = config_from_table({"retractions": str(path), "retractions-max-age": 0})
    before = cfg.fingerprint()
    assert cfg.fingerprint() == before
    path.write_bytes(path.read_bytes() + b"\r\n")
    assert cfg.fingerprint() != before


# -- bad input: one line, exit 2 ------------------------------------------------------------


def row(record: str, *, title: str = "A paper", doi: str = "", nature: str = "Retraction",
        date: str = "1/15/2021 0:00", original: str = "3/2/2019 0:00", authors: str = "Ada Fixture",
        pmid: str = "0") -> list[str]:
    return [record, title, "", "", "J", "P", "", authors, "", "Research Article;", date, "unavailable", "0",
            original, doi, pmid, nature, "", "No", "FICTIONAL test row"]


def copy_with_rows(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "rw.csv"
    shutil.copy(FIXTURE, path)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    header = FIXTURE.read_text("utf-8").splitlines()[0]
    cases: dict[str, tuple[Path, str]] = {}

    def write(name: str, data: bytes, expect: str) -> None:
        p = tmp_path / name
        p.write_bytes(data)
        cases[name] = (p, expect)

    write("missing-column.csv", header.replace("OriginalPaperDOI,", "").encode() + b"\n",
          "not the Retraction Watch CSV: no column OriginalPaperDOI")
    write("short-row.csv", (header + "\n1,A title,x\n").encode(), "line 2 has 3 fields, the header has 20")
    write("bad-quote.csv", (header + '\n1,"A ti"tle' + ",x" * 18 + "\n").encode(), "malformed CSV at line 2")
    write("empty.csv", b"", "the retractions file is empty")
    write("header-only.csv", header.encode() + b"\n", "holds no notices")
    write("zipped.csv.gz", gzip.compress(FIXTURE.read_bytes()), "is compressed")
    write("binary.csv", b"\x00\x01\x02" * 100, "is a binary file")
    cases["missing.csv"] = (tmp_path / "missing.csv", "no such retractions file")
    cases["folder"] = (tmp_path, "is a directory")
    return cases


def test_a_bad_retractions_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manuscript = tmp_path / "ms.md"
    manuscript.write_text(MANUSCRIPT, "utf-8")
    for name, (path, expect) in bad_files(tmp_path).items():
        code, out, err = run_cli(capsys, "check", str(manuscript), "--retractions", str(path))
        lines = err.strip().splitlines()
        assert code == 2 and out == "", name
        assert len(lines) == 1 and lines[0].startswith(f"refcheck: error: {path}: "), (name, err)
        assert expect in lines[0], (name, err)


def test_a_stale_file_is_refused_with_its_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RetractionsError, match=r"stale retractions file: its newest notice is dated 2026-02-13, 322 days ago"):
        require(FIXTURE, 180, today=dt.date(2027, 1, 1))
    assert require(FIXTURE, 400, today=dt.date(2027, 1, 1)).size == 7
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "rw.csv")
    (folder / "refcheck.toml").write_text('retractions = "rw.csv"\nretractions-max-age = 1\n', "utf-8")
    (folder / "ms.md").write_text(MANUSCRIPT, "utf-8")
    code, out, err = run_cli(capsys, "check", str(folder / "ms.md"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "retractions:" in err and "stale retractions file" in err and "retractions-max-age = 1" in err


def test_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "desk"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(FIXTURE, folder / "rw.csv")
    (folder / "refcheck.toml").write_text('retractions = "rw.csv"\nretractions-max-age = 0\n', "utf-8")
    cfg = load_config(start=folder / "sub")
    assert Path(cfg.retractions) == folder / "rw.csv", "relative to the configuration file, not the cwd"
    (folder / "sub" / "ms.md").write_text(MANUSCRIPT, "utf-8")
    code, out, err = run_cli(capsys, "check", str(folder / "sub" / "ms.md"), "--select", "RC5", "--format", "json")
    assert code == 1 and '"RC501"' in out and '"RC503"' in out
    code, out, _ = run_cli(capsys, "config", str(folder), "--show")
    assert code == 0 and "rw.csv" in out and "retractions-max-age" in out
    for table, expect in [
        ({"retractions": 3}, "retractions: expected a path to the Retraction Watch CSV, got 3"),
        ({"retractions-max-age": -1}, "retractions-max-age: expected 0 or more days"),
        ({"retractions-max-age": "90"}, "retractions-max-age: expected an integer"),
        ({"retractons": "x.csv"}, "did you mean retractions?"),
    ]:
        with pytest.raises(ConfigError, match=expect):
            config_from_table(table)


def test_rule_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "RC501")
    assert code == 0 and "retracted-reference (default severity: error)" in out
    assert "How to fix:" in out and "match_titles = true" in out and "min_title_confidence = 0.9" in out
    code, out, _ = run_cli(capsys, "rules")
    assert "RC502   reference-with-concern" in out and "RC503   corrected-reference" in out


# -- a published manuscript ----------------------------------------------------------------

ARTICLE = "Arthritis Res Ther-9-1-1860061.nxml"


def test_a_published_article_with_none_retracted_gets_no_finding_and_one_planted_is_found(tmp_path: Path) -> None:
    path = corpus_dir("jats") / f"craft__{ARTICLE}"
    if not path.is_file():
        pytest.skip(f"{path} is absent from {CORPUS}")
    clean = refcheck.check(path, config=SETTINGS)
    assert clean.manuscript is not None and len(clean.manuscript.references) > 20
    assert clean.findings == [], "none of its references is in the fixture"
    first = clean.manuscript.references[0]
    assert first.doi == "10.1038/sj.gene.6364295"
    planted = copy_with_rows(tmp_path, [
        row("8", doi=first.doi.upper(), date="5/1/2020 0:00", title=first.title or ""),  # FICTIONAL notice
        row("9", nature="Correction", pmid=clean.manuscript.references[1].pmid or "", date="5/1/2020 0:00"),
    ])
    found = by_reference(refcheck.check(path, config={**SETTINGS, "retractions": str(planted)}))
    assert sorted(found) == [1, 2]
    assert found[1][0] == "RC501" and found[1][3]["matched_by"] == "DOI"
    assert found[2][0] == "RC503" and found[2][3]["matched_by"] == "PMID"


# -- the benchmark -----------------------------------------------------------------------------


def test_benchmark_smoke(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "retractions.py"), "--rows", "3000",
                           "--references", "50", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "first build" in proc.stdout and "reopen" in proc.stdout and "match 50 references" in proc.stdout
    assert "matched 10 of 50" in proc.stdout
