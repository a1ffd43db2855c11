"""refcheck — a linter for the citations and claims of scientific manuscripts.

Public API::

    import refcheck
    result = refcheck.check("manuscript.docx")     # a Path or path; text: refcheck.check(text="...")
    for f in result.findings: print(f.code, f.message)

Plugins implement the hooks in :mod:`refcheck.hookspecs` with ``@refcheck.hookimpl``
and subclass :class:`refcheck.Rule`.
"""

from __future__ import annotations

from refcheck.model import Finding, InputError, Manuscript, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Rule
from refcheck.version import __version__


def check(source=None, config=None, *, text=None, name="<text>.md"):  # noqa: ANN001, ANN201 - typed in engine.check
    """Check a manuscript file (a ``Path`` or an existing path) or ``text=`` Markdown.

    A path that does not exist raises :class:`FileNotFoundError`; see
    :func:`refcheck.engine.check` for the rest (imported lazily, so ``import refcheck``
    stays cheap for plugins that only need :class:`Rule` and ``hookimpl``).
    """
    from refcheck.engine import check as _check

    return _check(source, config, text=text, name=name)


__all__ = ["Finding", "InputError", "Manuscript", "Rule", "Severity", "check", "hookimpl", "__version__"]
