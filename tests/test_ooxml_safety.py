"""Hostile and broken DOCX inputs: each must give a one-line InputError naming the
file, in bounded time and memory, without reading anything outside the package."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zipfile
from pathlib import Path

import pytest

from refcheck.model import InputError
from refcheck.ooxml.package import PackageLimits, open_package
from refcheck.readers.docx import read_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOC = f"<w:document {W}><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>"


def write_zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def refused(path: Path, config: dict | None = None, within: float = 10.0) -> str:
    """Read ``path`` expecting a clean refusal; return the message."""
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        read_docx(path, config or {})
    assert time.monotonic() - started < within
    message = str(info.value)
    assert path.name in message and "\n" not in message
    return message


def test_valid_minimal_package_reads(tmp_path):
    path = write_zip(tmp_path / "ok.docx", {"word/document.xml": DOC})
    assert read_docx(path).blocks[0].text == "Hello"


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    assert "empty file" in refused(path)


def test_ole_container(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    assert "encrypted" in refused(path)


def test_text_renamed_docx(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("Just some text, not a package.\n")
    assert "not a DOCX (ZIP)" in refused(path)


def test_truncated_zip(tmp_path):
    good = write_zip(tmp_path / "good.docx", {"word/document.xml": DOC * 50})
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[:-40])
    assert "corrupt" in refused(path)


def test_zip_without_document(tmp_path):
    path = write_zip(tmp_path / "nodoc.docx", {"xl/workbook.xml": "<workbook/>"})
    assert "word/document.xml" in refused(path)


def test_main_part_found_through_relationships(tmp_path):
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="/custom/main.xml"/></Relationships>')
    path = write_zip(tmp_path / "renamed.docx", {"_rels/.rels": rels, "custom/main.xml": DOC})
    assert read_docx(path).blocks[0].text == "Hello"


def test_zip_bomb_declared_gigabyte(tmp_path):
    """1 GiB of zeros, written in 1 MiB chunks so the test itself stays small."""
    path = tmp_path / "bomb.docx"
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("word/document.xml", DOC)
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(chunk)
    assert path.stat().st_size < 10 << 20
    message = refused(path)
    assert "ZIP bomb" in message


def test_compression_ratio_limit_is_configurable(tmp_path):
    path = write_zip(tmp_path / "ratio.docx", {"word/document.xml": DOC, "word/pad.bin": b"\0" * (4 << 20)})
    assert "max_compression_ratio" in refused(path)
    assert read_docx(path, {"limits": {"max_compression_ratio": 100_000}}).blocks[0].text == "Hello"
    assert "max_unzipped_mb" in refused(path, {"limits": {"max_unzipped_mb": 1, "max_compression_ratio": 100_000}})


def test_entry_count_limit(tmp_path):
    entries: dict[str, bytes | str] = {"word/document.xml": DOC}
    entries.update({f"junk/{i}.txt": "x" for i in range(50)})
    path = write_zip(tmp_path / "many.docx", entries)
    assert "ZIP entries" in refused(path, {"limits": {"max_zip_entries": 20}})
    assert PackageLimits.from_config({"limits": {"max_zip_entries": 20}}).max_entries == 20


def _patch_sizes(data: bytes, declared: int) -> bytes:
    """Make every local and central header understate the inflated size."""
    buf = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = buf.find(sig)
        while pos != -1:
            struct.pack_into("<I", buf, pos + offset, declared)
            pos = buf.find(sig, pos + 4)
    return bytes(buf)


def test_lying_directory_is_stopped_while_inflating(tmp_path):
    big = DOC.replace("Hello", "Hello " * 200_000)
    good = write_zip(tmp_path / "big.docx", {"word/document.xml": big})
    path = tmp_path / "liar.docx"
    path.write_bytes(_patch_sizes(good.read_bytes(), 1000))
    message = refused(path)
    assert "inflates beyond" in message or "corrupt" in message


def test_billion_laughs(tmp_path):
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    ]
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{"".join(entities)}]>'
           f"<w:document {W}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    path = write_zip(tmp_path / "laughs.docx", {"word/document.xml": xml})
    assert "word/document.xml" in refused(path, within=5)


def test_xxe_local_file_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">'
           f'<!ENTITY p SYSTEM "file:///etc/passwd">]>'
           f"<w:document {W}><w:body><w:p><w:r><w:t>&x;&p;</w:t></w:r></w:p></w:body></w:document>")
    path = write_zip(tmp_path / "xxe.docx", {"word/document.xml": xml})
    message = refused(path)
    assert "TOPSECRET" not in message and "root:" not in message


def test_xxe_url_not_fetched(tmp_path):
    """A listener on a local port records any connection the reader might make."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(2)
    port = server.getsockname()[1]
    hits: list[str] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            hits.append("connected")
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document SYSTEM "http://127.0.0.1:{port}/dtd" '
           f'[<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
           f"<w:document {W}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    path = write_zip(tmp_path / "xxe-url.docx", {"word/document.xml": xml})
    try:
        refused(path)
        hostile = write_zip(tmp_path / "xxe-core.docx", {"word/document.xml": DOC, "docProps/core.xml": xml})
        refused(hostile)
    finally:
        thread.join(timeout=3)
        server.close()
    assert hits == []


def test_deep_nesting(tmp_path):
    depth = 5_000  # under the ratio floor, so the XML depth guard is what answers
    inner = "<w:customXml>" * depth + "<w:r><w:t>x</w:t></w:r>" + "</w:customXml>" * depth
    xml = f"<w:document {W}><w:body><w:p>{inner}</w:p></w:body></w:document>"
    path = write_zip(tmp_path / "deep.docx", {"word/document.xml": xml})
    assert "nested too deeply" in refused(path)


def test_malformed_optional_part_is_tolerated(tmp_path):
    path = write_zip(tmp_path / "badstyles.docx", {"word/document.xml": DOC, "word/styles.xml": "<w:styles"})
    assert read_docx(path).blocks[0].text == "Hello"


def test_open_package_reads_parts_and_closes(tmp_path):
    path = write_zip(tmp_path / "pkg.docx", {"word/document.xml": DOC})
    with open_package(path) as pkg:
        assert pkg.main_part == "word/document.xml"
        assert pkg.read("WORD/Document.xml") == DOC.encode()
        assert pkg.get("word/missing.xml") is None
