"""The built-in output formats: ``concise`` (alias ``text``), ``full`` and ``github`` for people
and CI logs (:mod:`refcheck.reporters.terminal`), ``json`` (the stable contract)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from refcheck.plugins import hookimpl
from refcheck.reporters.terminal import render_concise, render_full, render_github
from refcheck.reporting import Reporter, ReportOptions


def render_text(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """``--format text``, the name kept for scripts and plugins: the concise output, one
    line per finding (:mod:`refcheck.reporters.terminal`), then the summary line."""
    return render_concise(results, options)


def result_to_dict(r: Any) -> dict[str, Any]:
    """One file in the JSON contract documented in the README."""
    ms = r.manuscript
    refs = []
    if ms is not None:
        cited = {n for c in ms.citations for n in c.numbers}
        refs = [
            {"number": ref.number, "title": ref.title, "year": ref.year, "doi": ref.doi,
             "cited": ref.number in cited if ref.number is not None else None}
            for ref in ms.references
        ]
    return {
        "path": r.path,
        "error": r.error,
        "references": refs,
        "findings": [f.to_dict() for f in r.findings],
    }


def render_json(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """The JSON contract (refcheck/schemas/report.schema.json): every finding, whatever
    its confidence, for tools to filter."""
    from refcheck.version import __version__

    return json.dumps({"refcheck": __version__, "files": [result_to_dict(r) for r in results]},
                      indent=2, ensure_ascii=False)


@hookimpl
def refcheck_get_reporters() -> dict[str, Reporter]:
    return {"text": render_text, "concise": render_concise, "full": render_full, "github": render_github,
            "json": render_json}
