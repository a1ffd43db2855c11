"""The reporter contract: what a reporter receives and returns.

A reporter (``refcheck_get_reporters``) renders the results of a run as text.  It is
called with the results and a :class:`ReportOptions` — the same two arguments for
every format, built-in or a plugin's — and returns the text to print; a reporter for
people reads ``color`` and ``width``, a machine format ignores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from refcheck.engine import FileResult


@dataclass(frozen=True)
class ReportOptions:
    """How the terminal wants the report: colour (a TTY) and its width in columns
    (``None``: no limit).  Every reporter receives one, so colour is not a privilege
    of the text format."""

    color: bool = False
    width: int | None = 120


class Reporter(Protocol):
    """``reporter(results, options) -> text``: one string for the whole run."""

    def __call__(self, results: Sequence[FileResult], options: ReportOptions) -> str: ...
