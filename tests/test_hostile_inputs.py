"""Hostile inputs, end to end through ``refcheck check`` in a child process.

Each input is built here and run as a real process, so the figures are the
process's own: wall time (a generous hang guard, not a benchmark) and peak RSS from
``os.wait4``.  The XXE tests use traps that cannot be missed: the "secret" local
file is a FIFO (opening it to read would block, and the hang guard would fire), and
the URL points at a listening socket on 127.0.0.1 that records any connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
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


def run_check(path: Path, *extra: str, cwd: Path | None = None, guard: float = HANG_GUARD_S,
              command: tuple[str, ...] = ("check",)) -> Run:
    """Run ``refcheck check`` (or ``command``) and measure that child alone (``os.wait4`` rusage)."""
    out_dir = path.parent if path.parent.is_dir() else Path("/tmp")
    out, err = out_dir / ".stdout", out_dir / ".stderr"
    start = time.monotonic()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "refcheck.cli", *command, str(path), *extra],
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


def test_the_text_limit_bounds_word_files_too(tmp_path: Path) -> None:
    """A small DOCX can hold more text than a text file may be; the same limit (here
    lowered to 1 MB by the working directory's config) refuses it in one line."""
    words = " ".join(f"word{i}" for i in range(300_000))  # about 2.4 MB of text
    path = docx_with(tmp_path, "wordy.docx", body(para("Introduction") + para(words)))
    assert path.stat().st_size < 1024 * 1024  # compressed, under the limit as a file
    (tmp_path / "refcheck.toml").write_text("[limits]\nmax_text_mb = 1\n")
    run = run_check(path, cwd=tmp_path)
    assert_refused(run, path, "over the 1 MB limit", "max_text_mb")


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


# --- issue 18: what only the writers (annotate, fix) read ---------------------------

WRITERS = {"annotate": ("annotate",), "fix": ("fix", "--renumber")}


def example_copy(tmp: Path, name: str, extra: tuple[tuple[str, bytes], ...] = (),
                 edit: dict[str, bytes] | None = None, rename: Callable[[str], str] | None = None) -> Path:
    """The example DOCX re-zipped: parts replaced (``edit``), renamed, or added (``extra``,
    duplicates allowed)."""
    path = tmp / name
    with zipfile.ZipFile(EXAMPLE_FILES["docx"]) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we mean to write
        for info in src.infolist():
            data = (edit or {}).get(info.filename, src.read(info))
            dst.writestr(rename(info.filename) if rename else info.filename, data)
        for entry, data in extra:
            dst.writestr(entry, data)
    return path


def _set_flag(data: bytearray, info: zipfile.ZipInfo, bit: int) -> None:
    """Set a general-purpose flag bit in an entry's local and central headers."""
    data[info.header_offset + 6] |= bit
    name = info.filename.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack("<H", data[at + 28: at + 30])[0]
        if bytes(data[at + 46: at + 46 + length]) == name:
            data[at + 8] |= bit
        at = data.find(b"PK\x01\x02", at + 4)


def damaged_part(tmp: Path, kind: str) -> Path:
    """The example with a media part ``check`` never inflates: its deflate stream
    garbled, or flagged as encrypted."""
    path = example_copy(tmp, f"{kind}.docx", extra=(("word/media/unused.bin", bytes(range(256)) * 40),))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/media/unused.bin")
    if kind == "corrupt":
        start = info.header_offset + 30 + len(info.filename.encode())
        data[start: start + 8] = b"\xff" * 8
    else:
        _set_flag(data, info, 0x1)
    path.write_bytes(bytes(data))
    return path


def assert_nothing_written(folder: Path, before: set[str]) -> None:
    """No output and no temporary file left beside the input."""
    assert {p.name for p in folder.iterdir()} - {".stdout", ".stderr"} == before


@pytest.mark.parametrize("command", sorted(WRITERS))
@pytest.mark.parametrize("kind", ["corrupt", "encrypted"])
def test_writers_refuse_a_damaged_part_check_never_reads(kind: str, command: str, tmp_path: Path) -> None:
    """A part only the byte-for-byte copy inflates was an internal error (zlib.error,
    RuntimeError); it is the one-line bad-input error, and nothing is written."""
    path = damaged_part(tmp_path, kind)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    before = {p.name for p in tmp_path.iterdir()}
    out = tmp_path / f"out-{command}.docx"
    run = run_check(path, "-o", str(out), command=WRITERS[command])
    assert_refused(run, path, "corrupt ZIP entry word/media/unused.bin" if kind == "corrupt"
                   else "word/media/unused.bin is encrypted")
    assert not out.exists()
    assert_nothing_written(tmp_path, before)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


_DTD = b'<!DOCTYPE x [<!ENTITY xxe "application/xml">]>\n'


def _with_dtd(part: bytes) -> bytes:
    """``part`` with an internal DTD declaring an entity, and the entity used once."""
    head, _, rest = part.partition(b"?>")
    rest = rest.replace(b'ContentType="application/xml"', b'ContentType="&xxe;"', 1)
    return head + b"?>\n" + _DTD + rest


def _comments_with_dtd() -> dict[str, bytes]:
    """An existing comments part with a DTD and an entity in a comment, related and typed."""
    comments = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _DTD +
                f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="0" w:author="Ed"><w:p><w:r>'
                '<w:t>&xxe;</w:t></w:r></w:p></w:comment></w:comments>'.encode())
    with zipfile.ZipFile(EXAMPLE_FILES["docx"]) as zf:
        rels = zf.read("word/_rels/document.xml.rels")
        types = zf.read("[Content_Types].xml")
    rel = (b'<Relationship Id="rIdX9" Target="comments.xml" Type="http://schemas.openxmlformats.org/'
           b'officeDocument/2006/relationships/comments"/></Relationships>')
    override = (b'<Override PartName="/word/comments.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>')
    return {"word/_rels/document.xml.rels": rels.replace(b"</Relationships>", rel),
            "[Content_Types].xml": types.replace(b"</Types>", override), "word/comments.xml": comments}


@pytest.mark.parametrize("command", sorted(WRITERS))
@pytest.mark.parametrize("part", ["[Content_Types].xml", "word/comments.xml"])
def test_writers_refuse_a_dtd_in_a_part_they_parse(part: str, command: str, tmp_path: Path) -> None:
    """[Content_Types].xml is read by neither check nor fix (fix copies it as it is),
    an existing comments part by all three.  A DTD in either is refused in one line:
    the annotated copy had carried ``&xxe;`` with no DTD (not well-formed), and fix's
    copy would carry the DTD on."""
    if part == "word/comments.xml":
        edits = _comments_with_dtd()
        path = example_copy(tmp_path, "dtd.docx", extra=(("word/comments.xml", edits.pop("word/comments.xml")),),
                            edit=edits)
    else:
        with zipfile.ZipFile(EXAMPLE_FILES["docx"]) as zf:
            path = example_copy(tmp_path, "dtd.docx", edit={part: _with_dtd(zf.read(part))})
    before = {p.name for p in tmp_path.iterdir()}
    out = tmp_path / "out.docx"
    line = assert_refused(run_check(path, "-o", str(out), command=WRITERS[command]), path, "DTD")
    assert part in line
    assert not out.exists()
    assert_nothing_written(tmp_path, before)


def test_duplicate_entry_names_refused(tmp_path: Path) -> None:
    """Two word/document.xml entries: which one a reader takes is arbitrary, so what
    was checked need not be what Word shows.  Refused by check and by annotate, one
    line, no UserWarning."""
    path = example_copy(tmp_path, "twice.docx", extra=(("word/document.xml", body(para("Another text."))),))
    for command in (("check",), ("annotate",)):
        run = run_check(path, command=command)
        line = assert_refused(run, path, "two ZIP entries named word/document.xml")
        assert "Warning" not in run.stderr, line
    case_folded = example_copy(tmp_path, "case.docx", extra=(("Word/Document.XML", body(para("Hidden."))),))
    assert_refused(run_check(case_folded), case_folded, "two ZIP entries")


@pytest.mark.parametrize("name", ["../../evil.txt", "word/../../evil.xml", "C:/evil.xml", "word/a\x1bb.xml"])
def test_unsafe_entry_names_refused(name: str, tmp_path: Path) -> None:
    """An entry that climbs out of the package, names a drive or hides a control
    character: refused by check and annotate alike, so no copy carries it."""
    path = example_copy(tmp_path, "unsafe.docx", extra=((name, b"<x/>"),))
    before = {p.name for p in tmp_path.iterdir()}
    for command in (("check",), ("annotate",)):
        assert_refused(run_check(path, command=command), path, "refused")
    assert_nothing_written(tmp_path, before)


def test_absolute_entry_names_are_written_relative(tmp_path: Path) -> None:
    """Leading '/' names (some writers make them) are read as before, but the
    annotated copy names every entry, old and new, relative and inside the package."""
    from refcheck.annotate import annotate_file

    path = example_copy(tmp_path, "absolute.docx", rename=lambda n: "/" + n)
    out, result = annotate_file(path, tmp_path / "out.docx")
    assert result.findings
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
    assert "word/comments.xml" in names and "word/document.xml" in names
    assert not [n for n in names if n.startswith(("/", "\\")) or ".." in n.split("/")], names


def test_annotate_and_fix_write_the_bytes_check_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file swapped after it was checked (for a ZIP bomb, or garbage) does not reach
    the copy: annotate and fix write from the bytes the reader read and checked."""
    import refcheck.fix
    from refcheck.annotate import annotate_result
    from refcheck.engine import check_file
    from refcheck.reporters.criticmarkup import strip_criticmarkup

    for form in ("docx", "txt"):
        path = tmp_path / f"paper.{form}"
        original = EXAMPLE_FILES[form].read_bytes()
        path.write_bytes(original)
        result = check_file(path)
        path.write_bytes(b"PK\x03\x04 swapped for something else" if form == "docx" else b"\x00" * 100)
        out = annotate_result(result, output=tmp_path / f"annotated.{form}")
        if form == "txt":
            assert strip_criticmarkup(out.read_text(encoding="utf-8")).encode() == original
        else:
            with zipfile.ZipFile(out) as new, zipfile.ZipFile(EXAMPLE_FILES["docx"]) as old:
                assert new.read("word/styles.xml") == old.read("word/styles.xml")
                assert b"w:commentReference" in new.read("word/document.xml")

        # fix: swap the file between the read and the write
        path.write_bytes(original)
        plan = refcheck.fix.plan_renumbering

        def swap_then_plan(ms, config=None, path=path, plan=plan):  # noqa: ANN001, ANN202
            path.write_bytes(b"swapped")  # after the one read, before the write
            return plan(ms, config)

        monkeypatch.setattr(refcheck.fix, "plan_renumbering", swap_then_plan)
        target, mapping = refcheck.fix.renumber_file(path, tmp_path / f"renumbered.{form}")
        monkeypatch.setattr(refcheck.fix, "plan_renumbering", plan)
        assert mapping and target.stat().st_size > 1000
        if form == "docx":
            with zipfile.ZipFile(target) as zf:
                assert zf.testzip() is None


# --- issue 18: text files: NUL anywhere, UTF-16, invalid UTF-8 ----------------------


def test_nul_bytes_after_the_first_64_kib_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "tail.txt"
    text = EXAMPLE_FILES["txt"].read_bytes()
    path.write_bytes(text * (70_000 // len(text) + 1) + b"\x00\x01\x02binary tail")
    assert_refused(run_check(path), path, "binary data, not text (NUL bytes found)")


def _findings(run: Run) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in json.loads(run.stdout)["files"][0]["findings"]]


def test_utf16_and_damaged_utf8_are_read_and_annotated_byte_for_byte(tmp_path: Path) -> None:
    """A UTF-16 file with a BOM is text, not binary; a UTF-8 file with two stray bytes
    is read as UTF-8 (not mojibake) with one notice; a Windows-1252 file is read with
    one notice.  Each gives the clean file's findings, and its annotated copy is the
    input byte for byte once the markup is removed."""
    from refcheck.annotate import annotate_file
    from refcheck.reporters.criticmarkup import strip_criticmarkup
    from refcheck.textformat import decode_source, encode_source

    clean = EXAMPLE_FILES["txt"].read_bytes()
    cut = clean.index(b"\n\n", 500)
    forms = {
        "utf16.txt": (b"\xff\xfe" + clean.decode("utf-8").encode("utf-16-le"), None),
        "stray.txt": (clean[:cut] + b" \xff\xfe stray" + clean[cut:], "2 bytes are not valid UTF-8 (first on line"),
        "legacy.txt": (clean.decode("utf-8").encode("cp1252", "replace"), "is not UTF-8; read as Windows-1252"),
    }
    reference = tmp_path / "clean.txt"  # run_check writes its streams beside the file
    reference.write_bytes(clean)
    expected = _findings(run_check(reference, "--format", "json"))
    for name, (data, notice) in forms.items():
        path = tmp_path / name
        path.write_bytes(data)
        run = run_check(path, "--format", "json")
        assert run.code == 1, run.stderr
        assert_bounded(run)
        assert _findings(run) == expected, name
        notes = run.stderr.strip().splitlines()
        if notice:  # said once, naming the file
            assert len(notes) == 1 and notes[0].startswith(f"refcheck: {path}: ") and notice in notes[0], notes
        else:
            assert notes == [], notes
        out, _ = annotate_file(path, tmp_path / f"annotated-{name}")
        written = decode_source(out.read_bytes())
        assert encode_source(strip_criticmarkup(written.text), written) == data, name


def test_reference_labels_past_9999_keep_their_numbers(tmp_path: Path) -> None:
    """Entries 10,000 and on were read without a number (and fix refused); five-digit
    labels are read, while a five-digit number in a short manuscript is still no citation."""
    from refcheck.engine import read_manuscript

    n = 10_050
    lines = ["A long review", "", "Introduction", "", f"Many studies exist [1], [9999], [10000] and [{n}].", "",
             "References", ""]
    lines += [f"[{k}] Author{k} A. Study number {k} of things. J Things. 2020;{k}:1-2." for k in range(1, n + 1)]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines) + "\n")
    ms = read_manuscript(path)
    assert len(ms.references) == n
    assert all(r.number == k for k, r in enumerate(ms.references, start=1))
    assert [c.numbers for c in ms.citations] == [(1,), (9999,), (10000,), (n,)]

    short = tmp_path / "short.txt"
    short.write_text("A title\n\nIntroduction\n\nWe sampled [12345] people [1].\n\nReferences\n\n"
                     "[1] Smith J. Outcomes. J Things. 2020;1:1-2.\n")
    assert [c.numbers for c in read_manuscript(short).citations] == [(1,)]
