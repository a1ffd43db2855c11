"""Margin notes for LaTeX: the annotated copy compiles, and shows each finding beside its text.

An author reads LaTeX findings in the PDF, not in the source, so the copy gets a
``\\refchecknote{…}`` before the flagged words and one small definition before
``\\begin{document}`` — no package to install, nothing else changed.  The macro is a
margin note (``\\marginpar``) where LaTeX allows one and inline bracketed text where
it does not (inside a box, a float, a footnote or a table: LaTeX's "Not in outer par
mode"), so it compiles wherever it lands.  Notes go only where the reader saw plain
paragraph text (never inside a command's argument, a heading, a caption, a URL or a
macro); a finding elsewhere takes the nearest such place before it.

Only the main file is rewritten: a finding in an ``\\input`` file is noted where that
file is included, naming its file and line.  Every addition is delimited, so
:func:`strip_notes` gives back the input byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence

from refcheck.locations import split_locator
from refcheck.model import InputError, Manuscript
from refcheck.reporters.common import Note
from refcheck.textformat import decode_file, encode_source

BEGIN = "%% refcheck: margin notes (begin)"
END = "%% refcheck: margin notes (end)"
PREAMBLE = (
    f"{BEGIN}\n"
    # A journal class may leave a thin margin note column while the paper has room: widen
    # it to the room right of the text (the text's own layout is untouched).
    "\\newlength{\\refcheckroom}\\AtBeginDocument{\\setlength{\\refcheckroom}{\\paperwidth}"
    "\\addtolength{\\refcheckroom}{-1in-\\hoffset-\\oddsidemargin-\\textwidth-2\\marginparsep}"
    "\\ifdim\\refcheckroom>\\marginparwidth\\setlength{\\marginparwidth}{\\refcheckroom}\\fi}\n"
    "\\DeclareRobustCommand{\\refchecknote}[1]{\\ifinner{\\footnotesize\\textbf{[refcheck: #1]}}"
    "\\else\\marginpar{\\raggedright\\footnotesize\\textbf{refcheck:} #1}\\fi}\n"
    f"{END}\n"
)
_NOTE = re.compile(r"\\refchecknote\{(?:\\.|[^\\{}])*\}")
_PREAMBLE = re.compile(re.escape(BEGIN) + r"\r?\n.*?" + re.escape(END) + r"\r?\n", re.S)
_ASCII = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "--", "…": "...", "×": "x",
                        "≥": ">=", "≤": "<=", "→": "->", "·": "."})
_SPECIAL = re.compile(r"[\\{}$&#^_%~]")
MAX_NOTE_CHARS = 600


def _latex_text(text: str) -> str:
    """Note text as LaTeX that any engine and font set: ASCII, specials escaped, one line."""
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    plain = " ".join(plain.split())
    if len(plain) > MAX_NOTE_CHARS:
        plain = plain[: MAX_NOTE_CHARS - 3].rstrip() + "..."
    return _SPECIAL.sub(lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(m.group(), "\\" + m.group()),
                        plain)


def strip_notes(text: str) -> str:
    """The annotated copy without refcheck's additions: the input, byte for byte."""
    return _NOTE.sub("", _PREAMBLE.sub("", text, count=1))




def _main_offset(ms: Manuscript, file: int, offset: int) -> int:
    """An offset in the main file for a position in file ``file``: an included file's
    position is the place of the ``\\input`` that brings it in."""
    includes: dict[int, tuple[int, int, bool]] = ms.metadata.get("latex_includes") or {}
    guard = 0
    while file != 0 and file in includes and guard < 64:
        file, offset, _safe = includes[file]
        guard += 1
    return offset if file == 0 else 0


def _position(ms: Manuscript, note: Note) -> tuple[int, int, int]:
    """(file, offset in that file) of a note's words, and the note's block text offset."""
    safe: dict[int, list[tuple[int, int, int]]] = ms.metadata.get("latex_safe") or {}
    points = safe.get(note.block, [])
    before = [p for p in points if p[0] <= note.start]
    if before:
        return before[-1][1], before[-1][2], note.block
    block = ms.blocks[note.block]
    locator, _col = block.source.first_real(note.start, max(note.end, note.start + 1))
    if locator is None:
        locator = block.anchor[1]
    file, line = split_locator(locator)
    return file, -line, note.block  # a line, not an offset: resolved by the caller


def annotate_latex(data: bytes, ms: Manuscript, notes: Sequence[Note], sources: dict[int, str] | None = None) -> bytes:
    """The main file's bytes with a margin note per ``Note`` and the macro's definition."""
    decoded = decode_file(data)  # as the reader decoded it, undecodable bytes kept
    text = decoded.text
    if "\\refchecknote" in text or BEGIN in text:
        raise InputError(ms.path, "already holds refcheck margin notes; annotate the original, not an annotated copy")
    # The reader's offsets are in the text with line endings made "\n"; map through lines.
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    norm_starts = [0] + [m.end() for m in re.finditer("\n", norm)]
    raw_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def raw_offset(norm_offset: int) -> int:
        k = bisect_right(norm_starts, norm_offset) - 1
        return raw_starts[k] + (norm_offset - norm_starts[k])

    safe: dict[int, list[tuple[int, int, int]]] = ms.metadata.get("latex_safe") or {}
    includes: dict[int, tuple[int, int, bool]] = ms.metadata.get("latex_includes") or {}
    # Paragraph text of the main file, and the \input lines in its body (a main file
    # may be nothing but \input lines).
    main_safe = sorted({off for pts in safe.values() for (_pos, f, off) in pts if f == 0}
                       | {off for parent, off, ok in includes.values() if parent == 0 and ok})
    if not main_safe:
        raise InputError(ms.path, "has no paragraph text in the main file to attach margin notes to")
    files: list[str] = ms.metadata.get("latex_files") or [ms.path]
    inserts: list[tuple[int, str]] = []
    for note in notes:
        file, offset, _block = _position(ms, note)
        prefix = ""
        if offset < 0:  # no safe point in the block: where its first line starts
            line = -offset
            if file == 0:
                offset = norm_starts[min(line, len(norm_starts)) - 1]
            else:
                offset = 0
                prefix = f"{files[file].rsplit('/', 1)[-1]}:{line}: " if file < len(files) else ""
        elif file != 0:
            prefix = f"{files[file].rsplit('/', 1)[-1]}: " if file < len(files) else ""
        target = _main_offset(ms, file, offset) if file != 0 else offset
        k = bisect_right(main_safe, target) - 1
        at = main_safe[max(k, 0)]
        text_ = note.text.removeprefix("refcheck: ")  # the macro says "refcheck:" already
        inserts.append((at, "\\refchecknote{" + _latex_text(prefix + text_) + "}"))
    begin = re.search(r"^[^%\n]*?\\begin\s*\{document\}", norm, re.M)
    head = begin.start() if begin else 0  # the start of its line: the additions are whole lines
    out = text
    for at, snippet in sorted(inserts, key=lambda x: x[0], reverse=True):
        pos = raw_offset(at)
        out = out[:pos] + snippet + out[pos:]
    head_raw = raw_offset(head)
    newline = "\r\n" if "\r\n" in text else "\n"
    preamble = PREAMBLE.replace("\n", newline) if newline != "\n" else PREAMBLE
    out = out[:head_raw] + preamble + out[head_raw:]
    return encode_source(out, decoded)


def note_count(text: str) -> int:
    """How many margin notes an annotated copy holds."""
    return len(_NOTE.findall(text))

