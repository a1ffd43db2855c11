"""SARIF 2.1.0 output (``--format sarif``) for code-scanning dashboards.

GitHub code scanning, Azure DevOps and VS Code's SARIF viewer all read this format.
Text manuscripts get a physical location with line and column; DOCX and JATS have
no lines, so their findings carry the paragraph as a *logical* location and the
flagged sentence as the region's snippet, which is what those viewers show.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from refcheck.plugins import hookimpl
from refcheck.reporting import Reporter, ReportOptions

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFO_URI = "https://github.com/refcheck/refcheck"


def _rule_descriptor(cls: Any) -> dict[str, Any]:
    from refcheck.docs import rule_doc

    doc = cls.documentation()
    full = " ".join(doc.get("What it flags", doc["summary"]).split())
    return {
        "id": cls.code,
        "name": cls.name,
        "shortDescription": {"text": cls.summary()},
        "fullDescription": {"text": full},
        "help": {"text": rule_doc(cls), "markdown": "```\n" + rule_doc(cls) + "\n```"},
        "defaultConfiguration": {"level": _LEVEL[cls.default_severity.value]},
        "properties": {"tags": [cls.code[:3]], "options": cls.option_defaults()},
    }


def _uri(path: str) -> str:
    p = Path(path)
    return p.as_posix() if not p.is_absolute() else p.as_uri()


def _location(f: Any, fmt: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.path)}}
    snippet = {"text": f.excerpt or f.text}
    if f.line is not None:
        region: dict[str, Any] = {"startLine": int(f.line), "startColumn": int(f.column or 1)}
        if f.text and "\n" not in f.text:
            region["endColumn"] = int(f.column or 1) + len(f.text)
        region["snippet"] = snippet
        physical["region"] = region
        return {"physicalLocation": physical}
    para = f.data.get("paragraph")
    part = f.data.get("part", "body")
    region = {"charOffset": int(f.start), "charLength": max(int(f.end) - int(f.start), 0), "snippet": snippet}
    physical["region"] = region
    name = f"{part} paragraph {para}" if para is not None else part
    return {
        "physicalLocation": physical,
        "logicalLocations": [{
            "name": name,
            "fullyQualifiedName": f"{f.section + ' / ' if f.section else ''}{name}",
            "kind": "paragraph" if fmt != "jats" else "element",
        }],
        "message": {"text": f"{f.section or part}, paragraph {para}: “{f.text.strip()}”" if para is not None else f.text},
    }


def render_sarif(results: Sequence[Any], options: ReportOptions | None = None) -> str:
    """One SARIF run covering every file; unreadable files become tool notifications."""
    from refcheck.plugins import all_rules
    from refcheck.version import __version__

    rules = all_rules()
    index = {cls.code: i for i, cls in enumerate(rules)}
    out_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for r in results:
        if r.error:
            notifications.append({"level": "error", "message": {"text": r.error},
                                  "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.path)}}}]})
            continue
        fmt = r.manuscript.format if r.manuscript is not None else None
        for f in r.findings:
            item: dict[str, Any] = {
                "ruleId": f.code,
                "level": _LEVEL[f.severity.value],
                "message": {"text": f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")},
                "locations": [_location(f, fmt)],
                "partialFingerprints": {"refcheck/v1": f"{f.code}:{f.block}:{f.start}:{f.end}"},
                "properties": {"name": f.name, "references": list(f.references), "section": f.section},
            }
            if f.confidence is not None:
                # SARIF's rank (0-100) is how sure the tool is of a result; viewers sort by it.
                item["properties"]["confidence"] = f.confidence
                if f.confidence_score is not None:
                    item["rank"] = round(100 * f.confidence_score, 1)
            if f.code in index:
                item["ruleIndex"] = index[f.code]
            out_results.append(item)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "refcheck", "version": __version__, "informationUri": INFO_URI,
                            "rules": [_rule_descriptor(cls) for cls in rules]}},
        "results": out_results,
        "invocations": [{"executionSuccessful": not notifications,
                         "toolExecutionNotifications": notifications}],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)


@hookimpl
def refcheck_get_reporters() -> dict[str, Reporter]:
    return {"sarif": render_sarif}
