"""refcheck — a linter for the citations and claims of scientific manuscripts.

Public API::

    import refcheck
    result = refcheck.check("manuscript.docx")     # or a string of Markdown text
    for f in result.findings: print(f.code, f.message)

Plugins implement the hooks in :mod:`refcheck.hookspecs` with ``@refcheck.hookimpl``
and subclass :class:`refcheck.Rule`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from refcheck.model import Finding, InputError, Manuscript, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Rule

try:
    __version__ = version("refcheck")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"


def check(source, config=None):  # noqa: ANN001 - documented in engine.check
    """Check a manuscript path or text; see :func:`refcheck.engine.check`."""
    from refcheck.engine import check as _check

    return _check(source, config)


__all__ = ["Finding", "InputError", "Manuscript", "Rule", "Severity", "check", "hookimpl", "__version__"]
