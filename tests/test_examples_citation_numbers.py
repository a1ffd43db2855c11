"""The four forms of the example review give the same citation-number findings.

The review's references are numbered in order of first citation except two: [13]
is first cited after [17] (section 2.2.1), and [27] before [25] and [26] (2.3.2).
Nothing else in RC101–RC106 applies: every cited number has an entry, every entry is
cited, no entry is duplicated and the list runs 1–32.
"""

from __future__ import annotations

from conftest import EXAMPLE_FILES

from refcheck.config import config_from_table
from refcheck.engine import check_file

RC1 = config_from_table({"select": ["RC1"]})


def _rc1(path):
    result = check_file(path, RC1)
    assert result.error is None
    return result


def test_each_form_finds_the_two_out_of_sequence_first_citations(example_form) -> None:
    result = _rc1(example_form)
    got = [(f.code, f.references, f.section) for f in result.findings]
    assert got == [
        ("RC101", (13,), "2.2.1. Progress of animal model research"),
        ("RC101", (27,), "2.3.2. Analysis of cytokines and signaling pathways"),
    ]
    assert [f.text.strip("^[]{}") for f in result.findings] == ["13", "27"]
    ms = result.manuscript
    assert [r.number for r in ms.references] == list(range(1, 33))
    assert {n for c in ms.citations for n in c.numbers} == set(range(1, 33))


def test_forms_agree_finding_for_finding() -> None:
    keyed = {}
    for name, path in EXAMPLE_FILES.items():
        result = _rc1(path)
        keyed[name] = [(f.code, f.references, f.section, f.message, f.excerpt.replace("^", "")) for f in result.findings]
    first = next(iter(keyed.values()))
    for name, rows in keyed.items():
        assert [r[:4] for r in rows] == [r[:4] for r in first], name


def test_messages_name_the_reference_what_came_before_and_its_place() -> None:
    f13 = _rc1(EXAMPLE_FILES["superscript"]).findings[0]
    assert "Reference 13" in f13.message and "reference 17" in f13.message and "would be 17" in f13.message
    assert f13.excerpt.startswith("In one study, hUC-MSCs improved hepatic histology")


def test_text_form_has_line_and_column() -> None:
    f13 = _rc1(EXAMPLE_FILES["txt"]).findings[0]
    line = EXAMPLE_FILES["txt"].read_text("utf-8").splitlines()[f13.line - 1]
    assert line[f13.column - 1 :].startswith(f13.text)
