"""Every rule's pass/fail cases, as data in tests/rules/cases/RCnnn.yml, run by one test.

A case gives a manuscript (Markdown text) and the exact flagged spans expected from
that one rule; ``expect: []`` is a passing case.  A rule without a case file, or
without both a passing and a failing case, fails ``test_every_rule_has_cases``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from refcheck.config import config_from_table
from refcheck.engine import all_rules, check

CASES = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES.glob("RC*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for case in data["cases"]:
            out.append((data["rule"], case))
    return out


@pytest.mark.parametrize(("code", "case"), _load(), ids=lambda v: v if isinstance(v, str) else v["name"])
def test_rule_case(code: str, case: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    table = {"select": [code], **case.get("config", {})}
    if case.get("crossref_replay"):  # RC504/RC505: recorded Crossref answers from a local server
        from crossref_replay_server import replaying

        with replaying(monkeypatch, tmp_path):
            result = check(case["text"], config_from_table(table))
    else:
        result = check(case["text"], config_from_table(table))
    flagged = sorted(f.text.strip() for f in result.findings if f.code == code)
    assert flagged == sorted(case["expect"]), [f.message for f in result.findings]
    for needle in case.get("message_contains", []):
        assert any(needle in f.message for f in result.findings), needle


def test_every_rule_has_cases() -> None:
    cases = _load()
    for cls in all_rules():
        mine = [c for code, c in cases if code == cls.code]
        assert any(c["expect"] for c in mine), f"{cls.code} has no failing case"
        assert any(not c["expect"] for c in mine), f"{cls.code} has no passing case"


def test_every_rule_is_documented() -> None:
    from refcheck.rule import DOC_SECTIONS

    for cls in all_rules():
        doc = cls.documentation()
        assert doc["summary"], f"{cls.code} has no summary"
        for section in DOC_SECTIONS:
            assert doc.get(section), f"{cls.code} lacks the documentation section {section!r}"
