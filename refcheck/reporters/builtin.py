"""The built-in output formats: ``text`` (terminal) and ``json`` (the stable contract)."""

from __future__ import annotations

import json
from typing import Any

from refcheck.plugins import hookimpl
from refcheck.reporters.common import counts, location


def render_text(results: list[Any], config: Any = None, color: bool = False) -> str:
    """One line per finding, ``path:line:col: CODE severity name "span": message``, then a
    summary that counts the files that could not be read (their reasons go to stderr)."""
    colours = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    lines: list[str] = []
    total: list[Any] = []
    for r in results:  # unreadable files: their one line is the CLI's, on stderr
        for f in r.findings:
            total.append(f)
            sev = f.severity.value
            quoted = f' "{f.text.strip()}"' if f.text.strip() and len(f.text) <= 60 else ""
            if color:
                lines.append(f"[bold]{_esc(location(f))}[/]: [{colours[sev]}]{f.code} {sev}[/] {_esc(f.name)}{_esc(quoted)}: {_esc(f.message)}")
            else:
                lines.append(f"{location(f)}: {f.code} {sev} {f.name}{quoted}: {f.message}")
    c = counts(total)
    errors = sum(1 for r in results if r.error)
    summary = (
        f"{len(total)} finding{'s' if len(total) != 1 else ''} "
        f"({c['error']} error, {c['warning']} warning, {c['info']} info) in {len(results)} file{'s' if len(results) != 1 else ''}"
    )
    if errors:
        summary += f"; {errors} could not be read"
    lines.append(summary)
    return "\n".join(lines)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


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


def render_json(results: list[Any], config: Any = None, color: bool = False) -> str:
    from refcheck import __version__

    return json.dumps({"refcheck": __version__, "files": [result_to_dict(r) for r in results]},
                      indent=2, ensure_ascii=False)


@hookimpl
def refcheck_get_reporters() -> dict[str, Any]:
    return {"text": render_text, "json": render_json}
