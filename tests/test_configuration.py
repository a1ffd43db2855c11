"""Configuration that never fails silently (issue 17): every mistake a new user made
is one line and exit 2 — never "0 findings", never "internal error" — and every key
and rule option is declared once, with its type, default and description."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES, ROOT

import refcheck
from refcheck.config import ConfigError, config_from_table, load_config, schema_rows
from refcheck.docs import readme_with_config, rule_doc
from refcheck.engine import all_rules

REFCHECK = [sys.executable, "-m", "refcheck.cli"]


def run(*args: str | Path, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REFCHECK, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300, **kw)


def one_error_line(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, exactly one line on stderr holding every needle, and no internal error."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A submissions folder holding the example text manuscript."""
    (tmp_path / "review.txt").write_bytes(EXAMPLE_FILES["txt"].read_bytes())
    return tmp_path


def check_with(folder: Path, pyproject: str, *args: str) -> subprocess.CompletedProcess[str]:
    (folder / "pyproject.toml").write_text(pyproject, "utf-8")
    return run("check", folder / "review.txt", *args)


# -- unknown rules: on the command line and in the file --------------------------------


@pytest.mark.parametrize(
    ("selector", "needles"),
    [("RC999", ["unknown rule RC999"]), ("RC3O1", ["unknown rule RC3O1 — did you mean RC301?"])],
)
def test_unknown_rule_on_the_command_line(folder: Path, selector: str, needles: list[str]) -> None:
    one_error_line(run("check", folder / "review.txt", "--select", selector), "--select", *needles)
    one_error_line(run("check", folder / "review.txt", "--ignore", selector), "--ignore", *needles)


def test_rule_name_selects_the_rule(folder: Path) -> None:
    proc = run("check", folder / "review.txt", "--select", "unsupported-superlative")
    assert proc.returncode == 1, proc.stderr
    codes = {line.split(": ", 1)[1].split()[0] for line in proc.stdout.splitlines()[:-1]}
    assert codes == {"RC301"}


def test_unknown_rule_in_the_file(folder: Path) -> None:
    proc = check_with(folder, '[tool.refcheck]\nselect = ["RC999"]\n')
    one_error_line(proc, "pyproject.toml", "tool.refcheck.select", "unknown rule RC999")


# -- keys: misspelt, aliased, unknown, invalid files -----------------------------------------


def test_fail_on_with_underscore_is_the_same_key(folder: Path) -> None:
    """`fail_on` is `fail-on` (as `spacy_model` is `spacy-model`): honoured, not ignored."""
    assert check_with(folder, '[tool.refcheck]\nselect = ["RC1"]\nfail-on = "error"\n').returncode == 0
    assert check_with(folder, '[tool.refcheck]\nselect = ["RC1"]\nfail_on = "error"\n').returncode == 0
    assert check_with(folder, '[tool.refcheck]\nselect = ["RC1"]\n').returncode == 1


def test_a_key_in_both_spellings_is_an_error(folder: Path) -> None:
    proc = check_with(folder, '[tool.refcheck]\nfail-on = "error"\nfail_on = "info"\n')
    one_error_line(proc, "fail-on", "given twice")


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ('[tool.refcheck]\nselct = ["RC1"]\n', ["unknown key selct — did you mean select?"]),
        ('[tool.refcheck.severity]\nRC999 = "info"\n', ["tool.refcheck.severity", "unknown rule RC999"]),
        ('[tool.refcheck.severity]\nRC301 = "fatal"\n', ["severity.RC301", 'expected info, warning or error, got "fatal"']),
        ('[tool.refcheck.options.RC403]\nmax_refs = 3\n',
         ["unknown option max_refs for RC403 citation-stacking — did you mean max_references?"]),
        ('[tool.refcheck.options.RC9O3]\nmax_refs = 3\n', ["unknown rule RC9O3"]),
        ('[tool.refcheck.limits]\nmax_txt_mb = 3\n', ["unknown key max_txt_mb — did you mean max_text_mb?"]),
    ],
    ids=["misspelt-key", "severity-unknown-rule", "severity-value", "unknown-option", "options-unknown-rule",
         "unknown-limit"],
)
def test_unknown_keys_name_the_closest(folder: Path, toml: str, needles: list[str]) -> None:
    one_error_line(check_with(folder, toml), "pyproject.toml", *needles)


def test_invalid_toml_is_an_error_not_skipped(folder: Path) -> None:
    one_error_line(check_with(folder, "[tool.refcheck\nselect = 5\n"), "pyproject.toml", "invalid TOML")


def test_config_option_with_a_tool_refcheck_table(folder: Path) -> None:
    """--config my.toml holding [tool.refcheck] is read as that table (it was ignored)."""
    (folder / "my.toml").write_text('[tool.refcheck]\nselect = ["RC101"]\n', "utf-8")
    proc = run("check", folder / "review.txt", "--config", folder / "my.toml")
    assert proc.returncode == 1 and proc.stdout.strip().endswith("2 findings (0 error, 2 warning, 0 info) in 1 file")
    (folder / "my.toml").write_text('select = ["RC101"]\n', "utf-8")  # a refcheck.toml's layout
    assert run("check", folder / "review.txt", "--config", folder / "my.toml").stdout == proc.stdout
    (folder / "my.toml").write_text("[tool.other]\nx = 1\n", "utf-8")
    one_error_line(run("check", folder / "review.txt", "--config", folder / "my.toml"), "no [tool.refcheck]")
    one_error_line(run("check", folder / "review.txt", "--config", folder / "none.toml"), "no such configuration file")


# -- wrong types and values: one line, never "internal error" -------------------------------


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("[tool.refcheck]\nselect = 5\n", ["tool.refcheck.select", "expected a list of rule codes", "got 5"]),
        ("[tool.refcheck]\noptions = 3\n", ["tool.refcheck.options", "expected a table", "got 3"]),
        ('[tool.refcheck.options.RC403]\nmax_references = "six"\n',
         ["options.RC403.max_references", 'expected an integer, got "six"']),
        ("[tool.refcheck.options.RC403]\nlegends = 1\n", ["options.RC403.legends", "expected true or false, got 1"]),
        ('[tool.refcheck.options.RC301]\nstack_gap = 2.5\n', ["options.RC301.stack_gap", "expected an integer, got 2.5"]),
        ('[tool.refcheck.options.RC402]\nexempt = [1, 2]\n', ["options.RC402.exempt", "expected a list of strings"]),
        ('[tool.refcheck.limits]\nmax_text_mb = "big"\n', ["limits.max_text_mb", 'expected a number, got "big"']),
        ("[tool.refcheck.limits]\nmax_text_mb = -1\n", ["limits.max_text_mb", "expected a positive number"]),
        ('[tool.refcheck]\nfail-on = "never"\n', ["fail-on", 'got "never"']),
        ("[tool.refcheck]\nspacy-model = 3\n", ["spacy-model", "expected a string, got 3"]),
    ],
    ids=["select-int", "options-int", "option-str-for-int", "option-int-for-bool", "option-float-for-int",
         "option-list-type", "limit-str", "limit-negative", "fail-on-value", "spacy-model-type"],
)
def test_wrong_types_are_one_line(folder: Path, toml: str, needles: list[str]) -> None:
    one_error_line(check_with(folder, toml), "pyproject.toml", *needles)


def test_missing_spacy_model_says_which_and_how(folder: Path) -> None:
    proc = check_with(folder, '[tool.refcheck]\nspacy-model = "en_core_web_nonexistent"\n')
    one_error_line(proc, "spacy-model", "'en_core_web_nonexistent' is not installed",
                   "python -m spacy download en_core_web_nonexistent")
    proc = check_with(folder, '[tool.refcheck]\nspacy_model = "en_core_web_nonexistent"\n')
    one_error_line(proc, "spacy-model", "is not installed")


def test_options_reach_the_rule_validated(folder: Path) -> None:
    """A valid option changes findings; an int for a number option is accepted."""
    cfg = config_from_table({"options": {"citation-stacking": {"max-references": 1}, "RC402": {"min_cited_ratio": 1}}})
    assert cfg.options == {"RC403": {"max_references": 1}, "RC402": {"min_cited_ratio": 1.0}}
    text = "# Intro\n\nCells help [1,2].\n\n# References\n\n[1] A. One. J. 2020.\n[2] B. Two. J. 2020.\n"
    base = config_from_table({"select": ["RC403"]})
    assert not refcheck.check(text=text, config=base).findings
    strict = config_from_table({"select": ["RC403"], "options": {"RC403": {"max_references": 1}}})
    assert [f.code for f in refcheck.check(text=text, config=strict).findings] == ["RC403"]


def test_python_dict_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="unknown key selct — did you mean select"):
        refcheck.check(text="Hello.\n", config={"selct": ["RC1"]})
    with pytest.raises(ValueError, match="unknown rule RC3O1 — did you mean RC301"):
        config_from_table({"ignore": "RC3O1"})


# -- the schema: one declaration, printed by `refcheck config` and the README ------------------


def test_refcheck_config_lists_every_key() -> None:
    proc = run("config")
    assert proc.returncode == 0
    for key in schema_rows():
        assert key.name in proc.stdout
    assert "fail-on" in proc.stdout and "severity; default \"warning\"" in proc.stdout


def test_refcheck_config_show_gives_the_values_in_effect(folder: Path) -> None:
    (folder / "refcheck.toml").write_text('select = ["RC1"]\nfail_on = "error"\n[limits]\nmax-text-mb = 8\n', "utf-8")
    proc = run("config", "--show", folder / "review.txt")
    assert proc.returncode == 0, proc.stderr
    assert f"# configuration: {folder / 'refcheck.toml'}" in proc.stdout
    assert '= ["RC1"]' in proc.stdout and '= "error"' in proc.stdout and "= 8" in proc.stdout
    (folder / "refcheck.toml").write_text("select = 5\n", "utf-8")
    one_error_line(run("config", "--show", folder), "select", "got 5")


def test_readme_configuration_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme_with_config(readme) == readme, "run: python -m refcheck.docs README.md"


def test_limit_defaults_are_the_readers() -> None:
    from refcheck.limits import DEFAULT_MAX_TEXT_MB

    assert next(k for k in schema_rows() if k.name == "limits.max_text_mb").default == DEFAULT_MAX_TEXT_MB
    cfg = load_config(None, None)
    assert cfg.limits == {} and cfg.select == []


# -- typed rule options --------------------------------------------------------------------


def test_rules_rc403_lists_options_with_types_and_defaults() -> None:
    proc = run("rules", "RC403")
    assert proc.returncode == 0
    assert "Options ([tool.refcheck.options.RC403]):" in proc.stdout
    assert "max_references = 6  # integer" in proc.stdout
    assert "legends = false  # boolean" in proc.stdout
    assert "exempt = [  # list of strings" in proc.stdout
    one_error_line(run("rules", "RC4O3"), "unknown rule RC4O3 — did you mean RC403?")


def test_every_rule_option_has_a_type_and_a_valid_default() -> None:
    """Each declared default passes its own type check, so the default a rule gets and
    a user's value of the same type are handled alike."""
    for cls in all_rules():
        for spec in cls.option_specs().values():
            assert spec.type != "any", f"{cls.code}.{spec.name} has no inferable type"
            spec.validate(list(spec.default) if isinstance(spec.default, tuple) else spec.default)
        assert "Options" in rule_doc(cls) or not cls.options


# -- the Python API ------------------------------------------------------------------------


def test_python_api_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        refcheck.check("missing.docx")
    with pytest.raises(FileNotFoundError):
        refcheck.check(tmp_path / "missing.md")
    with pytest.raises(FileNotFoundError):
        refcheck.check(str(tmp_path / "sub" / "paper"))


def test_python_api_paths_and_text() -> None:
    by_path = refcheck.check(EXAMPLE_FILES["txt"], {"select": ["RC101"]})
    by_str = refcheck.check(str(EXAMPLE_FILES["txt"]), {"select": ["RC101"]})
    assert by_path.error is None and len(by_path.findings) == 2
    assert [f.message for f in by_str.findings] == [f.message for f in by_path.findings]
    text = EXAMPLE_FILES["txt"].read_text("utf-8")
    by_text = refcheck.check(text=text, config={"select": ["RC101"]}, name="review.txt")
    assert [f.message for f in by_text.findings] == [f.message for f in by_path.findings]
    assert {f.path for f in by_text.findings} == {"review.txt"}
    with pytest.raises(TypeError):
        refcheck.check(EXAMPLE_FILES["txt"], text=text)
    # compatibility: a string with a line break is still text
    assert refcheck.check("Cells help [2]. More [1].\n\n# References\n\n[1] A. One. J. 2020.\n[2] B. Two. J. 2020.\n",
                          {"select": ["RC101"]}).findings


def test_no_message_says_reference_0() -> None:
    for form in EXAMPLE_FILES.values():
        assert not [f for f in refcheck.check(form).findings if "reference 0" in f.message]
