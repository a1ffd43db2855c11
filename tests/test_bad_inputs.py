"""Every class of bad input from issue 6, end to end through ``refcheck check``.

Each file is generated here (in ``tmp_path``) and run through the real CLI in a
subprocess, because what matters to a user is what the process prints and returns:
exactly one line on stderr naming the file and the problem, exit status 2, no
traceback -- and with ``--debug`` the traceback does appear.  The input's bytes are
hashed before and after: a failed check must never touch the manuscript.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES, ROOT

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def run_check(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``refcheck check PATH`` as a separate process, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "refcheck.cli", "check", str(path), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except PermissionError:
        return None


# --- generators: each returns the path of one bad input --------------------------


def missing(tmp: Path) -> Path:
    return tmp / "no-such-manuscript.docx"


def directory(tmp: Path) -> Path:
    d = tmp / "a-folder.docx"
    d.mkdir()
    return d


def empty_text(tmp: Path) -> Path:
    p = tmp / "empty.txt"
    p.write_bytes(b"")
    return p


def zero_byte_docx(tmp: Path) -> Path:
    p = tmp / "zero.docx"
    p.write_bytes(b"")
    return p


def text_renamed_docx(tmp: Path) -> Path:
    p = tmp / "really-text.docx"
    p.write_text("Introduction\n\nThis is plain text that someone renamed to .docx [1].\n")
    return p


def truncated_zip(tmp: Path) -> Path:
    data = EXAMPLE_FILES["docx"].read_bytes()
    p = tmp / "truncated.docx"
    p.write_bytes(data[: len(data) // 2])
    return p


def corrupt_zip(tmp: Path) -> Path:
    """A ZIP whose directory is intact but whose document.xml data is garbage."""
    buf = io.BytesIO()
    with zipfile.ZipFile(EXAMPLE_FILES["docx"]) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
    data = bytearray(buf.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size, 400)):
        data[i] ^= 0xA5
    p = tmp / "corrupt.docx"
    p.write_bytes(bytes(data))
    return p


def zip_without_document(tmp: Path) -> Path:
    p = tmp / "no-document.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'/>")
        zf.writestr("word/styles.xml", "<styles/>")
    return p


def legacy_doc(tmp: Path) -> Path:
    """An OLE compound file header (what Word 97-2003 writes) with a .doc name."""
    p = tmp / "legacy.doc"
    p.write_bytes(OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 4072)
    return p


def encrypted_docx(tmp: Path) -> Path:
    """Word saves a password-protected .docx as an OLE/CFB container holding
    EncryptionInfo and EncryptedPackage streams; the first bytes are the CFB magic."""
    header = OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
    body = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    p = tmp / "password.docx"
    p.write_bytes(header + b"\x00" * (512 - len(header)) + body + os.urandom(4096))
    return p


def binary_txt(tmp: Path) -> Path:
    p = tmp / "garbage.txt"
    p.write_bytes(bytes(range(256)) * 40)
    return p


def control_chars_txt(tmp: Path) -> Path:
    """Binary without NUL bytes: the control-character test must catch it."""
    p = tmp / "noise.txt"
    p.write_bytes(bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13)) * 200)
    return p


def unknown_suffix(tmp: Path) -> Path:
    p = tmp / "manuscript.pdf"
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return p


# (generator, words the one error line must contain, any-of)
CASES: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    "missing-file": (missing, ("no such file",)),
    "directory": (directory, ("directory",)),
    "empty-file": (empty_text, ("empty",)),
    "zero-byte-docx": (zero_byte_docx, ("empty",)),
    "text-renamed-docx": (text_renamed_docx, ("not a docx", "zip")),
    "truncated-zip": (truncated_zip, ("truncated", "corrupt")),
    "corrupt-zip": (corrupt_zip, ("corrupt", "not well-formed", "cannot")),
    "zip-without-document": (zip_without_document, ("document.xml",)),
    "legacy-doc": (legacy_doc, (".doc",)),
    "encrypted-docx": (encrypted_docx, ("encrypted", "password")),
    "binary-txt": (binary_txt, ("binary",)),
    "control-chars-txt": (control_chars_txt, ("binary",)),
    "unknown-suffix": (unknown_suffix, ("unsupported",)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_one_clear_line(case: str, tmp_path: Path) -> None:
    make, words = CASES[case]
    path = make(tmp_path)
    before = digest(path)

    proc = run_check(path)

    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert path.name in line, f"the line must name the file: {line}"
    assert any(w in line.lower() for w in words), f"expected one of {words} in: {line}"
    assert "internal error" not in line, line
    assert digest(path) == before, "the input's bytes changed"

    debug = run_check(path, "--debug")
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr, debug.stderr
    assert digest(path) == before


def test_json_format_keeps_stdout_parseable_and_reports_error(tmp_path: Path) -> None:
    """With --format json the error row is in the JSON and the one line on stderr."""
    import json

    path = binary_txt(tmp_path)
    proc = run_check(path, "--format", "json")
    assert proc.returncode == 2
    data = json.loads(proc.stdout)
    rows = data["files"] if isinstance(data, dict) and "files" in data else data
    assert any(path.name in (r.get("error") or "") for r in rows), data
    assert len(proc.stderr.strip().splitlines()) == 1


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    """Several files: the bad one is an error line, the good one is still checked."""
    bad = binary_txt(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "refcheck.cli", "check", str(bad), str(EXAMPLE_FILES["txt"])],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.strip().splitlines() if "min-confidence" not in line]
    assert len(errors) == 1 and "garbage.txt" in errors[0], proc.stderr
    assert "seed-review.txt:" in proc.stdout, proc.stdout[:500]


@pytest.mark.parametrize("suffix", [".docm", ".dotx"])
def test_macro_and_template_packages_are_read_only(suffix: str, tmp_path: Path) -> None:
    """Decision: .docm and .dotx are read (their text is WordprocessingML like .docx);
    macros are never run or kept.  Checking them gives findings like the .docx."""
    path = tmp_path / f"seed-review{suffix}"
    path.write_bytes(EXAMPLE_FILES["docx"].read_bytes())
    before = digest(path)
    proc = run_check(path, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert digest(path) == before
    reference = run_check(EXAMPLE_FILES["docx"], "--format", "json")
    import json

    def codes(out: str) -> list[str]:
        data = json.loads(out)
        rows = data["files"] if isinstance(data, dict) and "files" in data else data
        return sorted(f["code"] for r in rows for f in r["findings"])

    assert codes(proc.stdout) == codes(reference.stdout)


def test_no_read_permission(tmp_path: Path) -> None:
    """chmod 000 blocks reading only for an unprivileged user.  As root (as in this
    container) the kernel ignores the mode, so the end-to-end test cannot be honest
    and is skipped; the in-process test below covers the handling code."""
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not block reading, so this cannot fail honestly")
    path = tmp_path / "locked.txt"
    path.write_text("Introduction\n\nSome text [1].\n")
    path.chmod(0)
    try:
        proc = run_check(path)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0] and "permission" in lines[0].lower()
        assert "Traceback" not in proc.stderr
    finally:
        path.chmod(0o644)


def test_no_read_permission_in_process(tmp_path: Path, monkeypatch, capsys) -> None:
    """The permission path of the CLI, with the OS refusal simulated: os.access says
    no and opening raises PermissionError, as it would for an unprivileged user."""
    import builtins

    from refcheck import cli

    path = tmp_path / "locked.docx"
    path.write_bytes(EXAMPLE_FILES["docx"].read_bytes())
    real_open = builtins.open

    def refusing_open(file, *a, **k):  # noqa: ANN001, ANN002, ANN003
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(os, "access", lambda p, mode, **k: str(p) != str(path))
    monkeypatch.setattr(builtins, "open", refusing_open)
    code = cli.main(["check", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and path.name in err[0] and "permission" in err[0].lower(), err
