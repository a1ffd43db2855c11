"""The JSON contract: what ``--format json`` prints validates against the schema that
ships in the package (refcheck/schemas/report.schema.json), on real inputs."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import jsonschema
import pytest

from tests.conftest import EXAMPLE_FILES, ROOT, corpus_dir, report_schema


def _check_json(*paths: object) -> dict:
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "check", "--format", "json", *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout)


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())


def test_examples_and_an_unreadable_file_validate(tmp_path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    doc = _check_json(*EXAMPLE_FILES.values(), broken)
    jsonschema.validate(doc, report_schema())
    files = {f["path"]: f for f in doc["files"]}
    assert files[str(broken)]["error"] and files[str(broken)]["findings"] == []
    assert sum(len(f["findings"]) for f in doc["files"]) > 100  # real findings, all validated
    docx = files[str(EXAMPLE_FILES["docx"])]
    assert all(f["line"] is None and "paragraph" in f["data"] for f in docx["findings"])
    # the optional confidence field: on every finding refcheck makes, all three bands allowed
    assert {f.get("confidence") for file in doc["files"] for f in file["findings"]} <= {"high", "medium", "low"}
    assert all("confidence" in f for file in doc["files"] for f in file["findings"])


def test_confidence_is_optional_but_checked() -> None:
    doc = _check_json(EXAMPLE_FILES["txt"])
    old = copy.deepcopy(doc)
    for f in old["files"][0]["findings"]:
        f.pop("confidence")
    jsonschema.validate(old, report_schema())  # a report of an earlier refcheck still validates
    bad = copy.deepcopy(doc)
    bad["files"][0]["findings"][0]["confidence"] = "certain"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, report_schema())


def test_corpus_articles_and_documents_validate() -> None:
    jats = sorted(corpus_dir("jats").glob("*.xml"))[:6]
    docx = sorted(corpus_dir("docx").glob("*.docx"))[:30]
    doc = _check_json(*jats, *docx)
    jsonschema.validate(doc, report_schema())
    assert len(doc["files"]) == len(jats) + len(docx)


def test_the_schema_can_fail() -> None:
    """A wrong severity, a missing field and findings beside an error are all refused."""
    doc = _check_json(EXAMPLE_FILES["txt"])
    for spoil in (
        lambda d: d["files"][0]["findings"][0].update(severity="fatal"),
        lambda d: d["files"][0]["findings"][0].pop("message"),
        lambda d: d["files"][0].update(error="x: unreadable"),
        lambda d: d["files"][0]["references"][0].update(year="2024"),
    ):
        bad = copy.deepcopy(doc)
        spoil(bad)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, report_schema())


def test_readme_points_at_the_schema() -> None:
    assert "refcheck/schemas/report.schema.json" in (ROOT / "README.md").read_text("utf-8")
