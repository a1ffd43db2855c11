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


README_MARK = "<!-- rules-table -->"


def readme_with_rules(readme: str, rules: list[type[Rule]]) -> str:
    """The README with the text between the two rules-table markers regenerated."""
    head, sep, rest = readme.partition(README_MARK)
    if not sep:
        raise ValueError(f"README has no {README_MARK} marker")
    _, sep2, tail = rest.partition(README_MARK)
    body = "\n" + markdown_table(rules) + "\n\n`refcheck rules CODE` prints a rule's full documentation.\n"
    return head + README_MARK + body + README_MARK + (tail if sep2 else rest)


def main() -> None:
    """``python -m refcheck.docs README.md`` rewrites the README's rule table in place."""
    import sys
    from pathlib import Path

    from refcheck.engine import all_rules

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(readme_with_rules(path.read_text("utf-8"), all_rules()), "utf-8")


if __name__ == "__main__":
    main()
