"""Documentation that cannot drift: the README's rule table is generated from the rules."""

from __future__ import annotations

from conftest import ROOT

from refcheck.docs import readme_with_rules
from refcheck.engine import all_rules


def test_readme_rule_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme_with_rules(readme, all_rules()) == readme, "run: python -m refcheck.docs README.md"


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make demo", "make test"]
