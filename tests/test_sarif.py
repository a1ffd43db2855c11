"""SARIF 2.1.0 output validates against the official OASIS schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import CORPUS, EXAMPLE_FILES, corpus_dir


def _sarif(*files: str | Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "check", "--format", "sarif", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def schema() -> dict:
    path = corpus_dir("schemas") / "sarif-schema-2.1.0.json"
    return json.loads(path.read_text("utf-8"))


def test_sarif_validates_and_locates(schema: dict, tmp_path: Path) -> None:
    jats = CORPUS / "jats" / "plos__journal.pmed.1000097.xml"
    files = [EXAMPLE_FILES["txt"], EXAMPLE_FILES["docx"], jats, tmp_path / "missing.txt"]
    log = _sarif(*files)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "RC101" in ids and ids == sorted(ids)
    rc101 = rules[ids.index("RC101")]
    assert rc101["name"] == "citation-out-of-order"
    assert "first citation" in rc101["help"]["text"] and rc101["defaultConfiguration"]["level"] == "warning"
    by_file: dict[str, list[dict]] = {}
    for res in run["results"]:
        by_file.setdefault(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], []).append(res)
        assert ids[res["ruleIndex"]] == res["ruleId"]
    txt = next(v for k, v in by_file.items() if k.endswith("seed-review.txt"))
    out_of_order = [r for r in txt if r["ruleId"] == "RC101"]
    assert out_of_order
    region = out_of_order[0]["locations"][0]["physicalLocation"]["region"]
    # the region points at the flagged citation in the source text
    line = EXAMPLE_FILES["txt"].read_text("utf-8").splitlines()[region["startLine"] - 1]
    col = region["startColumn"] - 1
    assert line[col:col + 1] == "["
    docx = next(v for k, v in by_file.items() if k.endswith("seed-review.docx"))
    loc = docx[0]["locations"][0]
    assert loc["logicalLocations"][0]["name"].startswith("body paragraph ")
    assert loc["physicalLocation"]["region"]["snippet"]["text"]
    jats_results = next(v for k, v in by_file.items() if k.endswith("pmed.1000097.xml"))
    assert any(r["ruleId"] == "RC101" for r in jats_results)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "missing.txt" in notes[0]["message"]["text"]


def test_invalid_sarif_is_rejected_by_the_schema(schema: dict) -> None:
    """Guard against a schema that accepts anything: a result without a message fails."""
    log = _sarif(EXAMPLE_FILES["txt"])
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema)
