"""Hostile inputs, end to end through ``refcheck check`` in a child process.

Each input is built here and run as a real process, so the figures are the
process's own: wall time (a generous hang guard, not a benchmark) and peak RSS from
``os.wait4``.  The XXE tests use traps that cannot be missed: the "secret" local
file is a FIFO (opening it to read would block, and the hang guard would fire), and
the URL points at a listening socket on 127.0.0.1 that records any connection.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES, ROOT

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HANG_GUARD_S = 120
MAX_RSS_MB = 600


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def run_check(path: Path, *extra: str, cwd: Path | None = None, guard: float = HANG_GUARD_S) -> Run:
    """Run ``refcheck check`` and measure that child alone (``os.wait4`` rusage)."""
    out_dir = path.parent if path.parent.is_dir() else Path("/tmp")
    out, err = out_dir / ".stdout", out_dir / ".stderr"
    start = time.monotonic()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "refcheck.cli", "check", str(path), *extra],
            stdout=fo, stderr=fe, cwd=cwd or ROOT,
        )
        deadline = start + guard
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"refcheck check {path.name} still running after {guard:.0f}s (hang)")
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    return Run(proc.returncode, out.read_text(errors="replace"), err.read_text(errors="replace"),
               seconds, usage.ru_maxrss / 1024)


def assert_bounded(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.max_rss_mb < MAX_RSS_MB, f"peak RSS {run.max_rss_mb:.0f} MB"


def assert_refused(run: Run, path: Path, *words: str) -> str:
    assert run.code == 2, (run.code, run.stdout[-500:], run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert path.name in lines[0]
    assert any(w.lower() in lines[0].lower() for w in words), lines[0]
    assert_bounded(run)
    return lines[0]


def docx_with(tmp: Path, name: str, document_xml: bytes, compress: int = zipfile.ZIP_DEFLATED) -> Path:
    """The example DOCX with its word/document.xml replaced."""
    path = tmp / name
    with zipfile.ZipFile(EXAMPLE_FILES["docx"]) as src, zipfile.ZipFile(path, "w", compress) as dst:
        for info in src.infolist():
            data = document_xml if info.filename == "word/document.xml" else src.read(info)
            dst.writestr(info.filename, data, compress_type=compress)
    return path


def body(paragraphs: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{paragraphs}</w:body></w:document>'
    ).encode()


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


# --- ZIP bombs ------------------------------------------------------------------


def test_zip_bomb_compression_ratio_refused(tmp_path: Path) -> None:
    filler = b" " * (40 * 1024 * 1024)  # 40 MB of spaces deflate ~1000:1
    xml = body(para("Introduction")).replace(b"<w:body>", b"<w:body>" + filler)
    path = docx_with(tmp_path, "ratio-bomb.docx", xml)
    assert path.stat().st_size < 1024 * 1024
    run = run_check(path)
    line = assert_refused(run, path, "zip bomb", "compressed", "limit")
    assert ":1" in line or "MB" in line, line


def _lie_about_size(path: Path, member: str, size: int) -> None:
    """Patch the central directory so ``member`` claims ``size`` uncompressed bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        cd_offset = zf.start_dir
    name = member.encode()
    pos = data.index(b"PK\x01\x02" + b"", cd_offset)
    while True:
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            data[pos + 24 : pos + 28] = size.to_bytes(4, "little")
            break
        extra = int.from_bytes(data[pos + 30 : pos + 32], "little")
        comment = int.from_bytes(data[pos + 32 : pos + 34], "little")
        pos += 46 + name_len + extra + comment
    path.write_bytes(bytes(data))


def test_zip_bomb_declared_size_refused_before_inflating(tmp_path: Path) -> None:
    """A directory announcing 3.9 GB is refused from the directory alone."""
    path = docx_with(tmp_path, "declared-bomb.docx", body(para("Introduction")), zipfile.ZIP_STORED)
    _lie_about_size(path, "word/document.xml", 0xF0000000)
    run = run_check(path)
    assert_refused(run, path, "zip bomb", "limit", "MB")
    assert run.seconds < 30


def test_zip_size_limit_is_configurable(tmp_path: Path) -> None:
    """``[limits] max_unzipped_mb`` in refcheck.toml lowers the total-size ceiling.

    A 3 MB document of ordinary (low-ratio) text passes the defaults and must be
    refused under a 1 MB limit, with the limit named.
    """
    words = " ".join(f"word{i}" for i in range(400_000))
    xml = body(para("Introduction") + para(words[: 3 * 1024 * 1024]))
    path = docx_with(tmp_path, "big.docx", xml)
    (tmp_path / "refcheck.toml").write_text("[limits]\nmax_unzipped_mb = 1\n")
    run = run_check(path, cwd=tmp_path)
    assert_refused(run, path, "1 MB", "max_unzipped_mb")


# --- XML attacks ----------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE w:document [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def test_billion_laughs_refused(tmp_path: Path) -> None:
    path = docx_with(tmp_path, "laughs.docx", body(para("&lol9;"), BILLION_LAUGHS))
    run = run_check(path)
    assert_refused(run, path, "entit")
    assert run.seconds < 60
    assert "lollol" not in run.stdout


def test_xxe_local_file_never_opened(tmp_path: Path) -> None:
    """The entity points at a FIFO: if anything opened it for reading, the child
    would block until the hang guard kills it."""
    secret = tmp_path / "secret"
    os.mkfifo(secret)
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    path = docx_with(tmp_path, "xxe-file.docx", body(para("Introduction") + para("&xxe;"), doctype))
    run = run_check(path)
    assert_refused(run, path, "entit", "xxe", "dtd")


class Listener:
    """A listening socket on 127.0.0.1 that counts connection attempts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        n = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return n
            conn.close()
            n += 1

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("kind", ["entity", "external-dtd"])
def test_xxe_url_never_fetched(kind: str, tmp_path: Path) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/steal"
        if kind == "entity":
            doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}">]>\n'
            paras = para("Introduction") + para("&xxe;")
        else:
            doctype = f'<!DOCTYPE w:document SYSTEM "{url}">\n'
            paras = para("Introduction") + para("Some text [1].")
        path = docx_with(tmp_path, f"xxe-{kind}.docx", body(paras, doctype))
        run = run_check(path)
        assert_refused(run, path, "entit", "dtd", "xxe")
        assert listener.connections() == 0, "refcheck connected to the URL"
    finally:
        listener.close()


def test_absurd_nesting(tmp_path: Path) -> None:
    depth = 100_000
    nested = "<w:sdt><w:sdtContent>" * depth + para("deep") + "</w:sdtContent></w:sdt>" * depth
    path = docx_with(tmp_path, "nested.docx", body(para("Introduction") + nested))
    run = run_check(path)
    assert run.code == 2, run.stderr
    assert_refused(run, path, "nest", "deep", "depth", "xml")


# --- size ------------------------------------------------------------------------


def test_gigabyte_text_file_refused_with_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(1024 * 1024 * 1024)  # sparse: no disk cost
    run = run_check(path)
    line = assert_refused(run, path, "1024 MB")
    assert "limit" in line and "max_text_mb" in line
    assert run.seconds < 30


def _sentences(n: int, cite_every: int = 5, max_ref: int = 30) -> str:
    out = []
    for i in range(n):
        cite = f" [{i % max_ref + 1}]" if i % cite_every == 0 else ""
        out.append(f"Sentence {i} reports that the treatment improved outcomes in patients{cite}.")
    return " ".join(out)


def _references(n: int) -> str:
    return "\n\n".join(
        f"[{i}] Author{i} A, Writer B, 20{i % 20 + 10:02d}, Study number {i} of liver outcomes. "
        f"Journal of Things, {i % 40 + 1}(2): {i}-{i + 9}. doi:10.1000/ref.{i}"
        for i in range(1, n + 1)
    )


def _long_paragraph(tmp: Path) -> Path:
    text = _sentences(30_000)  # one paragraph, ~2.3 million characters
    assert len(text) > 2_000_000
    path = tmp / "long-paragraph.txt"
    path.write_text(f"A study of long paragraphs\n\nIntroduction\n\n{text}\n\nReferences\n\n{_references(30)}\n")
    return path


def test_paragraph_of_millions_of_characters_read_and_indexed(tmp_path: Path) -> None:
    """Reader, sentence splitter, citation finder and the citation rules on one
    2.3-million-character paragraph (this took 85 s before the sentence splitter
    stopped copying the prefix at every full stop)."""
    run = run_check(_long_paragraph(tmp_path), "--format", "json", "--select", "RC1", guard=60)
    assert run.code in (0, 1), run.stderr
    assert_bounded(run)


def test_paragraph_of_millions_of_characters_all_rules(tmp_path: Path) -> None:
    run = run_check(_long_paragraph(tmp_path), "--format", "json", guard=45)
    assert run.code in (0, 1), run.stderr
    assert_bounded(run)


def test_thousands_of_references(tmp_path: Path) -> None:
    n = 3000
    paras = "\n\n".join(_sentences(20, cite_every=1, max_ref=n).replace("[", f"[{k}") for k in range(1, 51))
    path = tmp_path / "many-refs.txt"
    path.write_text(f"A review with many references\n\nIntroduction\n\n{paras}\n\nReferences\n\n{_references(n)}\n")
    run = run_check(path, "--format", "json")
    assert run.code in (0, 1), run.stderr
    assert_bounded(run)


# --- issue 18: linear on every shape -----------------------------------------------
# Each input below took minutes before (the figures are in the test's docstring); the
# hang guard, not a timing assertion, is what fails if a stage turns quadratic again.
# benchmarks/scaling.py measures the same shapes at full size.


def test_one_paragraph_of_forty_thousand_citations(tmp_path: Path) -> None:
    """40k bracketed citations in one 400k-character paragraph: 92 s when every new
    citation was checked against every accepted one; now one bisect each."""
    body = " ".join(f"graft [{i % 30 + 1}]" for i in range(40_000)) + "."
    path = tmp_path / "citations.txt"
    path.write_text(f"A study of grafts\n\nIntroduction\n\n{body}\n\nReferences\n\n{_references(30)}\n")
    run = run_check(path, "--format", "json", "--select", "RC1", guard=45)
    assert run.code in (0, 1), run.stderr
    assert_bounded(run)
    import json

    data = json.loads(run.stdout)["files"][0]
    assert not [f for f in data["findings"] if f["code"] == "RC102"]  # all 40k resolved to entries 1-30
    assert not [f for f in data["findings"] if f["code"] == "RC103"]  # and every entry is cited


def test_thousands_of_references_sharing_a_title_prefix_year_and_nothing_else(tmp_path: Path) -> None:
    """3,000 entries of one year whose titles share their first 60 characters: RC104
    compared every pair (and re-split both author lists per pair), about a minute; the
    one real duplicate among them is still the one finding."""
    n = 3000

    def surname(i: int) -> str:
        letters = ""
        while True:
            i, r = divmod(i, 26)
            letters += "abcdefghijklmnopqrstuvwxyz"[r]
            if i == 0:
                return (letters + "ott").capitalize()

    title = "Normothermic machine perfusion of donor livers before transplantation: cohort {} of a registry"
    refs = [f"[{i}] {surname(i)} A, Writer B. {title.format(i)}. J Things. 2019;{i % 40 + 1}(2):{i}-{i + 9}."
            for i in range(1, n + 1)]
    refs.append(f"[{n + 1}] {surname(7)} A, Writer B. {title.format(7)}. J Things. 2019;8(2):7-16.")
    cites = " ".join(f"Perfusion changed outcomes [{k}]." for k in range(1, n + 2))
    path = tmp_path / "shared-prefix.txt"
    path.write_text(f"Machine perfusion\n\nIntroduction\n\n{cites}\n\nReferences\n\n" + "\n\n".join(refs) + "\n")
    run = run_check(path, "--format", "json", "--select", "RC104", guard=40)
    assert run.code == 1, run.stderr
    assert_bounded(run)
    import json

    found = json.loads(run.stdout)["files"][0]["findings"]
    assert [f["message"] for f in found] == [f"Reference {n + 1} duplicates reference 7: "
                                              "a near-identical title and the same year."]


# --- issue 18: limits come from the user, not from the submission -------------------


def _ratio_bomb(folder: Path) -> Path:
    filler = b" " * (8 * 1024 * 1024)  # 8 MB of spaces deflate ~1000:1
    return docx_with(folder, "ratio-bomb.docx", body(para("Introduction")).replace(b"<w:body>", b"<w:body>" + filler))


def test_a_submissions_own_config_cannot_lift_a_limit(tmp_path: Path) -> None:
    """A refcheck.toml beside the manuscript that switches the ZIP limits off is not
    obeyed (the bomb is refused) unless the user names it with --config."""
    submission = tmp_path / "submission"
    submission.mkdir()
    path = _ratio_bomb(submission)
    lifted = submission / "refcheck.toml"
    lifted.write_text("[limits]\nmax_compression_ratio = 1000000\nmax_unzipped_mb = 100000\n")
    elsewhere = tmp_path / "desk"
    elsewhere.mkdir()
    assert_refused(run_check(path, cwd=elsewhere), path, "zip bomb", "compressed")
    chosen = run_check(path, "--config", str(lifted), cwd=elsewhere)  # the user's own choice
    assert chosen.code in (0, 1), chosen.stderr
    assert_bounded(chosen)


def test_a_submissions_own_config_may_lower_a_limit(tmp_path: Path) -> None:
    submission = tmp_path / "submission"
    submission.mkdir()
    path = submission / "paper.txt"
    path.write_text("A title\n\nIntroduction\n\n" + "Outcomes improved in the cohort. " * 40_000)  # 1.3 MB
    (submission / "refcheck.toml").write_text("[limits]\nmax_text_mb = 1\n")
    line = assert_refused(run_check(path, cwd=tmp_path), path, "limit")
    assert "1 MB" in line


def test_batch_ignores_the_submissions_folders_limits_and_goes_on(tmp_path: Path) -> None:
    """`batch` reads the submissions folder's refcheck.toml for rule settings, but its
    limits no more than a manuscript's: the bomb is an error row, the next file is
    checked, and there is a summary."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    _ratio_bomb(submissions)
    (submissions / "good.txt").write_text(
        "A title\n\nIntroduction\n\nOutcomes improved [1].\n\nReferences\n\n[1] Smith J. Outcomes. J Things. 2020;1:1-2.\n")
    (submissions / "refcheck.toml").write_text("[limits]\nmax_compression_ratio = 1000000\n")
    proc = subprocess.run([sys.executable, "-m", "refcheck.cli", "batch", str(submissions), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=HANG_GUARD_S)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    summary = (tmp_path / "out" / "summary.csv").read_text()
    bomb = next(line for line in summary.splitlines() if line.startswith("ratio-bomb"))
    good = next(line for line in summary.splitlines() if line.startswith("good"))
    assert ",error," in bomb and "ZIP bomb" in bomb, bomb
    assert ",ok," in good, good


# --- issue 18: one bad file is one line, and the others are still checked ----------


def test_deep_front_matter_is_one_line_and_the_next_file_is_checked(tmp_path: Path) -> None:
    deep = tmp_path / "deep.md"
    deep.write_text("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n\n# Title\n\nSome text [1].\n")
    good = tmp_path / "good.txt"
    good.write_text("A title\n\nIntroduction\n\nOutcomes improved [1] and [2].\n\nReferences\n\n"
                    "[1] Smith J. Outcomes. J Things. 2020;1:1-2.\n")
    run = run_check(deep, str(good))
    assert run.code == 2, run.stderr
    assert_bounded(run)
    assert run.stderr.strip().splitlines() == [
        "refcheck: error: " + str(deep) + ": nested too deeply to read "
        "(front matter, bibliography or markup thousands of levels deep)"]
    assert "RC102" in run.stdout and "good.txt" in run.stdout  # the next file was checked


def test_file_names_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    """A newline in a name would forge a line of output, an ANSI escape would clear
    the screen: both are printed as \\x escapes, in the error line and in findings."""
    forged = tmp_path / "ev\x1b[2Jil\n0 findings.txt"
    forged.write_text("A title\n\nIntroduction\n\nOutcomes improved [1] and [2].\n\nReferences\n\n"
                      "[1] Smith J. Outcomes. J Things. 2020;1:1-2.\n")
    empty = tmp_path / "empty\r\u202etxt.docx"
    empty.write_bytes(b"")
    run = run_check(forged, str(empty))
    assert run.code == 2, run.stderr
    assert_bounded(run)
    for stream in (run.stdout, run.stderr):
        assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream
    assert "ev\\x1b[2Jil\\x0a0 findings.txt:5:" in run.stdout
    assert run.stderr.strip().splitlines() == ["refcheck: error: " + str(tmp_path) + "/empty\\x0d\\u202etxt.docx: empty file"]
