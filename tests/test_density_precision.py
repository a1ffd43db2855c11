"""Severity grading of the density rules (RC401, RC402), from real sentences editors judged.

The rule cases (tests/rules/cases/RC40*.yml) say what is flagged; these tests say how
loudly: a finding an editor would sign is a warning, one that is only worth a look is
info, and a severity set in the configuration is what every finding gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_FILES

from refcheck.config import config_from_table
from refcheck.engine import check, read_manuscript, run_rules
from refcheck.model import Finding

REFS = "\n".join(f"{i}. Author{i} A. A study of topic {i}. J Biol. 2020;{i}:{i}-{i + 9}." for i in range(1, 13))


def _findings(text: str, code: str, **table: object) -> list[Finding]:
    """The rule's findings.  These tests grade findings inside research articles too, so
    the literature-claim rules run everywhere (``claims-everywhere``)."""
    result = check(text, config_from_table({"select": [code], "claims-everywhere": True, **table}))
    return [f for f in result.findings if f.code == code]


def _severity(findings: list[Finding], text: str) -> str:
    hits = [f.severity.value for f in findings if f.text.strip() == text]
    assert hits, (text, [f.text for f in findings])
    return hits[0]


# A topic sentence whose evidence follows (a real long-COVID introduction), and the
# discussion of a meta-analysis's own pooled data.
TOPIC = f"""# Introduction

## Viral variants and long COVID outcomes

Emerging evidence suggests that the SARS-CoV-2 variant responsible for infection influences long COVID risk. In general, infections with pre-Delta and Delta variants have been associated with a higher likelihood of long COVID compared with Omicron infections. Meta-analyses [1] and large cohort studies [2] show that the odds of developing long COVID have declined across successive variants, with Omicron infections producing fewer post-acute sequelae.

# Methods

We pooled the trials.

# Results

Pooled protective efficacy was 82% [3].

# Discussion

None of the trials was individually powered to demonstrate an effect on severe malaria or all-cause mortality. However, pooled data from two regions showed a protective efficacy of 82% against severe malaria and data from twelve studies suggests that administration of IPTc reduced overall mortality in children by more than 50% during the intervention period.

Other studies have shown that chemoprevention reduces anaemia in older children.

# References

{REFS}
"""


WEAK = {"options": {"RC401": {"report_weak": True}, "RC402": {"report_weak": True}}}


def test_weak_evidence_is_silent_by_default() -> None:
    """A topic sentence followed by its evidence, the discussion of the authors' own
    study, a section marked as the authors' own: no finding unless asked for."""
    rc401 = {f.text.strip() for f in _findings(TOPIC, "RC401")}
    assert "Emerging evidence suggests" not in rc401 and "data from twelve studies suggests" not in rc401
    assert "Other studies have shown" in rc401
    assert "Interactive features and appearance" not in {f.text for f in _findings(SECTIONS, "RC402")}


def test_a_research_article_is_not_judged_by_default() -> None:
    """TOPIC reports its own study (Methods, Results): by default RC401 does not run on
    it, and the run says why."""
    result = check(TOPIC, config_from_table({"select": ["RC401"]}))
    assert not result.findings
    assert any("RC401 judge" in n and "reports a study of its own" in n for n in result.notices)


def test_topic_sentence_followed_by_its_evidence_is_info() -> None:
    assert _severity(_findings(TOPIC, "RC401", **WEAK), "Emerging evidence suggests") == "info"


def test_unmarked_attribution_in_the_discussion_of_an_own_study_is_info() -> None:
    findings = _findings(TOPIC, "RC401", **WEAK)
    assert _severity(findings, "data from twelve studies suggests") == "info"
    # Other people's work named as such stays a warning in the same Discussion.
    assert _severity(findings, "Other studies have shown") == "warning"


def test_configured_severity_applies_to_every_attribution() -> None:
    findings = _findings(TOPIC, "RC401", severity={"RC401": "warning"})
    assert findings and all(f.severity.value == "warning" for f in findings)


# RC402: a section that appeals to research it does not cite (warning), a section with
# no citation and nothing of the authors' own (warning), and a section describing the
# authors' own software next to their figure (info).
SECTIONS = f"""# Introduction

Liver failure is a syndrome with many causes [1]. Transplantation improves survival [2]. Donor organs are scarce [3].

## Economic evaluation

When evaluating the economic benefits of hUC-MSCs for acute liver failure, comprehensive considerations must be integrated, including therapeutic outcomes and long-term healthcare costs. Initial studies indicate that while hUC-MSCs may temporarily increase medical expenditures, they could significantly reduce subsequent treatment expenses. Therefore, conducting a thorough cost-benefit analysis is essential to provide policymakers with scientific evidence. Furthermore, as technology advances and production costs decrease, the economic viability of hUC-MSCs will continue to improve.

## Ethical issues and social acceptance

While the application of the cells faces fewer ethical controversies, public acceptance remains a key consideration. Moreover, the public's understanding and awareness of stem cell research directly influence its acceptance. Therefore, conducting extensive public education campaigns to enhance awareness is crucial. Transparent ethical review mechanisms will further boost societal trust and acceptance.

## Interactive features and appearance

Manubot comes with several plugins that can be included in manuscripts exported as HTML. These plugins add special interactive features that enhance the user experience of viewing and reading manuscripts (Fig 3). For example, with the tooltips plugin enabled, when the user hovers over a link to a reference or figure, a preview of that item pops up above the link, along with controls to navigate between other mentions of that item elsewhere in the document. The build process can also accommodate different themes, which change the general aesthetics and appearance of the exported document. The architecture of the plugins and themes is designed to provide authors with enough flexibility to suit their particular needs and preferences. The plugins use standard technology built in to most major web browsers, allowing them to be relatively lightweight, modular, and easy to configure.

# References

{REFS}
"""


def test_section_grading() -> None:
    findings = _findings(SECTIONS, "RC402", **WEAK)
    assert _severity(findings, "Economic evaluation") == "warning"
    appeal = next(f for f in findings if f.text == "Economic evaluation")
    assert appeal.data["appeal"] == "Initial studies indicate" and "Initial studies indicate" in appeal.message
    assert _severity(findings, "Ethical issues and social acceptance") == "warning"
    assert _severity(findings, "Interactive features and appearance") == "info"


def test_configured_severity_applies_to_every_section() -> None:
    findings = _findings(SECTIONS, "RC402", severity={"RC402": "error"})
    assert len(findings) == 3 and all(f.severity.value == "error" for f in findings)


@pytest.mark.parametrize("form", sorted(EXAMPLE_FILES))
def test_example_keeps_its_warnings(form: str) -> None:
    """The example's uncited "studies show" sentences and its two uncited sections stay warnings."""
    path: Path = EXAMPLE_FILES[form]
    findings = run_rules(read_manuscript(path), config_from_table({"select": ["RC401", "RC402"]}))
    warned = {(f.code, f.text.strip()) for f in findings if f.severity.value == "warning"}
    for phrase in ("basic studies have demonstrated", "Research indicates", "Initial studies indicate"):
        assert ("RC401", phrase) in warned, phrase
    sections = {f.section for f in findings if f.code == "RC402" and f.severity.value == "warning"}
    assert any(s.startswith("2.5. Clinical") for s in sections)
    assert any(s.startswith("2.5.2") for s in sections)
