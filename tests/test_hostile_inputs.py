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
