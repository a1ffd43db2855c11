"""Annotated DOCX as real clients see them: LibreOffice, pandoc, python-docx.

All outputs (examples + every readable corpus DOCX) are produced once per session
and converted by ONE soffice call with a fresh profile, to keep the run bounded.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, EXAMPLE_FILES, require_client

from annotate_helpers import check_package, docx_anchored, expected_text, fodt_annotations, norm, synthetic_notes
from refcheck.engine import read_manuscript, run_rules
from refcheck.model import InputError
from refcheck.reporters.docx_comments import annotate_docx

pytestmark = pytest.mark.client


def _inputs() -> list[Path]:
    files = [EXAMPLE_FILES[k] for k in ("docx", "superscript", "autonumbered")]
    folder = CORPUS / "docx"
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix.lower() in (".docx", ".docm", ".dotx"))
    return files


@pytest.fixture(scope="session")
def annotated(tmp_path_factory) -> list[dict]:
    """Annotate every readable input: real findings plus stress spans."""
    out_dir = tmp_path_factory.mktemp("annotated")
    cases = []
    for k, src in enumerate(_inputs()):
        digest = hashlib.sha256(src.read_bytes()).hexdigest()
        try:
            ms = read_manuscript(src)
        except InputError:
            continue  # unreadable inputs are the reader's tests' business
        findings = run_rules(ms)
        notes = synthetic_notes(ms, findings, limit=40)
        out = out_dir / f"{k:03d}{src.suffix.lower()}"
        try:
            anchored = annotate_docx(src, out, ms.blocks, notes)
        except InputError as exc:
            cases.append({"src": src, "refused": str(exc)})
            continue
        assert hashlib.sha256(src.read_bytes()).hexdigest() == digest, f"{src} was modified"
        cases.append({"src": src, "out": out, "ms": ms, "notes": notes, "anchored": anchored})
    return cases


def test_enough_inputs(annotated) -> None:
    written = [c for c in annotated if "out" in c]
    refused = [c for c in annotated if "refused" in c]
    assert len(written) >= 3
    assert all("Strict" in c["refused"] or "corrupt ZIP" in c["refused"] for c in refused), refused
    assert len(refused) <= 10  # Strict OOXML and CRC-damaged corpus files


def test_package_preserved_and_text_unchanged(annotated) -> None:
    for c in (c for c in annotated if "out" in c):
        assert check_package(c["src"], c["out"]) == [], c["src"]
        again = read_manuscript(c["out"])
        assert [b.text for b in again.blocks] == [b.text for b in c["ms"].blocks], c["src"]
        saved = docx_anchored(c["out"])
        assert len([v for v in saved.values() if v[0] == "refcheck"]) == len(c["notes"]), c["src"]
        for note, got in zip(c["notes"], c["anchored"]):
            block = c["ms"].blocks[note.block]
            if got or block.anchor[0] == "body":
                assert got in (expected_text(block, note), block.text), (c["src"], note, got)


@pytest.fixture(scope="session")
def fodts(annotated, tmp_path_factory) -> dict[Path, Path]:
    soffice = require_client("soffice", "LibreOffice opens the annotated outputs")
    profile = tmp_path_factory.mktemp("lo-profile")
    outdir = tmp_path_factory.mktemp("fodt")
    outs = [c["out"] for c in annotated if "out" in c]
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "fodt",
         "--outdir", str(outdir), *map(str, outs)],
        check=False, capture_output=True, timeout=900,
    )
    return {o: outdir / (o.stem + ".fodt") for o in outs}


def test_libreoffice_opens_every_output_with_every_comment_on_its_span(annotated, fodts) -> None:
    for c in (c for c in annotated if "out" in c):
        fodt = fodts[c["out"]]
        assert fodt.exists(), f"LibreOffice could not open the annotation of {c['src']}"
        annotations = [a for a in fodt_annotations(fodt) if a[0].startswith("#")]
        assert len(annotations) == len(c["notes"]), c["src"]
        by_label = {body.split()[0]: text for body, text in annotations}
        for note, got in zip(c["notes"], c["anchored"]):
            label = note.text.split()[0]
            assert norm(by_label[label]) == norm(got), (c["src"], note, by_label[label], got)


def test_examples_findings_only_in_libreoffice(annotated, fodts) -> None:
    """On the examples, the real findings appear as comments on exactly their text."""
    for c in annotated[:3]:
        findings = run_rules(c["ms"])
        annotations = {body.split()[0]: text for body, text in fodt_annotations(fodts[c["out"]])}
        for k, f in enumerate(findings):
            assert norm(annotations[f"#{k}"]) == norm(f.text)


def test_pandoc_shows_the_comments(annotated) -> None:
    pandoc = require_client("pandoc", "pandoc reads the annotated DOCX")
    checked = 0
    for c in (c for c in annotated if "out" in c):
        if c["out"].suffix != ".docx":
            continue
        run = subprocess.run([pandoc, "--track-changes=all", "-f", "docx", "-t", "json", str(c["out"])],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            continue  # pandoc's own limits on odd corpus files; LibreOffice covers them
        starts = json.dumps(json.loads(run.stdout)).count('"comment-start"')
        ours = run.stdout.count('["author", "refcheck"]') or run.stdout.count('["author","refcheck"]')
        assert ours == len(c["notes"]) or starts >= len(c["notes"]), c["src"]
        checked += 1
    assert checked >= 3


def test_python_docx_reads_the_comments(annotated) -> None:
    import docx

    for c in annotated[:3]:
        d = docx.Document(str(c["out"]))
        ours = [cm for cm in d.comments if cm.author == "refcheck"]
        assert len(ours) == len(c["notes"])
        assert all(cm.initials == "RC" for cm in ours)
        assert [cm.text for cm in ours] == [n.text for n in c["notes"]]
