"""Rule documentation rendered from the rules' own docstrings (``refcheck rules``, README)."""

from __future__ import annotations

import textwrap

from refcheck.rule import DOC_SECTIONS, Rule


def rules_table(rules: list[type[Rule]]) -> str:
    width = max((len(r.name) for r in rules), default=10)
    lines = [f"{'code':<7} {'name':<{width}} {'severity':<8} summary"]
    for r in rules:
        lines.append(f"{r.code:<7} {r.name:<{width}} {r.default_severity.value:<8} {r.summary()}")
    return "\n".join(lines)


def rule_doc(rule: type[Rule]) -> str:
    doc = rule.documentation()
    out = [f"{rule.code} {rule.name} (default severity: {rule.default_severity.value})", "", doc["summary"]]
    for section in DOC_SECTIONS:
        if section in doc:
            out += ["", f"{section}:", textwrap.indent(doc[section], "    ")]
    if rule.options:
        out += ["", "Options:"] + [f"    {k} = {v!r}" for k, v in rule.options.items()]
    return "\n".join(out)


def markdown_table(rules: list[type[Rule]]) -> str:
    rows = ["| code | name | severity | what it flags |", "| --- | --- | --- | --- |"]
    rows += [f"| {r.code} | `{r.name}` | {r.default_severity.value} | {r.summary()} |" for r in rules]
    return "\n".join(rows)
