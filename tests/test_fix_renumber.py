"""``refcheck fix --renumber`` on real inputs: the four example forms and a corpus article.

Each renumbered copy is read back with refcheck's own readers: it must have no
RC101 finding, every citation occurrence must still point at the same reference
titles, the old→new map must be the one first-citation order implies (computed
here from the input, not written down), and nothing but numbers may change.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from annotate_helpers import wml_schema_errors
from lxml import etree

from refcheck.cli import main
from refcheck.engine import check_file, read_manuscript
from refcheck.fix import renumber_file
from refcheck.model import BlockKind, InputError, Manuscript
from tests.conftest import CORPUS, EXAMPLE_FILES, corpus_dir, require_client
from tests.jats_text import jats_to_markdown


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _title(ms: Manuscript, n: int) -> str:
    ref = ms.reference(n)
    assert ref is not None, f"citation of {n} has no reference in {ms.path}"
    text = ms.blocks[ref.block].text
    if ref.label_span:
        text = text[ref.label_span[1] :]
    return " ".join(text.split())


def _pairs(ms: Manuscript) -> list[frozenset[str]]:
    """For each numeric citation occurrence in reading order, the entries it cites."""
    return [frozenset(_title(ms, n) for n in c.numbers) for c in ms.citations if c.style == "numeric"]


def _expected_map(ms: Manuscript) -> dict[int, int]:
    """What first-citation order implies: numbers as first met (ties in one citation low
    to high), then the uncited entries in list order."""
    order: list[int] = []
    for c in sorted(ms.citations, key=lambda c: (c.block, c.start)):
        for n in sorted(c.numbers):
            if n not in order:
                order.append(n)
    order += [r.number for r in ms.references if r.number not in order]
    return {old: i for i, old in enumerate(order, start=1)}


def _masked(ms: Manuscript) -> tuple[list[str], Counter[str]]:
    """Block texts with citations blanked, and the reference entries without labels."""
    by_block: dict[int, list] = {}
    for c in ms.citations:
        by_block.setdefault(c.block, []).append(c)
    prose: list[str] = []
    entries: Counter[str] = Counter()
    for b in ms.blocks:
        if b.kind is BlockKind.REFERENCE:
            entries[re.sub(r"^\s*-?\s*\[\d+\]\s*", "", b.text)] += 1
            continue
        text = b.text
        for c in sorted(by_block.get(b.index, []), key=lambda c: -c.start):
            text = text[: c.start] + "<cite>" + text[c.end :]
        prose.append(text)
    return prose, entries


def _renumber(src: Path, tmp_path: Path) -> tuple[Path, Path, dict[int, int]]:
    work = tmp_path / src.name
    shutil.copy(src, work)
    before = _sha(work)
    out, mapping = renumber_file(work)
    assert _sha(work) == before, "the input's bytes changed"
    return work, out, mapping


@pytest.mark.parametrize("form", sorted(EXAMPLE_FILES))
def test_renumbered_example(form: str, tmp_path: Path) -> None:
    work, out, mapping = _renumber(EXAMPLE_FILES[form], tmp_path)
    assert out.name == work.name.replace(work.suffix, ".renumbered" + work.suffix)
    old, new = read_manuscript(work), read_manuscript(out)
    assert any(f.code == "RC101" for f in check_file(work).findings), "the example should start out of order"
    assert not [f for f in check_file(out).findings if f.code == "RC101"]
    assert mapping == _expected_map(old)
    assert any(o != n for o, n in mapping.items())
    assert _pairs(new) == _pairs(old)
    # Every citation carries the mapped numbers, and the list runs 1..N in the new order.
    assert [tuple(sorted(mapping[n] for n in c.numbers)) for c in old.citations] == \
        [tuple(sorted(c.numbers)) for c in new.citations]
    assert [r.number for r in new.references] == list(range(1, len(old.references) + 1))
    by_new = {mapping[r.number]: _title(old, r.number) for r in old.references}
    assert [_title(new, r.number) for r in new.references] == [by_new[k] for k in sorted(by_new)]
    # Nothing but numbers changed: prose identical with citations masked, same entries.
    (prose_a, entries_a), (prose_b, entries_b) = _masked(old), _masked(new)
    assert prose_a == prose_b
    assert entries_a == entries_b
    # Citations keep their form (raised or not), and DOCX parts other than the main one are untouched.
    assert [c.superscript for c in new.citations] == [c.superscript for c in old.citations]
    if work.suffix == ".docx":
        with zipfile.ZipFile(work) as a, zipfile.ZipFile(out) as b:
            assert a.namelist() == b.namelist()
            changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert changed == ["word/document.xml"]
        xsd = CORPUS / "schemas" / "ooxml" / "wml-with-xml-namespace.xsd"  # ECMA-376, from the corpus
        if xsd.is_file():
            schema = etree.XMLSchema(etree.parse(str(xsd)))
            assert wml_schema_errors(schema, out) == wml_schema_errors(schema, work) == {"word/document.xml": set()}


def test_cli_prints_map_and_rerun_replaces_own_output(tmp_path: Path, capsys) -> None:
    work = tmp_path / "paper.txt"
    shutil.copy(EXAMPLE_FILES["txt"], work)
    assert main(["fix", "--renumber", str(work)]) == 0
    out = capsys.readouterr().out
    expected = {o: n for o, n in _expected_map(read_manuscript(work)).items() if o != n}
    assert "old → new: " + ", ".join(f"{o}→{n}" for o, n in sorted(expected.items())) in out
    assert main(["fix", "--renumber", str(work)]) == 0, "its own earlier output must be replaceable"
    capsys.readouterr()
    mine = tmp_path / "mine.txt"
    mine.write_text("hand-made\n")
    assert main(["fix", "--renumber", str(work), "-o", str(mine)]) == 2
    assert "--force" in capsys.readouterr().err
    assert mine.read_text() == "hand-made\n"
    assert main(["fix", "--renumber", str(work), "-o", str(work)]) == 2
    assert "overwrite the input" in capsys.readouterr().err


REFS = """
## References

[1] Smith J, 2020, Liver regeneration after acute injury. Hepatology, 1: 1–9.

[2] Brown K, 2019, Stem cells in hepatic failure. Journal of Hepatology, 2: 10–19.

[3] Chen L, 2021, Exosomes and liver repair. Cell Reports, 3: 20–29.

[4] Davis M, 2018, Cytokine signalling in liver disease. Immunity, 4: 30–39.

[5] Evans P, 2022, Umbilical cord cells in clinical trials. Lancet, 5: 40–49.

[6] Ford R, 2017, Apoptosis of hepatocytes. Cell Death, 6: 50–59.

[7] Green T, 2023, Immune modulation by mesenchymal cells. Blood, 7: 60–69.
"""


def _write(tmp_path: Path, body: str, refs: str = REFS) -> Path:
    path = tmp_path / "case.md"
    path.write_text("# Liver failure and stem cells\n\n## Introduction\n\n" + body + "\n" + refs)
    return path


def test_ranges_are_recompressed(tmp_path: Path) -> None:
    path = _write(tmp_path, "Liver failure kills [1]. Stem cells help [2,3]. "
                            "Several trials agree [5,6,7]. Cytokines matter [4].\n")
    out, mapping = renumber_file(path)
    assert mapping == {1: 1, 2: 2, 3: 3, 5: 4, 6: 5, 7: 6, 4: 7}
    text = out.read_text()
    assert "Several trials agree [4–6]." in text
    assert "Cytokines matter [7]." in text
    assert "Stem cells help [2,3]." in text  # unchanged numbers: untouched text
    assert _pairs(read_manuscript(out)) == _pairs(read_manuscript(path))


@pytest.mark.parametrize(
    ("body", "refs", "reason"),
    [
        ("Liver failure kills [1]. Stem cells help [9]. Trials agree [2-7].\n", REFS, "RC102"),
        ("Liver failure kills [1]. Stem cells help [3]. Trials agree [2-7].\n",
         REFS.replace("Exosomes and liver repair. Cell Reports, 3: 20–29",
                      "Exosomes and liver repair. Cell Reports, 3: 20–29. doi:10.1000/xyz123")
             .replace("Apoptosis of hepatocytes. Cell Death, 6: 50–59",
                      "Apoptosis of hepatocytes. Cell Death, 6: 50–59. doi:10.1000/xyz123"),
         "RC104"),
        ("Liver failure kills [1]. Stem cells help [3]. Trials agree [2-4]. Cells die [6-8].\n",
         REFS.replace("[5] Evans", "[8] Evans"), "RC105"),
        ("Liver failure kills (Smith 2020). Stem cells help (Brown 2019; Chen 2021). "
         "Trials agree (Evans 2022). Cytokines matter (Davis 2018).\n",
         re.sub(r"\[\d\] ", "", REFS), "author–year"),
    ],
    ids=["dangling-RC102", "duplicate-RC104", "broken-list-RC105", "author-year"],
)
def test_refuses_ambiguous(tmp_path: Path, capsys, body: str, refs: str, reason: str) -> None:
    path = _write(tmp_path, body, refs)
    before = _sha(path)
    with pytest.raises(InputError) as exc:
        renumber_file(path)
    assert "cannot renumber" in str(exc.value) and reason in str(exc.value)
    assert main(["fix", "--renumber", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and reason in err
    assert _sha(path) == before
    assert not (tmp_path / "case.renumbered.md").exists()


def test_libreoffice_opens_renumbered_docx(tmp_path: Path) -> None:
    soffice = require_client("soffice", "LibreOffice opens the renumbered DOCX")
    outs: list[tuple[Path, list[str]]] = []
    for form in ("docx", "autonumbered", "superscript"):
        sub = tmp_path / form
        sub.mkdir()
        work, out, mapping = _renumber(EXAMPLE_FILES[form], sub)
        old = read_manuscript(work)
        titles = sorted((mapping[r.number], _title(old, r.number)) for r in old.references)
        outs.append((out, [t for _, t in titles]))
    converted = tmp_path / "converted"
    profile = tmp_path / "profile"
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(converted), *(str(o) for o, _ in outs)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        pytest.fail("LibreOffice timed out converting the renumbered documents")
    for out, titles in outs:
        txt = converted / (out.stem + ".txt")
        assert txt.is_file(), f"LibreOffice could not convert {out.name}"
        text = " ".join(txt.read_text(encoding="utf-8-sig").split())
        # What LibreOffice shows lists the entries in the order the new numbers imply.
        positions = [text.find(t[:60]) for t in titles]
        assert -1 not in positions and positions == sorted(positions)


def test_corpus_article_as_text(tmp_path: Path) -> None:
    xml = corpus_dir("jats") / "plos__journal.pgen.1002912.xml"
    if not xml.is_file():
        pytest.skip(f"{xml} is absent")
    path = tmp_path / "pgen.1002912.md"
    path.write_text(jats_to_markdown(xml), encoding="utf-8")
    assert [f for f in check_file(path).findings if f.code == "RC101"], "the article starts out of order"
    (tmp_path / "run").mkdir()
    work, out, mapping = _renumber(path, tmp_path / "run")
    old, new = read_manuscript(work), read_manuscript(out)
    assert not [f for f in check_file(out).findings if f.code == "RC101"]
    assert mapping == _expected_map(old)
    assert _pairs(new) == _pairs(old)
    assert _masked(new) == _masked(old)
