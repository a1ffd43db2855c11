"""Read → prepare → rules: the one path every command takes through a manuscript."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.analysis.english import written_in_english
from refcheck.analysis.genre import claims_out_of_scope
from refcheck.analysis.prepare import prepare
from refcheck.config import Config, ConfigError
from refcheck.display import display_name
from refcheck.limits import DEFAULT_MAX_TEXT_MB
from refcheck.locations import locate
from refcheck.model import Finding, InputError, Manuscript
from refcheck.plugins import all_rules, get_plugin_manager
from refcheck.rule import Rule


def read_suffixes() -> frozenset[str]:
    """File name endings the registered readers take (``refcheck_reader_suffixes``):
    folder and glob discovery, batch and the error message use these, so they cannot
    drift from what the readers accept, and a plugin reader's files are found too."""
    hook = get_plugin_manager().hook.refcheck_reader_suffixes()
    return frozenset(s.lower() for suffixes in hook for s in suffixes or ())


_JATS_SUFFIXES = frozenset({".xml", ".nxml"})  # named apart in the message: "(JATS)"


def _supported() -> str:
    listed = sorted(read_suffixes() - _JATS_SUFFIXES)
    jats = sorted(read_suffixes() & _JATS_SUFFIXES)
    return ", ".join(listed) + (", " + "/".join(jats) + " (JATS)" if jats else "")


@dataclass
class FileResult:
    """What one manuscript gave: its findings, or the one-line reason it could not be read."""

    path: str
    manuscript: Manuscript | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def notices(self) -> list[str]:
        """One-line notes that are not findings (an unused inline suppression)."""
        if self.manuscript is None:
            return []
        meta = self.manuscript.metadata
        return (list(meta.get("notices", [])) + list(meta.get("online_notices", []))  # online: refcheck/rules/verification.py
                + list(meta.get("limit_notices", []))  # a pathological file's capped citations or findings
                + list(meta.get("input_notices", []))  # how a text file was decoded, when it was a guess
                + list(meta.get("language_notices", []))  # English-only rules not run on other languages
                + list(meta.get("scope_notices", [])))  # claim rules not run on research articles and notices


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
    _check_text_size(manuscript, config, name)
    return prepare(manuscript, config.as_dict())


def _check_text_size(manuscript: Manuscript, config: Config, name: str) -> None:
    """The text limit for every format: a text file is bounded by its size, but a 5 MB
    DOCX or JATS file can hold far more text, and the language pipeline's memory grows
    with the text (benchmarks/scaling.py: about 810 MB at 4 MB of text)."""
    limit_mb = float(config.limits.get("max_text_mb", DEFAULT_MAX_TEXT_MB))
    chars = sum(len(b.text) for b in manuscript.blocks)
    if chars > limit_mb * 1024 * 1024:
        raise InputError(name, f"its text is {chars / 1024 / 1024:.1f} MB, over the {limit_mb:g} MB limit "
                               "(limits.max_text_mb)")


#: Findings one rule reports per manuscript at most.  Real manuscripts get dozens; a
#: file of a million citations to missing entries would otherwise hold a million
#: findings in memory and in every report.
MAX_FINDINGS_PER_RULE = 10_000


def _add_notice(manuscript: Manuscript, key: str, note: str) -> None:
    """One line for the run's notices, once however often the manuscript is checked."""
    notes = manuscript.metadata.setdefault(key, [])
    if note not in notes:
        notes.append(note)


def run_rules(
    manuscript: Manuscript, config: Config | None = None, raw: bytes | None = None, suppressions: bool = True
) -> list[Finding]:
    """Run every enabled rule; findings sorted by position, with line/column and
    confidence (:mod:`refcheck.confidence`) filled in.

    Rules switched off by ``select``/``ignore`` or ``per-file-ignores`` do not run;
    findings silenced by the manuscript's own inline suppressions are dropped here,
    so every command (check, annotate, batch) honours them alike.  ``raw`` is the
    source as read, for manuscripts that are not a file (stdin, ``text=``).
    ``suppressions=False`` keeps every finding (``fix``'s safety checks).
    """
    from refcheck.confidence import claim_pattern, rate
    from refcheck.suppress import suppress

    config = config or Config()
    raw_findings: list[tuple[type[Rule], Finding, bool]] = []
    not_english: list[str] = []
    out_of_scope: list[str] = []
    scope = None if config.claims_everywhere else claims_out_of_scope(manuscript)
    for cls in all_rules():
        if not config.enabled(cls.code) or config.ignored_in(cls.code, manuscript.path):
            continue
        if cls.english_only and not written_in_english(manuscript):
            not_english.append(cls.code)
            continue
        if cls.literature_claims and scope:
            out_of_scope.append(cls.code)
            continue
        rule = cls(config.severity.get(cls.code) or config.severity.get(cls.name))
        options = config.rule_options(cls.code, cls.name, cls.option_defaults())
        for k, f in enumerate(rule.check(manuscript, options)):
            if k == MAX_FINDINGS_PER_RULE:  # a pathological file: bounded memory, and said so
                _add_notice(manuscript, "limit_notices",
                            f"{cls.code}: stopped after {MAX_FINDINGS_PER_RULE:,} findings; the rest are not reported")
                break
            raw_findings.append((cls, locate(manuscript, f), rule.configured))
    # A claim finding's confidence depends on its manuscript's other claim findings.
    pattern = claim_pattern(manuscript, [f for _, f, _ in raw_findings])
    findings = [rate(cls, f, manuscript, configured, pattern) for cls, f, configured in raw_findings]
    if not_english:
        _add_notice(manuscript, "language_notices",
                    f"{display_name(manuscript.path)}: the text is not in English; {', '.join(not_english)} "
                    "read English words and were not run")
    if out_of_scope:
        _add_notice(manuscript, "scope_notices",
                    f"{display_name(manuscript.path)}: {', '.join(out_of_scope)} judge claims about the literature "
                    f"and were not run: {scope} (claims-everywhere = true runs them)")
    findings.sort(key=lambda f: (f.block, f.start, f.end, f.code))
    return suppress(manuscript, findings, config, raw) if suppressions else findings


def check_file(
    path: str | os.PathLike[str], config: Config | None = None, raise_errors: bool = False
) -> FileResult:
    """Check one file; unreadable input becomes ``FileResult.error``, never an exception.

    ``raise_errors=True`` (the CLI's ``--debug``) lets the error escape so its
    traceback shows where the reader gave up.
    """
    try:
        manuscript = read_manuscript(path, config)
        return FileResult(str(path), manuscript, run_rules(manuscript, config))
    except InputError as exc:
        if raise_errors:
            raise
        return FileResult(str(path), error=str(exc))
    except ConfigError:
        raise  # the settings are wrong, not this file: every file would fail alike
    except (RecursionError, MemoryError, Exception) as exc:  # noqa: BLE001 - one bad file must not stop the rest
        # A file that defeats a reader or a rule (front matter nested thousands deep,
        # a manuscript too large for memory) is that file's one-line error: the other
        # files of `check a b c` and of a batch are still checked.
        if raise_errors:
            raise
        return FileResult(str(path), error=f"{display_name(path)}: {_failure(exc)}")


def _failure(exc: BaseException) -> str:
    """The one-line problem for a file that defeated a reader or a rule."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to read (front matter, bibliography or markup thousands of levels deep)"
    if isinstance(exc, MemoryError):
        return "too large to check in the memory available"
    detail = " ".join(str(exc).split())[:200]
    return f"internal error while checking this file: {type(exc).__name__}{': ' + detail if detail else ''} " \
           "(run with --debug for the traceback)"


def check(
    source: str | os.PathLike[str] | None = None,
    config: Config | dict[str, Any] | None = None,
    *,
    text: str | None = None,
    name: str = "<text>.md",
) -> FileResult:
    """Python API: check a manuscript file, or manuscript text given as ``text=``.

    ``source`` is a :class:`~pathlib.Path` or a path string; a path that does not
    exist raises :class:`FileNotFoundError` (it used to be read as a one-line
    manuscript, which checked nothing without a word).  For compatibility a string
    holding a line break, and a one-line string that names no file and does not look
    like a path, are still read as Markdown text; new code passes ``text=``.
    ``name`` is the file name text findings report (its suffix picks the reader:
    ``.md``/``.txt``).  ``config`` is a :class:`Config` or a ``[tool.refcheck]``-style
    dict, validated like the file (:class:`~refcheck.config.ConfigError` when wrong).
    A file that exists but cannot be read gives ``FileResult.error``.
    """
    from refcheck.config import config_from_table

    cfg = config_from_table(config, "<config>") if isinstance(config, dict) else (config or Config())
    if text is not None:
        if source is not None:
            raise TypeError("check() takes a path or text=, not both")
        return check_text(text, cfg, name)
    if source is None:
        raise TypeError("check() needs a path, or the manuscript as text=")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"check() takes a path or text=, not {type(source).__name__}")
    if isinstance(source, str) and not _exists(source) and not _looks_like_path(source):
        return check_text(source, cfg, name)
    if not _exists(source):
        raise FileNotFoundError(2, "No such manuscript file", str(source))
    return check_file(source, cfg)


def _exists(source: str | os.PathLike[str]) -> bool:
    """Whether a path exists; text that is no valid path (too long, a NUL) does not."""
    if isinstance(source, str) and "\n" in source:
        return False
    try:
        return Path(source).exists()
    except (OSError, ValueError):
        return False


def _looks_like_path(source: str) -> bool:
    """A one-line string meant as a file name: a document suffix, a path separator
    without spaces, or a single word.  Text has a line break or a space."""
    if "\n" in source:
        return False
    suffix = Path(source).suffix.lower()
    if suffix in read_suffixes() or suffix in (".doc", ".tex", ".pdf", ".rtf", ".odt"):
        return True
    return not any(ch.isspace() for ch in source.strip())


def check_text(text: str, config: Config | None = None, name: str = "<text>.md") -> FileResult:
    """Check manuscript text held in memory; ``name`` (its suffix) picks text or Markdown."""
    from refcheck.readers.text import TEXT_SUFFIXES, read_text

    cfg = config or Config()
    if Path(name).suffix.lower() not in TEXT_SUFFIXES:
        raise ValueError(f"text= is read as text or Markdown; name it .md or .txt, not {name!r}")
    data = text.encode("utf-8")
    manuscript = prepare(read_text(name, cfg.as_dict(), data=data), cfg.as_dict())
    display = name if name != "<text>.md" else "<text>"
    return FileResult(display, manuscript, run_rules(manuscript, cfg, raw=data))
