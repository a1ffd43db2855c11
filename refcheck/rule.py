"""The base class every rule derives from, built-in or third-party."""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from refcheck.model import Block, BlockKind, Finding, Manuscript, Severity

DOC_SECTIONS = ("What it flags", "Why it matters", "Example", "How to fix")

SEVERITY_NAMES = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class Option:
    """An option declared with an explicit type and a one-line doc.

    A rule's ``options`` maps each name to a plain default (its type is inferred:
    ``6`` is an integer, ``0.25`` a number, ``[]`` a list of strings) or to an
    ``Option`` when the default alone does not say enough — an empty list of
    numbers, a value that may be ``None``, or a doc line for ``refcheck rules``.
    """

    default: Any
    doc: str = ""
    type: str | None = None  # one of OPTION_TYPES; None = inferred from the default


# What a user may write for each option type; ``validate_option`` enforces it.
OPTION_TYPES = ("boolean", "integer", "number", "string", "severity", "list of strings",
                "list of numbers", "list", "table", "any")


@dataclass(frozen=True)
class OptionSpec:
    """One rule option as users see it: canonical name, type, default and doc."""

    name: str
    type: str
    default: Any
    doc: str = ""

    def validate(self, value: Any) -> Any:
        """The value as the rule should receive it; ``ValueError("expected …")`` when
        the value cannot be that type (a bool is not an integer, "six" is not 6)."""
        return validate_value(self.type, value)


def infer_type(name: str, default: Any) -> str:
    """The option type a plain default implies.  A string option whose name ends in
    ``severity`` takes a severity, so "fatal" is refused rather than crashing later."""
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, float):
        return "number"
    if isinstance(default, str):
        return "severity" if name.endswith("severity") and default in SEVERITY_NAMES else "string"
    if isinstance(default, (list, tuple, set, frozenset)):
        items = list(default)
        if all(isinstance(v, str) for v in items):
            return "list of strings"  # an empty list: the word and pattern lists of the rules
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return "list of numbers"
        return "list"
    if isinstance(default, dict):
        return "table"
    return "any"


def show_value(value: Any) -> str:
    """A value as it would be written in TOML (what error messages and docs quote)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {show_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "(none)"
    return str(value)


_EXPECTED = {
    "boolean": "true or false", "integer": "an integer", "number": "a number",
    "string": "a string", "severity": "info, warning or error", "list of strings": "a list of strings",
    "list of numbers": "a list of numbers", "list": "a list", "table": "a table",
}


def validate_value(kind: str, value: Any) -> Any:
    """Check ``value`` against an option type; return it normalised or raise ValueError."""

    def fail() -> ValueError:
        return ValueError(f"expected {_EXPECTED.get(kind, kind)}, got {show_value(value)}")

    if kind == "any":
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise fail()
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail()
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail()
        return float(value)
    if kind == "string":
        if not isinstance(value, str):
            raise fail()
        return value
    if kind == "severity":
        if not isinstance(value, str) or value.lower() not in SEVERITY_NAMES:
            raise fail()
        return value.lower()
    if kind in ("list of strings", "list of numbers", "list"):
        if kind == "list of strings" and isinstance(value, str):
            return [value]  # one word: the list of one, as a user means it
        if not isinstance(value, list):
            raise fail()
        if kind == "list of strings" and not all(isinstance(v, str) for v in value):
            raise fail()
        if kind == "list of numbers" and not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise fail()
        return list(value)
    if kind == "table":
        if not isinstance(value, dict):
            raise fail()
        return dict(value)
    raise ValueError(f"unknown option type {kind!r}")  # a rule's own declaration is wrong


# A rule nobody has measured is taken to be as likely right as wrong.  The same prior
# smooths the measured values (benchmarks/rule_weights.py), so a rule with two
# labelled findings is not taken for perfect.
PRIOR = 0.5
PRIOR_WEIGHT = 2


@dataclass(frozen=True)
class Family:
    """A rule family as reports show it: the code prefix its rules share ("RC1"), a
    title ("citation numbering") and the colour of its bars in the batch report.

    Declared by the plugin that contributes the rules (``refcheck_rule_families``),
    so batch, the HTML report and ``--statistics`` never hard-code a family.
    """

    prefix: str
    title: str
    colour: str = "#566573"


_FAMILY_PREFIX = re.compile(r"[A-Za-z]+\d?")


def default_family(code: str) -> Family:
    """The family of a rule no plugin declares one for: its letters and first digit
    ("JB001" -> "JB0"), titled by that prefix."""
    m = _FAMILY_PREFIX.match(code)
    prefix = m.group() if m else code
    return Family(prefix, prefix)


#: Findings whose code belongs to no registered rule (a rule that is no longer installed).
OTHER_FAMILY = Family("other", "other rules")


def family_of(code: str, families: Sequence[Family]) -> Family:
    """The family ``code`` belongs to: the longest of ``families``' prefixes it starts
    with, else the family its letters and first digit make."""
    best = max((f for f in families if code.startswith(f.prefix)), key=lambda f: len(f.prefix), default=None)
    return best or default_family(code)


def count_by_family(codes: Iterable[str], families: Sequence[Family]) -> dict[str, int]:
    """Findings per family prefix (every family present, zero when none), and "other"
    for codes outside them."""
    counts = {f.prefix: 0 for f in families}
    counts[OTHER_FAMILY.prefix] = 0
    for code in codes:
        fam = family_of(code, families)
        counts[fam.prefix if fam.prefix in counts else OTHER_FAMILY.prefix] += 1
    return counts


class Rule:
    """A check over a prepared :class:`Manuscript`.

    Subclasses set ``code`` ("RC301"), ``name`` ("unsupported-superlative"),
    ``default_severity``, ``options`` (name -> default) and implement :meth:`check`.
    The class docstring is the rule's documentation and must carry the sections in
    :data:`DOC_SECTIONS`, each as a line ``Section:`` followed by its text.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.WARNING
    options: ClassVar[dict[str, Any]] = {}  # name -> default, or name -> Option
    #: How often a finding of this rule is right, 0..1.  ``None`` (the default) means
    #: the value measured on editor-labelled manuscripts (``refcheck/rule_precision.py``,
    #: written by ``benchmarks/rule_weights.py``), else :data:`PRIOR`.  A plugin that has
    #: measured its rule declares it here; the batch triage score weighs findings by it.
    precision: ClassVar[float | None] = None
    #: ``refcheck fix`` refuses to renumber while a finding of this rule stands: the
    #: citations or the list it would rewrite cannot be trusted (a dangling citation,
    #: a duplicate entry, a gap in the numbering).
    blocks_fix: ClassVar[bool] = False
    #: The rule reads English words (word lists, claim patterns, title vocabulary).  On
    #: a manuscript whose running text is not English it does not run, and the run says
    #: so once (:mod:`refcheck.analysis.english`): matched against Portuguese prose, the
    #: lists found "superior" hype and every English reference title off-topic.
    english_only: ClassVar[bool] = False
    #: The rule judges what a manuscript says about the literature (hype, certainty,
    #: uncited attributions, uncited sections).  It does not run on a manuscript that
    #: reports a study of its own or on a notice (:mod:`refcheck.analysis.genre`),
    #: unless the configuration says ``claims-everywhere = true``; the run says so once.
    literature_claims: ClassVar[bool] = False

    def __init__(self, severity: Severity | None = None):
        self.severity = severity or self.default_severity
        # A severity set in the configuration is final: rules that grade findings
        # (summaries lower, stacked words higher) leave it alone when this is True.
        self.configured = severity is not None

    def check(self, manuscript: Manuscript, options: dict[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError

    # -- options ----------------------------------------------------------------

    @classmethod
    def option_specs(cls) -> dict[str, OptionSpec]:
        """Every option by canonical name (``min-mass`` is ``min_mass``), with its type.

        Declared once on the class, so the configuration check, ``refcheck rules``
        and the defaults a rule receives can never disagree.
        """
        specs: dict[str, OptionSpec] = {}
        for raw_name, value in cls.options.items():
            name = raw_name.replace("-", "_")
            if isinstance(value, Option):
                kind = value.type or infer_type(name, value.default)
                specs[name] = OptionSpec(name, kind, value.default, value.doc)
            else:
                specs[name] = OptionSpec(name, infer_type(name, value), value)
        return specs

    @classmethod
    def option_defaults(cls) -> dict[str, Any]:
        """Options as the rule receives them when nothing is configured."""
        return {name: spec.default for name, spec in cls.option_specs().items()}

    # -- documentation ----------------------------------------------------------

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring split into its sections; ``summary`` is the first paragraph."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        parts = re.split(r"^({}):\s*$".format("|".join(map(re.escape, DOC_SECTIONS))), doc, flags=re.M)
        out = {"summary": parts[0].strip()}
        for title, body in zip(parts[1::2], parts[2::2], strict=True):
            out[title] = textwrap.dedent(body.strip("\n")).strip()
        return out

    @classmethod
    def summary(cls) -> str:
        return " ".join(cls.documentation()["summary"].split())

    @classmethod
    def precision_for(cls, severity: Severity | str | None = None) -> float:
        """The rule's precision at ``severity``: declared, else measured, else :data:`PRIOR`.

        Measured values exist per rule and severity (an info-level RC401 in a summary
        section is right far less often than a warning one), with the rule's overall
        value as the fallback for a severity the labels never saw.
        """
        if cls.precision is not None:
            return float(cls.precision)
        from refcheck.rule_precision import BY_RULE, BY_RULE_SEVERITY

        sev = severity.value if isinstance(severity, Severity) else severity
        if sev is not None and (cls.code, sev) in BY_RULE_SEVERITY:
            return BY_RULE_SEVERITY[(cls.code, sev)]
        return BY_RULE.get(cls.code, PRIOR)

    # -- building findings ------------------------------------------------------

    def finding(
        self,
        manuscript: Manuscript,
        block: int,
        start: int,
        end: int,
        message: str,
        *,
        severity: Severity | None = None,
        references: Iterable[int] = (),
        suggestion: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding on ``[start, end)`` of ``block`` with section and excerpt filled in."""
        b = manuscript.blocks[block]
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            block=block,
            start=start,
            end=end,
            text=b.text[start:end],
            section=b.section_title,
            excerpt=excerpt_for(manuscript, b, start, end),
            references=tuple(references),
            suggestion=suggestion,
            data=data or {},
            path=manuscript.path,
        )


def excerpt_for(manuscript: Manuscript, block: Block, start: int, end: int) -> str:
    """The whole sentence the span sits in; the whole block for headings and references."""
    if block.kind not in (BlockKind.HEADING, BlockKind.REFERENCE, BlockKind.TITLE):
        for s in manuscript.sentences_in(block.index):
            if s.start <= start < s.end or (start == end == s.end):
                return s.text.strip() if end <= s.end else block.text[s.start : end].strip()
    return block.text.strip()
