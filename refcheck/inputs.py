"""What ``refcheck check`` is given: files, folders, quoted globs, and ``-`` for stdin.

Linters are called the same way everywhere (``ruff check .``, ``flake8 src``, a glob
quoted for Windows shells that do not expand it), so ``check`` takes the same forms:

- a **file** is checked whatever it is, so a wrong file is a one-line error rather
  than silently dropped;
- a **folder** is searched recursively for the suffixes the readers take, skipping
  hidden folders (``.git``, ``.venv``), virtual environments, refcheck's own outputs
  (``*.refcheck.*``, ``*.renumbered.*``), Word lock files (``~$…``), XML that is not a
  JATS article, and a repository's README, changelog, licence and requirements
  files — the same names the pre-commit hook leaves out;
- a **glob** (``'subs/*.docx'``, ``'**/*.md'``) matches like a folder's files;
- ``-`` reads the manuscript from stdin; ``--stdin-filename`` names it (its suffix
  picks the reader, its folder the configuration).

A folder or glob that yields nothing is an error: a gate that checked no file must
not pass.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from refcheck.config import Config
from refcheck.model import InputError

STDIN = "-"
#: refcheck's own outputs: annotated (NAME.refcheck.EXT) and renumbered copies.
OUTPUT_NAME = re.compile(r"\.(refcheck|renumbered)\.[^.]+$", re.I)
#: Files a repository keeps beside its manuscripts that are not manuscripts: the
#: same names the pre-commit hook excludes (.pre-commit-hooks.yaml; a test keeps
#: the two in step).  Matched against the file name, case-sensitively like the hook.
NOT_MANUSCRIPT = re.compile(
    r"^(README|CHANGELOG|CHANGES|HISTORY|LICEN[CS]E|COPYING|CONTRIBUTING|CODE_OF_CONDUCT|AUTHORS|NOTICE|SECURITY)(\.[^/]*)?$"
    r"|^requirements[^/]*\.txt$"
)
_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages"}


def _suffixes() -> frozenset[str]:
    from refcheck.engine import read_suffixes

    return read_suffixes()


def is_candidate(path: Path) -> bool:
    """Whether a file met in a folder or through a glob is a manuscript to check."""
    name = path.name
    if path.suffix.lower() not in _suffixes() or name.startswith(("~$", ".")):
        return False
    if OUTPUT_NAME.search(name) or NOT_MANUSCRIPT.match(name):
        return False
    if path.suffix.lower() in (".xml", ".nxml"):
        from refcheck.readers.jats import looks_like_jats

        try:
            with open(path, "rb") as fh:
                return looks_like_jats(fh.read(65536))
        except OSError:
            return True  # let the reader say why it cannot be read
    return True


def _skip_dir(folder: Path) -> bool:
    return folder.name.startswith(".") or folder.name in _SKIP_DIRS or (folder / "pyvenv.cfg").is_file()


def walk(folder: Path) -> list[Path]:
    """Manuscripts under ``folder``, sorted; hidden and environment folders pruned."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not _skip_dir(here / d))
        found += [here / f for f in sorted(files) if is_candidate(here / f)]
    return found


def expand(items: list[str]) -> list[str]:
    """Every file the arguments name, in argument order, each once; ``-`` is kept."""
    out: dict[str, None] = {}
    for item in items:
        if item == STDIN:
            out.setdefault(STDIN)
            continue
        p = Path(item)
        if p.is_dir():
            found = walk(p)
            if not found:
                raise InputError(item, "a directory with no manuscripts in it (searched recursively for "
                                 + ", ".join(sorted(_suffixes())) + ")")
        elif not p.exists() and any(ch in item for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(item, recursive=True))]
            found = [m for m in matches if m.is_file() and is_candidate(m)]
            if not found:
                raise InputError(item, "the pattern matches no manuscript")
        else:
            found = [p]  # named explicitly: checked (or refused with a reason) whatever it is
        for f in found:
            out.setdefault(str(f))
    return list(out)


def check_stdin(data: bytes, name: str | None, config: Config):  # noqa: ANN201 - FileResult (import cycle)
    """Check a manuscript read from stdin, reported under ``name`` (``-`` when unnamed).

    Text and Markdown are read in memory (a Markdown ``bibliography:`` resolves beside
    ``name``); other formats go through a temporary copy whose path never shows.
    """
    from refcheck.analysis.prepare import prepare
    from refcheck.engine import FileResult, read_manuscript, run_rules
    from refcheck.limits import DEFAULT_MAX_TEXT_MB
    from refcheck.readers.text import TEXT_SUFFIXES, read_text

    shown = name or STDIN
    reader_name = name or "stdin.md"
    if not data.strip():
        return FileResult(shown, error=f"{shown}: empty input on stdin")
    try:
        if Path(reader_name).suffix.lower() in TEXT_SUFFIXES:
            limit_mb = float(config.limits.get("max_text_mb", DEFAULT_MAX_TEXT_MB))
            if len(data) > limit_mb * 1024 * 1024:
                raise InputError(shown, f"larger than the {limit_mb:g} MB limit (limits.max_text_mb)")
            ms = prepare(read_text(reader_name, config.as_dict(), data=data), config.as_dict())
        else:
            with tempfile.TemporaryDirectory(prefix="refcheck-stdin-") as tmp:
                copy = Path(tmp) / Path(reader_name).name
                copy.write_bytes(data)
                try:
                    ms = read_manuscript(copy, config)
                except InputError as exc:
                    raise InputError(shown, exc.problem) from None
    except InputError as exc:
        return FileResult(shown, error=str(exc))
    ms = replace(ms, path=shown)
    return FileResult(shown, ms, run_rules(ms, config, raw=data))
