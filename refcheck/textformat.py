"""Text-format conventions the reader and the writers must agree on.

The Markdown reader skips a YAML metadata block and the CriticMarkup writer must not
put a comment inside one; both ask here, so neither imports the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)\s*$")
_FRONT_MATTER_MAX_LINES = 1000


def front_matter_lines(text: str) -> int:
    """Lines taken by a YAML metadata block that opens the file (pandoc, Quarto, R
    Markdown, Jekyll: ``---`` … ``---`` or ``...``), closing line included; 0 if none."""
    lines = text.split("\n", _FRONT_MATTER_MAX_LINES + 1)
    if not lines or lines[0].rstrip() != "---" or len(lines) < 3 or not lines[1].strip():
        return 0
    for k in range(1, min(len(lines), _FRONT_MATTER_MAX_LINES)):
        if _FRONT_MATTER_END.match(lines[k]):
            return k + 1
    return 0


# ---------------------------------------------------------------------------
# Decoding: one decision for the reader and every writer of text files


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_ESCAPED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Decoded:
    """A text file's characters and how to write them back.

    ``text`` keeps the file's line endings; a byte that is not valid UTF-8 in an
    otherwise UTF-8 file is one lone surrogate (``surrogateescape``), so a writer
    encoding with :func:`encode_source` gives those bytes back unchanged and offsets
    stay one character per undecodable byte.  ``notice`` is the one line the reader
    says about a fallback ("" when the file was clean UTF-8 or marked by a BOM).
    """

    text: str
    encoding: str  # "utf-8-sig" (UTF-8, BOM or not), "utf-16-le", "utf-32-be", "cp1252", "latin-1"…
    bom: bool
    notice: str = ""

    def readable(self) -> str:
        """The text for reading: each undecodable byte as U+FFFD (one for one)."""
        return _ESCAPED.sub("\ufffd", self.text) if self.encoding == "utf-8-sig" and self.notice else self.text


def decode_file(data: bytes) -> Decoded:
    """Decode a text file for a writer that rewrites it (CriticMarkup, LaTeX notes,
    ``refcheck fix``): :func:`decode_source`, line endings kept.  The writers decode
    through this one function and the reader through :func:`decode_source`, so
    their offsets agree; :func:`encode_source` writes the result back."""
    return decode_source(data)


def decode_source(data: bytes) -> Decoded:
    """Decode a text file the way an editor would want, and say so when it is a guess.

    * A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (LE/BE).  A file marked
      UTF-16 that does not decode as UTF-16 raises ``UnicodeDecodeError``.
    * Valid UTF-8 is UTF-8, silently.
    * Mostly UTF-8 with some bad bytes (a pasted fragment, a truncated character) is
      read as UTF-8, the bad bytes as U+FFFD, and the notice says how many and
      where: decoding the whole file as Windows-1252 instead would turn every
      accented letter of it into mojibake ("Ã©").
    * No valid UTF-8 sequence at all is a legacy 8-bit file: Windows-1252 (Latin-1
      when it has bytes Windows-1252 leaves undefined), with a notice.
    """
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            if encoding == "utf-8-sig":
                break
            return Decoded(data[len(mark):].decode(encoding), encoding, True)
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig", bom)
    except UnicodeDecodeError:
        pass
    escaped = body.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED.findall(escaped))
    good = sum(1 for ch in escaped if ch > "\x7f") - bad
    if good >= bad:
        first = _ESCAPED.search(escaped)
        line = escaped.count("\n", 0, first.start() if first else 0) + 1
        return Decoded(escaped, "utf-8-sig", bom,
                       f"{bad} byte{'s are' if bad != 1 else ' is'} not valid UTF-8 (first on line {line}); "
                       "read as U+FFFD and left as they are in annotated copies")
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            return Decoded(data.decode(encoding), encoding, False,
                           f"is not UTF-8; read as {name} (save it as UTF-8 to be sure of its characters)")
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes everything")  # pragma: no cover


def encode_source(text: str, decoded: Decoded) -> bytes:
    """``text`` (the decoded file, edited) encoded as the file was: its encoding, its
    BOM, its undecodable bytes given back; a character the encoding lacks (a comment's
    "–" in a Windows-1252 file) becomes "?" rather than an error."""
    boms = {enc: mark for mark, enc in _BOMS}
    if decoded.encoding == "utf-8-sig":
        return (boms["utf-8-sig"] if decoded.bom else b"") + text.encode("utf-8", "surrogateescape")
    if decoded.encoding in boms:
        return boms[decoded.encoding] + text.encode(decoded.encoding, "replace")
    return text.encode(decoded.encoding, "replace")
