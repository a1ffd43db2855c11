"""Safe writing of the files refcheck produces (annotated copies, renumbered copies, batch outputs).

Every command that writes a document follows the same rules, so they live here:

- the default output sits beside the input as ``NAME.refcheck.EXT`` (or another tag);
- the output may never be the input itself (symlinks resolved): the input's bytes
  are never touched;
- an existing output is overwritten only with ``force=True`` or when it is
  refcheck's own earlier output, recognised by a marker the writer left in it —
  so a user's hand-made ``paper.refcheck.docx`` is not silently lost;
- the write is atomic: a temporary file in the same folder, then ``os.replace``,
  so a crash or a full disk never leaves half a document under the final name.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from refcheck.model import InputError

# What lets a later run recognise its own output without adding anything visible:
# the comments' author in DOCX, the CriticMarkup comment syntax in text.
DOCX_AUTHOR = "refcheck"
_COMMENTS_PART = re.compile(r"(^|/)comments\d*\.xml$", re.I)
_DOCX_MARK = re.compile(rb'author="refcheck"')
_TEXT_MARK = re.compile(rb"\{>>(RC\d{3}\b|refcheck\b)|\\refchecknote\{")
# A rewritten copy (fix --renumber) has no comment to recognise it by: DOCX carries
# this ZIP archive comment (no part changes), any file this extended attribute
# where the file system keeps one (lost on copy, which only means --force is needed).
ZIP_MARK = b"written by refcheck"
_XATTR = "user.refcheck"


def mark_output(path: Path) -> None:
    """Tag a written file as refcheck's own, so the next run may replace it (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setxattr(path, _XATTR, b"1")


def default_output(path: Path, tag: str = "refcheck") -> Path:
    """``paper.docx`` -> ``paper.refcheck.docx`` beside the input (``.dotx`` stays ``.dotx``)."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.{tag}{path.suffix}")


def is_refcheck_output(path: Path) -> bool:
    """Whether ``path`` is a file an earlier refcheck run wrote (safe to replace).

    DOCX: a comments part holding a comment by author "refcheck".  Text: a
    CriticMarkup comment opening with a rule code or "refcheck" (the summary).
    """
    with contextlib.suppress(OSError, AttributeError):
        if os.getxattr(path, _XATTR):
            return True
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                if zf.comment.startswith(ZIP_MARK):
                    return True
                for name in zf.namelist():
                    if _COMMENTS_PART.search(name) and _DOCX_MARK.search(zf.read(name)):
                        return True
                return False
        with open(path, "rb") as fh:
            return bool(_TEXT_MARK.search(fh.read(4 * 1024 * 1024)))
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def check_output(input_path: Path, output: Path, force: bool) -> Path:
    """Validate where we may write; return the output path.  Raises :class:`InputError`."""
    try:
        same = output.exists() and output.resolve() == input_path.resolve()
    except OSError:
        same = False
    if same or os.path.abspath(output) == os.path.abspath(input_path):
        raise InputError(str(output), "output would overwrite the input file; choose another -o path")
    if output.is_dir():
        raise InputError(str(output), "output is a directory; give a file name")
    if not output.parent.is_dir():
        raise InputError(str(output), f"output folder {output.parent} does not exist")
    if output.exists() and not force and not is_refcheck_output(output):
        raise InputError(str(output), "output exists and was not written by refcheck; use --force to overwrite")
    return output


def atomic_write(output: Path, write: Callable[[Path], None] | bytes) -> Path:
    """Write to a temporary file beside ``output`` and rename it into place.

    ``write`` is the bytes, or a function that writes the temporary path.  The
    temporary file is removed on any failure, so the old output (if any) survives.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(write, (bytes, bytearray)):
                fh.write(write)
        if not isinstance(write, (bytes, bytearray)):
            write(tmp)
        if output.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, output.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, output)
    except OSError as exc:
        raise InputError(str(output), f"cannot write output ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return output
