"""Shared test fixtures: where the examples and the corpus are, and real-client gating.

Tests that need an external client (LibreOffice, pandoc, Chromium, pre-commit) call
:func:`require_client`; it skips with the reason when the client is missing, and
fails instead when ``REFCHECK_REQUIRE_CLIENTS`` is set (CI sets it), so CI can
never pass by skipping them.  Corpus tests skip cleanly when ../shared/corpus is absent.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = Path(os.environ.get("REFCHECK_CORPUS", ROOT.parent / "shared" / "corpus"))
EXAMPLE_FILES = {
    "txt": EXAMPLES / "seed-review.txt",
    "docx": EXAMPLES / "seed-review.docx",
    "autonumbered": EXAMPLES / "seed-review-autonumbered.docx",
    "superscript": EXAMPLES / "seed-review-superscript.docx",
}


def require_client(executable: str, why: str = "") -> str:
    """Path of ``executable``; skip (or fail under REFCHECK_REQUIRE_CLIENTS) when missing."""
    found = shutil.which(executable)
    if found:
        return found
    reason = f"{executable} is not installed{': ' + why if why else ''}"
    if os.environ.get("REFCHECK_REQUIRE_CLIENTS"):
        pytest.fail(f"{reason} (REFCHECK_REQUIRE_CLIENTS is set, so this is a failure)")
    pytest.skip(reason)


def corpus_dir(sub: str) -> Path:
    """A folder of ../shared/corpus; the test skips when it is absent."""
    path = CORPUS / sub
    if not path.is_dir():
        pytest.skip(f"corpus folder {path} is absent")
    return path


@pytest.fixture(params=sorted(EXAMPLE_FILES), ids=sorted(EXAMPLE_FILES))
def example_form(request) -> Path:
    """Each of the four example forms in turn."""
    return EXAMPLE_FILES[request.param]


def report_schema(part: str | None = None) -> dict:
    """refcheck's JSON contract (refcheck/schemas/report.schema.json), or one of its $defs."""
    schema = json.loads((ROOT / "refcheck" / "schemas" / "report.schema.json").read_text("utf-8"))
    if part is None:
        return schema
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{part}"}
