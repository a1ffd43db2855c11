"""Plain text and Markdown manuscripts.

Paragraphs are blank-line separated; hard-wrapped lines are joined with a space.
Text extracted from PDFs also carries page-break artefacts — a paragraph cut at the
page end, a footnote line in the middle of it — so a chunk that stops mid-sentence
and a chunk that continues in lower case are joined again, with the footnote kept
as its own block.  Every character keeps its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.display import display_name
from refcheck.limits import DEFAULT_MAX_TEXT_MB
from refcheck.model import Block, BlockKind, InputError, Manuscript, Segment, SourceMap
from refcheck.ooxml.package import read_capped
from refcheck.plugins import hookimpl
from refcheck.readers.bibliography import read_bibliography
from refcheck.textformat import decode_source, front_matter_lines

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".qmd", ".rmd"}  # .qmd Quarto, .Rmd R Markdown
TEXT_SUFFIXES = {".txt", ".text"} | MARKDOWN_SUFFIXES

# A pandoc heading may end in attributes, "## Peer review {#peer-review}", "# Figures
# {.page_break_before}", "# Appendix {-}": they are not the heading's words.
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s*\{[#.\-][^{}]*\})?\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\S.*)$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+")
_LIST_LABEL = re.compile(r"^(?:[-*+]\s+)?(?:\[\d{1,5}\]|\d{1,5}\.)\s")  # as REFERENCE_LABEL
_FOOTNOTE_LINE = re.compile(r"^\s*(\^\{?[*†‡§\d]+\}?|[*†‡§])\s*\S")
_SECTION_NAMES = re.compile(
    r"^(abstract|summary|introduction|background|methods?|materials and methods|results|"
    r"discussion|conclusions?|funding|funding statement|acknowledg(e)?ments?|"
    r"disclosure statement|conflicts? of interest|competing interests|declarations?|"
    r"author contributions?|data availability( statement)?|ethics( statement)?|"
    r"references|reference list|bibliography|literature cited|works cited|"
    r"publisher'?s note|supplementary (material|information)|abbreviations|appendix)$",
    re.I,
)


@dataclass
class _Line:
    number: int  # 1-based
    column: int  # 0-based column where ``text`` starts
    text: str


@dataclass
class _Chunk:
    lines: list[_Line] = field(default_factory=list)
    kind: BlockKind = BlockKind.PARAGRAPH
    level: int = 0


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def decode_text(data: bytes, path: str, notices: list[str] | None = None) -> str:
    """Decode as :func:`refcheck.textformat.decode_source` does (a BOM's UTF-8/16/32,
    else UTF-8, else a stated fallback), with line endings made ``\\n``.

    Binary data is refused: a NUL character anywhere, or many control characters,
    mean this is not a manuscript someone typed, whatever its name says.  The whole
    file is judged, not its start, so a binary tail cannot ride on a page of text.
    What the decoding had to guess is appended to ``notices`` as one line.
    """
    if not data.strip():
        raise InputError(path, "empty file")
    try:
        decoded = decode_source(data)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is marked {exc.encoding.upper()} by its byte-order mark "
                               "but does not decode as it") from None
    text = decoded.readable()
    if "\x00" in text:
        raise InputError(path, "binary data, not text (NUL bytes found)")
    controls = len(_CONTROLS.findall(text))
    if controls > max(8, len(text) // 100):
        raise InputError(path, "binary data, not text (control characters found)")
    if not text.strip():
        raise InputError(path, "empty file")
    if decoded.notice and notices is not None:
        notices.append(f"{display_name(path)}: {decoded.notice}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# Pandoc citation keys: "@smith2020", "[@smith2020, p. 3]", "@{key with spaces}".  A key
# starts with a letter, digit or "_" and may hold internal punctuation; a trailing
# one is the sentence's.  "user@example.org" is no key (a word character before "@").
_PANDOC_KEY = re.compile(r"(?<![\w@])@(?:\{([^{}\n]{1,200})\}|([\w][\w:.#$%&\-+?<>~/]{0,199}))")
_KEY_TAIL = ":.#$%&-+?<>~/"


def citation_keys(text: str) -> frozenset[str] | None:
    """The keys the text may cite, for parsing only those BibTeX entries in full (a
    whole-library export takes seconds to decode); None — parse all — when the
    metadata asks for every entry (``nocite: '@*'``)."""
    if re.search(r"(?<![\w@])@\*", text):
        return None
    return frozenset((m.group(1) or m.group(2).rstrip(_KEY_TAIL)) for m in _PANDOC_KEY.finditer(text))


def _not_prose(lines: list[str]) -> set[int]:
    """0-based indexes of lines that are not prose: fenced code blocks (```` ``` ```` or
    ``~~~``, Quarto/R Markdown chunks ```` ```{r} ```` included) and HTML comments
    (``<!-- … -->``, how authors switch text off in Markdown).  An opening with no
    closing line is left as text.  Linear in the number of lines."""
    n = len(lines)
    closes_at = [n] * (n + 1)  # first line at or after k holding "-->"
    for k in range(n - 1, -1, -1):
        closes_at[k] = k if "-->" in lines[k] else closes_at[k + 1]
    skip: set[int] = set()
    fences = True  # off after an unclosed fence: nothing later can close anything
    k = 0
    while k < n:
        line = lines[k]
        opener = _FENCE.match(line) if fences else None
        if opener:
            mark = opener.group(1)
            end = next((j for j in range(k + 1, n) if (m := _FENCE.match(lines[j])) and m.group(1)[0] == mark[0]
                        and len(m.group(1)) >= len(mark) and not lines[j].strip(" `~")), None)
            if end is None:
                fences = False
            else:
                skip.update(range(k, end + 1))
                k = end + 1
                continue
        elif line.lstrip().startswith("<!--"):
            start = line.find("<!--") + 4
            end = k if "-->" in line[start:] else closes_at[k + 1]
            if end < n:
                skip.update(range(k, end + 1))
                k = end + 1
                continue
        k += 1
    return skip


def _chunks(text: str) -> Iterator[_Chunk]:
    """Blank-line separated chunks; Markdown headings and bullet items split chunks;
    code blocks and HTML comments are not prose (see :func:`_not_prose`)."""
    current = _Chunk()
    lines = text.split("\n")
    skip = _not_prose(lines)
    for number, raw in enumerate(lines, start=1):
        stripped = "" if number - 1 in skip else raw.strip()
        if not stripped:
            if current.lines:
                yield current
            current = _Chunk()
            continue
        column = len(raw) - len(raw.lstrip())
        heading = _MD_HEADING.match(stripped)
        if heading:
            if current.lines:
                yield current
            inner = raw.index(heading.group(2)) if heading.group(2) else column
            yield _Chunk([_Line(number, inner, heading.group(2))], BlockKind.HEADING, len(heading.group(1)))
            current = _Chunk()
            continue
        if (
            current.lines
            and _LIST_LABEL.match(stripped)
            and _LIST_LABEL.match(current.lines[0].text)
        ):  # a numbered list (a reference list) written one entry per line
            yield current
            current = _Chunk()
        bullet = _BULLET.match(raw)
        if bullet:
            if current.lines:
                yield current
            current = _Chunk()
            column = bullet.end()
            stripped = raw[column:].rstrip()
        current.lines.append(_Line(number, column, stripped.rstrip()))
    if current.lines:
        yield current


def _ends_mid_sentence(chunk: _Chunk) -> bool:
    last = chunk.lines[-1].text
    return chunk.kind is BlockKind.PARAGRAPH and not re.search(r"[.!?]['\")\]]*$", last)


def _continues(chunk: _Chunk) -> bool:
    first = chunk.lines[0].text
    return chunk.kind is BlockKind.PARAGRAPH and bool(re.match(r"[a-z]", first))


def _is_footnote_line(chunk: _Chunk) -> bool:
    return len(chunk.lines) == 1 and bool(_FOOTNOTE_LINE.match(chunk.lines[0].text))


# A numbered line with a year and an author ("1 Smith J. Liver 2020", "2. Doe, J.
# (2019)") is a reference entry, not a numbered heading, even when it is short and
# ends without a full stop.
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b")
_AUTHOR = re.compile(r"^[A-Z][\w'’-]+,?\s+(?:[A-Z]\.?[\s-]?){1,3}(?![a-z])|\bet\s+al\b")


def _reads_as_reference(text: str) -> bool:
    return bool(_YEAR.search(text) and _AUTHOR.search(text))


def _classify(chunk: _Chunk) -> None:
    """Numbered lines ("2.1. Basic characteristics …") and known section names are headings."""
    if chunk.kind is not BlockKind.PARAGRAPH or len(chunk.lines) != 1:
        return
    line = chunk.lines[0].text
    words = line.split()
    numbered = _NUMBERED_HEADING.match(line)
    if numbered and len(words) <= 20 and not re.search(r"[.;:,]$", line) and numbered.group(2)[0].isupper() \
            and not _reads_as_reference(numbered.group(2)):
        chunk.kind = BlockKind.HEADING
        chunk.level = numbered.group(1).count(".") + 1
    elif _SECTION_NAMES.match(line.rstrip(":")):
        chunk.kind = BlockKind.HEADING
        chunk.level = 1
    elif _is_footnote_line(chunk):
        chunk.kind = BlockKind.FOOTNOTE


def _merge_page_breaks(chunks: list[_Chunk]) -> list[_Chunk]:
    """Join a chunk cut at a page end with its lower-case continuation.

    A single footnote line between the two halves is moved after the joined paragraph.
    """
    out: list[_Chunk] = []
    i = 0
    while i < len(chunks):
        chunk = chunks[i]
        held: list[_Chunk] = []
        while _ends_mid_sentence(chunk):
            j = i + 1
            skipped: list[_Chunk] = []
            while j < len(chunks) and chunks[j].kind is BlockKind.FOOTNOTE and len(skipped) < 2:
                skipped.append(chunks[j])
                j += 1
            if j < len(chunks) and _continues(chunks[j]):
                chunk = _Chunk(chunk.lines + chunks[j].lines, chunk.kind, chunk.level)
                held.extend(skipped)
                i = j
            else:
                break
        out.append(chunk)
        out.extend(held)
        i += 1
    return out


def _join(lines: list[_Line]) -> tuple[str, SourceMap]:
    """Join wrapped lines; a line ending in a hyphen joins without a space."""
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for k, line in enumerate(lines):
        if k:
            prev = parts[-1]
            if not (prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line.text[:1].islower()):
                parts.append(" ")
                segments.append(Segment(pos, 1, None))
                pos += 1
        parts.append(line.text)
        segments.append(Segment(pos, len(line.text), line.number, line.column))
        pos += len(line.text)
    return "".join(parts), SourceMap(tuple(segments))


_METADATA_MAX_CHARS = 20_000  # per field: YAML aliases can make a short block expand without end


def _metadata(text: str, n_lines: int) -> tuple[list[tuple[BlockKind, str, int]], Any]:
    """Title, abstract and keywords of a YAML metadata block (kind, text, the key's
    line), and what its ``bibliography`` names.

    The block is parsed with ``yaml.safe_load`` (no tags, no code); anything that is
    not a mapping, or does not parse, is no metadata at all.  Only strings (and lists
    of strings, for keywords) are taken, each field capped in length.  The texts
    carry no file position: a comment on them goes to the head of the first text
    after the block, never into the YAML (where CriticMarkup would break it).
    """
    import yaml

    lines = text.split("\n")[:n_lines]
    try:
        meta = yaml.safe_load("\n".join(lines[1:-1]))
    except yaml.YAMLError:
        return [], None
    if not isinstance(meta, dict):
        return [], None

    def plain(value: Any) -> str:
        items = value if isinstance(value, list) else [value]
        out, size = [], 0
        for item in items:
            if isinstance(item, (str, int, float)) and size < _METADATA_MAX_CHARS:
                out.append(" ".join(str(item)[: _METADATA_MAX_CHARS].split()))
                size += len(out[-1])
        return "; ".join(out)[:_METADATA_MAX_CHARS]

    def line_of(key: str) -> int:  # where the key is written, for locations
        return next((k + 1 for k, line in enumerate(lines) if line.startswith(f"{key}:")), 1)

    blocks: list[tuple[BlockKind, str, int]] = []
    title = plain(meta.get("title")) if isinstance(meta.get("title"), str) else ""
    if title:
        blocks.append((BlockKind.TITLE, title, line_of("title")))
    abstract = meta.get("abstract")
    if isinstance(abstract, str):
        blocks += [(BlockKind.ABSTRACT, " ".join(par.split()), line_of("abstract"))
                   for par in re.split(r"\n\s*\n", abstract[:_METADATA_MAX_CHARS]) if par.strip()]
    key = "keywords" if meta.get("keywords") else "tags"
    keywords = plain(meta.get(key))
    if keywords:
        blocks.append((BlockKind.KEYWORDS, f"Keywords: {keywords}", line_of(key)))
    return blocks, meta.get("bibliography")


def read_text(path: str, config: dict[str, Any] | None = None, data: bytes | None = None) -> Manuscript:
    """Read a text or Markdown file (or ``data`` for an in-memory manuscript)."""
    config = config or {}
    if data is None:
        data = _read_bytes(path, config)
    notices: list[str] = []
    text = decode_text(data, path, notices)
    n_meta = front_matter_lines(text)
    metadata, spec = _metadata(text, n_meta) if n_meta else ([], None)
    bibliography = read_bibliography(path, spec, citation_keys(text)) if spec else None
    if n_meta:  # the body keeps its line numbers; the YAML itself is not prose
        text = "\n" * n_meta + text.split("\n", n_meta)[-1] if text.count("\n") >= n_meta else ""
    chunks = list(_chunks(text))
    for chunk in chunks:
        _classify(chunk)
    chunks = _merge_page_breaks(chunks)
    blocks = [
        Block(index=k, kind=kind, text=body, source=SourceMap((Segment(0, len(body), None),)), anchor=("text", line))
        for k, (kind, body, line) in enumerate(metadata)
    ]
    for chunk in chunks:
        body, source = _join(chunk.lines)
        blocks.append(
            Block(
                index=len(blocks),
                kind=chunk.kind,
                text=body,
                source=source,
                level=chunk.level,
                anchor=("text", chunk.lines[0].number),
            )
        )
    suffix = Path(path).suffix.lower()
    fmt = "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
    meta: dict[str, Any] = {"bibliography": bibliography} if bibliography else {}
    if notices:  # how the bytes were decoded, when it was a guess (refcheck.engine.FileResult.notices)
        meta["input_notices"] = notices
    return Manuscript(path=str(path), format=fmt, blocks=tuple(blocks), metadata=meta, raw=data)


def _read_bytes(path: str, config: dict[str, Any]) -> bytes:
    limit_mb = float(config.get("limits", {}).get("max_text_mb", DEFAULT_MAX_TEXT_MB))
    return read_bounded(Path(path), limit_mb, path)


def read_bounded(path: Path, limit_mb: float, name: str) -> bytes:
    """The file's bytes, refused when over ``limit_mb``.

    Why the read itself is bounded, not only the size checked first: a file that
    grows between the check and the read (or a FIFO, whose size says nothing) must
    not get past the limit.  The LaTeX reader reads its parts through this too."""
    limit = int(limit_mb * 1024 * 1024)
    size = path.stat().st_size
    data = b""
    if size <= limit:
        with path.open("rb") as fh:
            data = read_capped(fh, limit + 1)
        size = len(data)
    if size > limit:
        raise InputError(
            name,
            f"text file is {size / 1024 / 1024:.0f} MB, over the {limit_mb:g} MB limit "
            "(raise [tool.refcheck.limits] max_text_mb to read it)",
        )
    return data


@hookimpl(trylast=True)
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    if Path(path).suffix.lower() not in TEXT_SUFFIXES:
        return None
    return read_text(path, config)


@hookimpl
def refcheck_reader_suffixes() -> list[str]:
    """The file name endings this reader takes, for folder, glob and batch discovery."""
    return sorted(TEXT_SUFFIXES)
