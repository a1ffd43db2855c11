"""Rule documentation rendered from the rules' own docstrings (``refcheck rules``, README)."""

from __future__ import annotations

import textwrap

from refcheck.rule import DOC_SECTIONS, OptionSpec, Rule, show_value


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
    specs = rule.option_specs()
    if specs:
        out += ["", f"Options ([tool.refcheck.options.{rule.code}]):"]
        for spec in specs.values():
            out += option_lines(spec)
    return "\n".join(out)


def option_lines(spec: OptionSpec, indent: str = "    ", width: int = 100) -> list[str]:
    """``name = default  # type — doc`` as TOML a user can paste; a long list is
    written one item a line so every default pattern stays readable."""
    note = f"  # {spec.type}" + (f" — {spec.doc}" if spec.doc else "")
    value = show_value(spec.default)
    line = f"{indent}{spec.name} = {value}{note}"
    if len(line) <= width or not isinstance(spec.default, (list, tuple, set, frozenset)):
        return [line]
    items = [f"{indent}    {show_value(v)}," for v in spec.default]
    return [f"{indent}{spec.name} = [{note}", *items, f"{indent}]"]


def markdown_table(rules: list[type[Rule]]) -> str:
    rows = ["| code | name | severity | what it flags |", "| --- | --- | --- | --- |"]
    rows += [f"| {r.code} | `{r.name}` | {r.default_severity.value} | {r.summary()} |" for r in rules]
    return "\n".join(rows)


README_MARK = "<!-- rules-table -->"
CONFIG_MARK = "<!-- config-table -->"


def _between(readme: str, mark: str, body: str) -> str:
    head, sep, rest = readme.partition(mark)
    if not sep:
        raise ValueError(f"README has no {mark} marker")
    _, sep2, tail = rest.partition(mark)
    return head + mark + body + mark + (tail if sep2 else rest)


def readme_with_config(readme: str) -> str:
    """The README with the configuration table (from :data:`refcheck.config.SCHEMA`)
    regenerated between its two markers."""
    from refcheck.config import markdown_table as config_table

    return _between(readme, CONFIG_MARK, "\n" + config_table() + "\n")


def readme_with_rules(readme: str, rules: list[type[Rule]]) -> str:
    """The README with the text between the two rules-table markers regenerated."""
    body = "\n" + markdown_table(rules) + "\n\n`refcheck rules CODE` prints a rule's full documentation.\n"
    return _between(readme, README_MARK, body)


def main() -> None:
    """``python -m refcheck.docs README.md`` rewrites the README's rule and configuration tables in place."""
    import sys
    from pathlib import Path

    from refcheck.plugins import all_rules

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(readme_with_config(readme_with_rules(path.read_text("utf-8"), all_rules())), "utf-8")


if __name__ == "__main__":
    main()
