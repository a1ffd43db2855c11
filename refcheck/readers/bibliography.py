"""The bibliography a pandoc manuscript's metadata block names: keys and entries.

pandoc renders a Markdown manuscript's reference list from the ``bibliography``
file, so that file *is* the reference list: its keys say whether ``[@smyth2020]``
names an entry (the commonest slip in a Markdown manuscript — pandoc renders it as
"(smyth2020?)" and warns once in a build log nobody reads), and its fields give the
titles, authors, year, DOI and container the relevance rules need.  BibTeX/BibLaTeX
(``.bib``, read with bibtexparser so that LaTeX accents, braces and name parts come
out as a reader sees them), CSL JSON (``.json``) and CSL YAML (``.yaml``/``.yml``)
are understood; every entry becomes a CSL-JSON-shaped dict, the one shape the
citation-manager fields of a DOCX use too.

A manuscript is untrusted input, and so is what its metadata names: a file is read
only when it resolves inside the manuscript's folder tree, is a regular file and is
under the size limit — never ``/dev/zero``, ``/proc/self/environ`` or a file beside
the submissions folder.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BIBLIOGRAPHY_MB = 32
# "@article{smith2020," — the entry type, then the key up to the first comma;
# @string, @preamble and @comment define no entry.
_BIBTEX_ENTRY = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,")
_NOT_ENTRIES = {"string", "preamble", "comment"}
# Manubot's CSL items carry the citation id the manuscript uses in their note.
_STANDARD_ID = re.compile(r"standard_id:\s*(\S+)")


@dataclass(frozen=True)
class Bibliography:
    """What the metadata block's ``bibliography`` names, as read.

    ``entries`` maps each key to its entry as a CSL JSON item (title, author,
    issued, DOI, container-title, URL, abstract when the file has them).
    """

    files: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()
    unreadable: tuple[tuple[str, str], ...] = field(default=())  # (file, why)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, hash=False)


def _csl_items(data: Any) -> list[dict[str, Any]]:
    items = data.get("references", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict) and "id" in item]


def _csl_keys(item: dict[str, Any]) -> list[str]:
    """The item's id, and the citation id Manubot keeps in ``note`` ("doi:10.…")."""
    keys = [str(item["id"])]
    note = item.get("note")
    if isinstance(note, str):
        keys += _STANDARD_ID.findall(note)
    return keys


# ------------------------------------------------------------------ BibTeX


def _bib_text(value: Any) -> str | None:
    """A BibTeX field value as a reader sees it: braces, ``\\emph`` and spacing gone."""
    if value is None:
        return None
    text = str(value)
    text = re.sub(r"\\(?:emph|textit|textbf|textsc|mathrm|text)\s*", "", text)
    text = text.replace("{", "").replace("}", "").replace("\\&", "&").replace("~", " ")
    text = " ".join(text.split())
    return text or None


def _latex(text: str) -> str:
    """LaTeX accents and commands to text ("M{\\"u}ller" -> "Müller"); name parts come
    out of bibtexparser's splitting undecoded, so they are decoded here."""
    if "\\" not in text:
        return text
    from pylatexenc.latex2text import LatexNodes2Text

    try:
        return LatexNodes2Text().latex_to_text(text)
    except Exception:  # noqa: BLE001 - malformed LaTeX: keep the raw text
        return text


def _bib_names(value: Any) -> list[dict[str, str]]:
    """Authors after bibtexparser's name splitting: CSL ``family``/``given`` (a
    corporate author in braces is a ``literal``)."""
    out: list[dict[str, str]] = []
    for name in value if isinstance(value, list) else []:
        last = getattr(name, "last", None)
        if last is None:  # a plain string: the name could not be split
            text = _bib_text(name)
            if text:
                out.append({"literal": text})
            continue
        braced = len(name.last) == 1 and name.last[0].startswith("{") and not name.first
        family = _bib_text(_latex(" ".join([*name.von, *name.last])))
        given = _bib_text(_latex(" ".join(name.first)))
        if family and braced:  # {MAR Consortium}: a corporate author, never split
            out.append({"literal": family})
        elif family or given:
            out.append({k: v for k, v in (("family", family), ("given", given)) if v})
    return out


_QUIET = logging.NullHandler()


def parse_bibtex(text: str) -> list[dict[str, Any]]:
    """Every entry of a BibTeX/BibLaTeX file as a CSL JSON item.

    bibtexparser resolves ``@string`` macros, decodes LaTeX accents and splits
    names into their parts; what it cannot parse (a broken entry) is skipped, as
    pandoc skips it.
    """
    import bibtexparser
    from bibtexparser import middlewares as mw

    # bibtexparser logs each broken block; with no logging set up, Python prints that
    # on the user's terminal ("Parsing of `@article` block aborted …").  The entry is
    # skipped, as pandoc skips it; an application that configures logging still sees it.
    logging.getLogger("bibtexparser").addHandler(_QUIET)

    library = bibtexparser.parse_string(text, append_middleware=[
        mw.SeparateCoAuthors(), mw.SplitNameParts(), mw.LatexDecodingMiddleware()])
    items: list[dict[str, Any]] = []
    for entry in library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        item: dict[str, Any] = {"id": entry.key, "type": entry.entry_type.lower()}
        title = _bib_text(fields.get("title"))
        if title:
            item["title"] = title
        authors = _bib_names(fields.get("author"))
        if authors:
            item["author"] = authors
        date = str(fields.get("year") or fields.get("date") or "")
        year = re.search(r"\d{4}", date)
        if year:
            item["issued"] = {"date-parts": [[int(year.group())]]}
        container = _bib_text(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle"))
        if container:
            item["container-title"] = container
        doi = _bib_text(fields.get("doi"))
        if doi:
            item["DOI"] = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
        for key, name in (("url", "URL"), ("abstract", "abstract"), ("volume", "volume"), ("pages", "page"),
                          ("publisher", "publisher")):
            value = _bib_text(fields.get(key))
            if value:
                item[name] = value
        items.append(item)
    return items


# ------------------------------------------------------------------ reading


def _read_bounded(path: Path, limit: int) -> str:
    """The file's text, read through one descriptor that is checked to be a regular
    file, and never more than ``limit`` bytes of it.

    ``inside_folder`` checked the name; this checks what is actually opened, so a name
    swapped for a FIFO (``O_NONBLOCK``: the open cannot hang), a device or a
    ``/proc`` file after that check is refused, and a file that grows while read
    stops at the limit instead of filling the memory."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"over {limit // (1024 * 1024)} MB")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over {limit // (1024 * 1024)} MB")
    return data.decode("utf-8", errors="replace")


_CHUNK = re.compile(r"^[ \t]*(?=@)", re.M)


def _only_entries(text: str, wanted: frozenset[str]) -> str:
    """The BibTeX text cut down to the entries ``wanted`` names, with every @string and
    @preamble kept.  Decoding LaTeX in a 2 MB whole-library export takes half a minute;
    a LaTeX manuscript only shows the entries it cites."""
    kept = []
    for chunk in _CHUNK.split(text):
        m = _BIBTEX_ENTRY.match(chunk)
        if m is None or m.group(1).lower() in _NOT_ENTRIES or m.group(2) in wanted:
            kept.append(chunk)
    return "".join(kept)


def _entries(path: Path, limit: int = MAX_BIBLIOGRAPHY_MB * 1024 * 1024,
             only: frozenset[str] | None = None) -> dict[str, dict[str, Any]]:
    text = _read_bounded(path, limit)
    suffix = path.suffix.lower()
    if suffix == ".json":
        items = _csl_items(json.loads(text))
    elif suffix in (".yaml", ".yml"):
        import yaml

        items = _csl_items(yaml.safe_load(text))
    else:
        try:
            items = parse_bibtex(text if only is None else _only_entries(text, only))
        except Exception:  # noqa: BLE001 - a file bibtexparser cannot read still has its keys
            items = []
        found = {item["id"] for item in items}
        items += [{"id": m.group(2)} for m in _BIBTEX_ENTRY.finditer(text)
                  if m.group(1).lower() not in _NOT_ENTRIES and m.group(2) not in found]
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        for key in _csl_keys(item):
            out.setdefault(key, item)
    return out


def inside_folder(manuscript: str | Path, name: str) -> tuple[Path | None, str]:
    """The file ``name`` names, when it lies in the manuscript's folder tree and is a
    regular file; otherwise None and why."""
    folder = Path(manuscript).resolve().parent
    try:
        path = (folder / name).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None, "cannot be resolved"
    if not path.is_relative_to(folder):
        return None, "outside the manuscript's folder"
    if not path.exists():
        return None, "no such file"
    if not path.is_file():
        return None, "not a regular file"
    return path, ""


def read_bibliography(manuscript: str | Path, spec: Any, only: frozenset[str] | None = None) -> Bibliography | None:
    """The keys and entries of the files ``spec`` names (a path or a list of paths,
    relative to the manuscript's folder); None when ``spec`` names none.

    ``only``: the keys whose BibTeX entries are parsed in full (a LaTeX manuscript's
    cited keys); every other key is still listed, so a misspelt key finds its match.
    """
    names = [spec] if isinstance(spec, str) else [s for s in spec if isinstance(s, str)] if isinstance(spec, list) else []
    if not names:
        return None
    entries: dict[str, dict[str, Any]] = {}
    unreadable: list[tuple[str, str]] = []
    # One budget for all the files together: a list naming one big file a thousand
    # times (or a thousand big files) reads no more than one file at the limit.
    budget = int(MAX_BIBLIOGRAPHY_MB * 1024 * 1024)
    seen: set[Path] = set()
    for name in names:
        path, why = inside_folder(manuscript, name)
        if path is None:
            unreadable.append((name, why))
            continue
        if path in seen:
            continue
        seen.add(path)
        try:
            size, limit = path.stat().st_size, budget
            if size > limit:
                unreadable.append((name, f"over {MAX_BIBLIOGRAPHY_MB} MB (all bibliography files together)"))
                continue
            budget -= size
            for key, item in _entries(path, limit, only).items():
                entries.setdefault(key, item)
        except ValueError as exc:  # not a regular file after all, grown past the limit, bad JSON
            unreadable.append((name, str(exc) if str(exc).startswith(("not a regular", "over ")) else type(exc).__name__))
        except (OSError, RecursionError) as exc:  # permissions, deep nesting
            unreadable.append((name, type(exc).__name__))
        except Exception as exc:  # noqa: BLE001 - yaml.YAMLError and kin: the file, not refcheck, is broken
            unreadable.append((name, type(exc).__name__))
    return Bibliography(tuple(names), frozenset(entries), tuple(unreadable), entries)
