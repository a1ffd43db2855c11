"""Where a finding is, in the words of its file: line and column for text formats,
the file a LaTeX part came from, the paragraph for Word.

Shared by the engine (which places every finding), the LaTeX reader (which writes
the locators) and the LaTeX note writer (which reads them back), so none of them
imports another.
"""

from __future__ import annotations

from dataclasses import replace

from refcheck.model import Finding, Manuscript

_FILE_STRIDE = 1 << 32  # locator = file index * stride + line


def encode_locator(file_index: int, line: int) -> int:
    """A segment locator for ``line`` (1-based) of file ``file_index`` (0 = the main
    file): one integer, so a LaTeX manuscript of several files keeps the text formats'
    source maps."""
    return file_index * _FILE_STRIDE + line


def split_locator(locator: int) -> tuple[int, int]:
    """``(file index, line)`` of a locator made by :func:`encode_locator`."""
    return divmod(locator, _FILE_STRIDE)


def locate_latex(manuscript: Manuscript, f: Finding) -> Finding:
    """Line/column of a finding in the LaTeX file (main or included) its words come from."""
    block = manuscript.blocks[f.block]
    files: list[str] = manuscript.metadata.get("latex_files") or [manuscript.path]
    locator, offset = block.source.first_real(f.start, max(f.end, f.start + 1))
    if locator is None:
        locator, offset = block.anchor[1], 0
    file, line = split_locator(locator)
    # the main file under the name the manuscript is reported by (stdin's temporary copy never shows)
    path = files[file] if 0 < file < len(files) else manuscript.path
    return replace(f, line=line or 1, column=offset + 1, path=path)


def locate(manuscript: Manuscript, f: Finding) -> Finding:
    """Derive line/column (text, Markdown, LaTeX) or paragraph (DOCX) from the block's
    source map, when the finding is made — never stored in blocks."""
    block = manuscript.blocks[f.block]
    if manuscript.format == "latex":
        return locate_latex(manuscript, f)
    if manuscript.format in ("text", "markdown"):
        locator, offset = block.source.first_real(f.start, max(f.end, f.start + 1))
        if locator is not None:
            return replace(f, line=locator, column=offset + 1, path=manuscript.path)
        return replace(f, line=block.anchor[1], column=1, path=manuscript.path)
    data = dict(f.data)
    data.setdefault("paragraph", block.anchor[1] + 1)
    data.setdefault("part", block.anchor[0])
    return replace(f, data=data, path=manuscript.path)
