"""File names as refcheck prints them: control characters escaped.

A submission's file name is chosen by a stranger.  Printed raw, a newline in it forges
a second line of output (a fake "0 findings"), an ANSI escape recolours or clears the
terminal, and a bidirectional override makes ``evil‮xcod.txt`` read as ``evil.docx``.
Every place that prints a name the user did not type goes through
:func:`display_name`; JSON and SARIF keep the real name (their encoders escape it).
"""

from __future__ import annotations

import os
import re
import unicodedata

# Bidirectional embedding, override and isolate marks: format characters (Cf) that
# reorder what follows them on screen.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_name(path: str | os.PathLike[str]) -> str:
    """``path`` with every control, line-separator and bidi character written as
    ``\\xNN``/``\\uNNNN``: one visible line, read in the order it is stored.

    Undecodable bytes (``surrogateescape``) are shown as ``\\udcNN`` rather than
    failing the terminal's encoder."""
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover - refcheck passes str paths
        text = text.decode("utf-8", "surrogateescape")
    text = _UNSAFE.sub(_escape, text)
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        text = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) == "Cs" else ch for ch in text)
    return text
