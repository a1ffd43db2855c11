"""CriticMarkup for text and Markdown: ``{==flagged span==}{>>RC301 name: message<<}``.

CriticMarkup is the common Markdown convention for review comments; editors such
as MarkText, Typora plugins and pandoc filters show it.  Everything outside the
markup stays byte-identical to the input: the file is decoded exactly as the text
reader decoded it (so line/column from its source map are valid), markup is
inserted at file offsets, and the result is encoded back in the input's encoding
with its own line endings and BOM.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from refcheck.model import Block, SourceMap
from refcheck.reporters.common import Note  # noqa: F401 - re-exported for callers
from refcheck.textformat import decode_file, encode_source, front_matter_lines

_MARKUP = re.compile(r"\{>>.*?<<\}|\{==|==\}", re.S)




def line_starts(text: str) -> list[int]:
    """Offsets where each line starts; \\r\\n, \\r and \\n end lines as the reader counts them
    (public for ``refcheck fix``, which maps block spans to file offsets with them)."""
    starts = [0]
    for m in re.finditer(r"\r\n|\r|\n", text):
        starts.append(m.end())
    return starts


def _last_real(source: SourceMap, start: int, end: int) -> tuple[int | None, int]:
    """Origin just *after* the last non-synthetic character of ``[start, end)``."""
    for seg in reversed(source.segments):
        lo, hi = max(start, seg.start), min(end, seg.start + seg.length)
        if lo < hi and seg.locator is not None:
            return seg.locator, seg.offset + (hi - seg.start)
    return None, 0


def file_span(block: Block, start: int, end: int, line_starts: list[int]) -> tuple[int, int] | None:
    """Map a block span to ``[start, end)`` offsets of the decoded file text.

    The span may cross a line join (a synthetic space): the markup then wraps the
    file text from the first real character to the last one, newline included.
    """
    end = max(end, start + 1)
    first_line, first_col = block.source.first_real(start, end)
    last_line, last_col = _last_real(block.source, start, end)
    if first_line is None or last_line is None:
        return None
    if not (1 <= first_line <= len(line_starts) and 1 <= last_line <= len(line_starts)):
        return None
    a = line_starts[first_line - 1] + first_col
    b = line_starts[last_line - 1] + last_col
    return (a, b) if b > a else None


def _clean(text: str) -> str:
    """A comment body may not contain the closing ``<<}`` nor newlines (one-line comments)."""
    return " ".join(text.replace("<<}", "<< }").split())


def annotate_text(data: bytes, blocks: Sequence[Block], notes: Sequence[Note]) -> tuple[bytes, int]:
    """Insert CriticMarkup for ``notes`` into the file bytes ``data``.

    Returns the new bytes and the number of comments written.  Notes whose spans
    overlap are merged into one highlight followed by all their comments, which
    keeps the markup well-formed (CriticMarkup does not nest).  A note whose span
    has no file position (all synthetic) becomes a bare comment at its block start,
    or after the YAML metadata block for text that came from it.
    """
    decoded = decode_file(data)
    text = decoded.text
    starts = line_starts(text)
    # A note on text with no file position (the title or abstract of a YAML
    # metadata block) goes at the head of the first text after that block: markup
    # inside the YAML would break it, and a line of its own could join a heading.
    no_position = 0
    if front_matter_lines(text):
        firsts = (file_span(b, 0, len(b.text), starts) for b in blocks if b.text.strip())
        no_position = next((span[0] for span in firsts if span), len(text))
    placed: list[tuple[int, int, str]] = []
    for note in notes:
        block = blocks[note.block]
        span = file_span(block, note.start, note.end, starts)
        if span is None:
            anchor = file_span(block, 0, len(block.text), starts)
            pos = anchor[0] if anchor else no_position
            span = (pos, pos)
        placed.append((span[0], span[1], _clean(note.text)))
    placed.sort(key=lambda p: (p[0], p[1]))
    groups: list[list] = []  # [start, end, [texts]]
    for a, b, body in placed:
        if groups and a < groups[-1][1] and b > a:
            groups[-1][1] = max(groups[-1][1], b)
            groups[-1][2].append(body)
        else:
            groups.append([a, b, [body]])
    out: list[str] = []
    pos = 0
    for a, b, bodies in groups:
        out.append(text[pos:a])
        comments = "".join(f"{{>>{body}<<}}" for body in bodies)
        if b > a:
            out.append(f"{{=={text[a:b]}==}}{comments}")
        else:
            out.append(comments)
        pos = b
    out.append(text[pos:])
    result = "".join(out)
    encoded = encode_source(result, decoded)
    return encoded, len(placed)


def strip_criticmarkup(text: str) -> str:
    """Remove highlights and comments, giving back the original text."""
    return _MARKUP.sub("", text)


def criticmarkup_comments(text: str) -> list[tuple[str, str]]:
    """``(highlighted text, comment)`` pairs; a bare comment has an empty highlight."""
    pairs: list[tuple[str, str]] = []
    for m in re.finditer(r"(?:\{==(.*?)==\})?((?:\{>>.*?<<\})+)", text, re.S):
        for body in re.findall(r"\{>>(.*?)<<\}", m.group(2), re.S):
            pairs.append((m.group(1) or "", body))
    return pairs
