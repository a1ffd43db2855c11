"""Read → prepare → rules: the one path every command takes through a manuscript."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from refcheck.analysis.prepare import prepare
from refcheck.config import Config
from refcheck.model import Finding, InputError, Manuscript
from refcheck.plugins import get_plugin_manager
from refcheck.rule import Rule


def read_suffixes() -> frozenset[str]:
    """File name endings the built-in readers take (batch discovery and error messages
    use these, so they cannot drift from what the readers accept)."""
    from refcheck.readers.docx import SUFFIXES as DOCX
    from refcheck.readers.jats import JATS_SUFFIXES
    from refcheck.readers.text import TEXT_SUFFIXES

    return frozenset(DOCX | JATS_SUFFIXES | TEXT_SUFFIXES)


def _supported() -> str:
    from refcheck.readers.jats import JATS_SUFFIXES

    listed = sorted(read_suffixes() - JATS_SUFFIXES)
    return ", ".join(listed) + ", " + "/".join(sorted(JATS_SUFFIXES)) + " (JATS)"


@dataclass
class FileResult:
    """What one manuscript gave: its findings, or the one-line reason it could not be read."""

    path: str
    manuscript: Manuscript | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def all_rules() -> list[type[Rule]]:
    """Every rule class registered by any plugin, sorted by code."""
    pm = get_plugin_manager()
    rules: dict[str, type[Rule]] = {}
    for family in pm.hook.refcheck_get_rules():
        for cls in family:
            rules[cls.code] = cls
    return [rules[c] for c in sorted(rules)]


def read_manuscript(path: str | os.PathLike[str], config: Config | None = None) -> Manuscript:
    """Read and prepare a file; raise :class:`InputError` with a one-line reason."""
    config = config or Config()
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a directory, not a manuscript")
    if not os.access(p, os.R_OK):
        raise InputError(name, "permission denied (cannot read the file)")
    if p.stat().st_size == 0:
        raise InputError(name, "empty file")
    suffix = p.suffix.lower()
    if suffix == ".doc":
        raise InputError(name, "legacy binary Word .doc is not supported; save it as .docx")
    try:
        manuscript = get_plugin_manager().hook.refcheck_read_document(path=name, config=config.as_dict())
    except InputError:
        raise
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc})") from None
    if manuscript is None:
        raise InputError(name, f"unsupported file type '{suffix or '(none)'}'; refcheck reads {_supported()}")
    if not any(b.text.strip() for b in manuscript.blocks):
        raise InputError(name, "the document contains no text")
    return prepare(manuscript, config.as_dict())


def run_rules(manuscript: Manuscript, config: Config | None = None) -> list[Finding]:
    """Run every enabled rule; findings sorted by position, with line/column filled in."""
    config = config or Config()
    findings: list[Finding] = []
    for cls in all_rules():
        if not config.enabled(cls.code):
            continue
        rule = cls(config.severity.get(cls.code) or config.severity.get(cls.name))
        options = config.rule_options(cls.code, cls.name, cls.options)
        for f in rule.check(manuscript, options):
            findings.append(_locate(manuscript, f))
    findings.sort(key=lambda f: (f.block, f.start, f.end, f.code))
    return findings


def _locate(manuscript: Manuscript, f: Finding) -> Finding:
    """Derive line/column (text) or paragraph (DOCX) from the block's source map."""
    block = manuscript.blocks[f.block]
    if manuscript.format in ("text", "markdown"):
        locator, offset = block.source.first_real(f.start, max(f.end, f.start + 1))
        if locator is not None:
            return replace(f, line=locator, column=offset + 1, path=manuscript.path)
        return replace(f, line=block.anchor[1], column=1, path=manuscript.path)
    data = dict(f.data)
    data.setdefault("paragraph", block.anchor[1] + 1)
    data.setdefault("part", block.anchor[0])
    return replace(f, data=data, path=manuscript.path)


def check_file(
    path: str | os.PathLike[str], config: Config | None = None, raise_errors: bool = False
) -> FileResult:
    """Check one file; unreadable input becomes ``FileResult.error``, never an exception.

    ``raise_errors=True`` (the CLI's ``--debug``) lets the :class:`InputError` escape
    so its traceback shows where the reader gave up.
    """
    try:
        manuscript = read_manuscript(path, config)
    except InputError as exc:
        if raise_errors:
            raise
        return FileResult(str(path), error=str(exc))
    return FileResult(str(path), manuscript, run_rules(manuscript, config))


def check(source: str | os.PathLike[str], config: Config | dict[str, Any] | None = None) -> FileResult:
    """Python API: check a file path, or manuscript text given as a string.

    A string that names an existing file is read as that file; any other string is
    checked as Markdown text.
    """
    from refcheck.config import config_from_table
    from refcheck.readers.text import read_text

    cfg = config_from_table(config) if isinstance(config, dict) else (config or Config())
    if isinstance(source, str) and ("\n" in source or not Path(source).exists()):
        manuscript = prepare(read_text("<text>.md", cfg.as_dict(), data=source.encode("utf-8")), cfg.as_dict())
        return FileResult("<text>", manuscript, run_rules(manuscript, cfg))
    return check_file(source, cfg)
