"""Every hook refcheck calls, in one place.

Plugins (built-in rule families, readers, reporters and third-party packages alike)
implement these with ``@refcheck.hookimpl`` and register through the ``refcheck``
entry-point group.  A test fails when a hook here lacks a docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from refcheck.analysis.scorer import Scorer
    from refcheck.model import Manuscript
    from refcheck.reporting import Reporter
    from refcheck.rule import Family, Rule

hookspec = pluggy.HookspecMarker("refcheck")


@hookspec
def refcheck_get_rules() -> list[type[Rule]]:
    """Return the rule classes a plugin contributes (a rule family).

    Each class carries ``code``, ``name``, ``default_severity``, ``options`` and a
    docstring with the sections *What it flags*, *Why it matters*, *Example* and
    *How to fix*; ``refcheck rules`` prints them.
    """


@hookspec
def refcheck_rule_families() -> list[Family]:
    """Return the rule families a plugin contributes: the code prefix its rules share
    ("RC3"), a title ("language") and a colour.

    The batch summary, the HTML report and ``--statistics`` group findings by family,
    one column or bar each, read from here — so a third-party family is shown like a
    built-in one.  A rule whose family no plugin declares is grouped by its letters and
    first digit ("JB0").
    """


@hookspec
def refcheck_reader_suffixes() -> list[str]:
    """Return the file name endings a reader plugin reads (".docx", ".tex").

    ``check`` of a folder or glob and ``batch`` look for files with these endings, and
    the "unsupported file type" message lists them, so a plugin reader's files are
    found like the built-in ones.
    """


@hookspec(firstresult=True)
def refcheck_read_document(path: str, config: dict[str, Any]) -> Manuscript | None:
    """Read ``path`` into a Manuscript, or return None when the format is not yours.

    The first reader that answers wins.  Raise :class:`refcheck.model.InputError`
    with a one-line problem when the file is yours but cannot be read.
    """


@hookspec
def refcheck_get_reporters() -> dict[str, Reporter]:
    """Return ``{format_name: reporter}``.

    A reporter (:class:`refcheck.reporting.Reporter`) is called as
    ``reporter(results, options)`` with the run's :class:`refcheck.engine.FileResult`
    list and a :class:`refcheck.reporting.ReportOptions` (colour, width), and returns
    the text to print: the same arguments for every format, built-in or a plugin's."""


@hookspec(firstresult=True)
def refcheck_relevance_scorer(config: dict[str, Any]) -> Scorer | None:
    """Return the object that measures topical similarity for the relevance rules.

    The first plugin that answers wins; the built-in lexical scorer answers last
    (``trylast``), so an installed plugin (e.g. sentence embeddings) replaces it.
    """
