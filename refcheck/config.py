"""Configuration: ``[tool.refcheck]`` in ``pyproject.toml`` or a ``refcheck.toml``.

The file is found by walking up from the checked manuscript, like ruff and black do,
so a journal can keep one configuration at the top of its submissions folder.

Every key is declared once in :data:`SCHEMA` (type, default, description): the
validation below, ``refcheck config`` and the README's table are all made from it,
so a key cannot be documented and ignored, or read and undocumented.  A CI gate
must never go green having checked nothing, so everything a user can get wrong —
an unknown or misspelt key, an unknown rule, a value of the wrong type, a spaCy
pipeline that is not installed — is a :class:`ConfigError`: one line naming the
file, the key, what was expected and what was given (exit code 2).
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from refcheck.model import ConfigError, Severity
from refcheck.rule import show_value, validate_value

if TYPE_CHECKING:
    from refcheck.rule import Rule




# -- the schema ---------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One configuration key: its one spelling, type, default and description.

    ``-`` and ``_`` are interchangeable in every key (``fail_on`` is ``fail-on``,
    ``max-text-mb`` is ``max_text_mb``), because TOML users write both; ``name``
    is the spelling the documentation uses.
    """

    name: str
    type: str
    default: Any
    description: str


SCHEMA: tuple[Key, ...] = (
    Key("select", "list of rules", [],
        "Rule codes, code prefixes (`RC1`) or rule names to run; empty runs every rule."),
    Key("ignore", "list of rules", [],
        "Rule codes, prefixes or names not to run; where `select` and `ignore` both match, the longer entry wins."),
    Key("fail-on", "severity", "warning",
        "Lowest severity that makes `refcheck check` exit 1: `info`, `warning` or `error`."),
    Key("min-confidence", "confidence", "medium",
        "Lowest confidence (`low`, `medium` or `high`: the rule's measured precision and the finding's evidence) "
        "a finding needs to be shown in the terminal, counted by `fail-on` and written as a Word comment; "
        "JSON and SARIF carry every finding with its confidence."),
    Key("claims-everywhere", "boolean", False,
        "Run the literature-claim rules (RC301, RC302, RC401, RC402) on research articles and notices too; by "
        "default they judge reviews and essays, where their findings were measured worth sending."),
    Key("spacy-model", "string", None,
        "An installed trained spaCy pipeline (e.g. `en_core_web_sm`) instead of the blank English one; never downloaded."),
    Key("severity", "table: rule = severity", {},
        "A final severity per rule code or name, e.g. `RC301 = \"info\"`."),
    Key("options", "table: rule = table", {},
        "Per-rule options, `[tool.refcheck.options.RC403]`; `refcheck rules CODE` lists a rule's options, types and defaults."),
    Key("per-file-ignores", "table: glob = list of rules", {},
        "Rules not run on files matching a glob, relative to the configuration file's folder, e.g. `\"drafts/*.md\" = [\"RC3\"]`."),
    Key("limits", "table", {},
        "Reader ceilings against hostile files: the `limits.*` keys below."),
    Key("retractions", "path", None,
        "The Retraction Watch CSV (relative to this file) the RC5xx rules check references against; "
        "`--retractions FILE` on the command line. Unset: RC5xx check nothing and nothing is downloaded."),
    Key("retractions-max-age", "integer", 180,
        "Days the newest notice in the `retractions` file may be old before the file is refused as stale; 0 accepts any age."),
    Key("verify-online", "boolean", False,
        "Look every reference up in Crossref (RC504, RC505); `--verify-online` on the command line. Off: nothing is sent anywhere."),
    Key("mailto", "string", None,
        "Your e-mail address, sent to Crossref with `verify-online` lookups (its polite pool); nothing else about you is sent."),
)


@lru_cache(maxsize=1)
def limit_keys() -> tuple[Key, ...]:
    """The ``[limits]`` keys, with the defaults the readers themselves use."""
    from refcheck.limits import DEFAULT_MAX_TEXT_MB, DEFAULT_MAX_XML_MB
    from refcheck.ooxml.package import PackageLimits

    pkg = PackageLimits()
    return (
        Key("max_text_mb", "number", DEFAULT_MAX_TEXT_MB,
            "Largest text read, in MB: a text, Markdown or LaTeX file, or the text of a Word or JATS file."),
        Key("max_xml_mb", "number", DEFAULT_MAX_XML_MB, "Largest JATS XML file read, in MB."),
        Key("max_unzipped_mb", "number", pkg.max_unzipped_bytes // (1024 * 1024),
            "Largest total a DOCX package may unzip to, in MB (ZIP bombs)."),
        Key("max_compression_ratio", "number", pkg.max_compression_ratio,
            "Largest compression ratio of a DOCX part (ZIP bombs)."),
        Key("max_zip_entries", "integer", pkg.max_entries, "Most entries a DOCX package may hold."),
    )


def schema_rows() -> list[Key]:
    """Every key, the limits as ``limits.NAME``: what ``refcheck config`` and the README print."""
    rows = list(SCHEMA)
    rows += [Key(f"limits.{k.name}", k.type, k.default, k.description) for k in limit_keys()]
    return rows


# -- the effective settings -----------------------------------------------------------


@dataclass
class Config:
    """Effective settings for one run."""

    select: list[str] = field(default_factory=list)  # empty = all rules
    ignore: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.WARNING
    severity: dict[str, Severity] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    spacy_model: str | None = None
    limits: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    retractions: str | None = None  # the Retraction Watch CSV; validated by use_retractions()
    min_confidence: str = "medium"  # refcheck.confidence.NAMES
    claims_everywhere: bool = False  # literature-claim rules on research articles too (refcheck.analysis.genre)

    def enabled(self, code: str) -> bool:
        """``select``/``ignore`` take codes or prefixes ("RC1"); the longer match wins."""
        sel = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ign = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if self.select and sel < 0:
            return False
        return ign <= sel if ign >= 0 else True

    def ignored_in(self, code: str, path: str | os.PathLike[str] | None) -> bool:
        """Whether ``per-file-ignores`` switches ``code`` off for the file at ``path``.

        Globs are relative to the configuration file's folder (the working directory
        when there is none); a glob without ``/`` also matches the bare file name,
        as in ruff, so ``"*.md"`` means every Markdown file wherever it is.
        """
        if not self.per_file_ignores or path is None:
            return False
        p = Path(path)
        root = Path(self.source).parent if self.source and Path(self.source).is_file() else Path.cwd()
        try:
            rel = p.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            rel = p.as_posix()
        for pattern, codes in self.per_file_ignores.items():
            hit = fnmatch.fnmatch(rel, pattern) or ("/" not in pattern and fnmatch.fnmatch(p.name, pattern))
            if hit and any(code.startswith(c) for c in codes):
                return True
        return False

    def rule_options(self, code: str, name: str, defaults: dict[str, Any]) -> dict[str, Any]:
        """The rule's defaults overridden by ``[tool.refcheck.options.<code or name>]``;
        "min-mass" and "min_mass" are the same key (TOML users write either)."""
        merged = {k.replace("-", "_"): v for k, v in defaults.items()}
        for key in (name, code):
            for k, v in self.options.get(key, {}).items():
                merged[k.replace("-", "_")] = v
        return merged

    def as_dict(self) -> dict[str, Any]:
        """Plain data handed to hooks (readers, scorers) that take ``config``."""
        return {**self.raw, "limits": self.limits, "spacy_model": self.spacy_model, "retractions": self.retractions}

    def use_retractions(self, path: str | os.PathLike[str], max_age: int | None = None) -> None:
        """Check the Retraction Watch CSV now (building its index once) and use it: a
        missing, malformed or stale file is a ConfigError before any manuscript is read."""
        from refcheck.retractions import DEFAULT_MAX_AGE_DAYS, require

        days = self.raw.get("retractions-max-age", DEFAULT_MAX_AGE_DAYS) if max_age is None else max_age
        require(path, days)
        self.retractions = self.raw["retractions"] = str(path)

    def fingerprint(self) -> str:
        """Stable hash of everything that can change findings (for batch re-runs)."""
        payload = json.dumps(
            {
                "select": self.select,
                "ignore": self.ignore,
                "severity": {k: v.value for k, v in self.severity.items()},
                "options": self.options,
                "raw": self.raw,
                # only when set: fingerprints of runs without a retractions file stay as they were
                **({"retractions": _retractions_stamp(self.retractions)} if self.retractions else {}),
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _retractions_stamp(path: str | None) -> str | None:
    """A new Retraction Watch snapshot changes findings: batch re-runs must see it."""
    from refcheck.retractions import stamp_of

    return stamp_of(path)


# -- finding and reading the file -------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None


def find_config_file(start: Path) -> Path | None:
    """Nearest ``refcheck.toml`` or ``pyproject.toml`` with a ``[tool.refcheck]`` table.

    A ``pyproject.toml`` on the way that is not valid TOML is an error, not skipped:
    it may be the very file meant to configure refcheck, and skipping it would run
    with the defaults without a word.
    """
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / "refcheck.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool", {})
            if isinstance(tool, dict) and "refcheck" in tool:
                return candidate
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the config at ``path``, or the one found upward from ``start``, or defaults.

    An explicit file may be a ``refcheck.toml`` (keys at the top level) or any TOML
    file holding a ``[tool.refcheck]`` table (a ``pyproject.toml`` under another name).
    """
    if path is None and start is not None:
        path = find_config_file(start.resolve())
    if path is None:
        return Config()
    data = _read_toml(path)
    tool = data.get("tool")
    if path.name == "pyproject.toml" or (isinstance(tool, dict) and "refcheck" in tool):
        if not isinstance(tool, dict) or "refcheck" not in tool:
            raise ConfigError(f"{path}: has no [tool.refcheck] table")
        others = sorted(k for k in data if k != "tool") if path.name != "pyproject.toml" else []
        if others:
            raise ConfigError(f"{path}: unknown key {others[0]} outside [tool.refcheck]; "
                              "put every setting in the [tool.refcheck] table")
        table, prefix = tool["refcheck"], "tool.refcheck."
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: tool.refcheck: expected a table, got {show_value(table)}")
    elif isinstance(tool, dict):
        raise ConfigError(f"{path}: has a [tool] table but no [tool.refcheck]; put refcheck's settings "
                          "in [tool.refcheck], or at the top level of a refcheck.toml")
    else:
        table, prefix = data, ""
    return config_from_table(table, str(path), prefix)


def trusted_limits(found: Config, explicit: Path | None, cwd: Path | None = None) -> dict[str, Any]:
    """The ``[limits]`` a run may use, whatever config was found next to the manuscript.

    Limits guard against hostile files, so they come only from a file the user chose:
    ``--config FILE``, or the working directory's own project config (the nearest
    ``refcheck.toml``/``pyproject.toml`` above the working directory).  A config that
    travels with a submission (found above the manuscript, or the submissions folder's
    in ``batch``) may lower a limit but never raise one: a zip bomb cannot ship the
    ``max_unzipped_mb`` that lets it inflate.
    """
    if explicit is not None:
        return dict(found.limits)
    own_path = find_config_file((cwd or Path.cwd()).resolve())
    same = own_path is not None and found.source is not None and Path(found.source).resolve() == own_path.resolve()
    if same:
        return dict(found.limits)
    own = load_config(own_path).limits if own_path is not None else {}
    defaults = {k.name: k.default for k in limit_keys()}
    out = dict(own)
    for name, value in found.limits.items():
        if value < own.get(name, defaults[name]):
            out[name] = value  # stricter than the user's: a submission may only lower a limit
    return out


# -- validation -----------------------------------------------------------------------


def _rules() -> list[type[Rule]]:
    from refcheck.plugins import all_rules

    return all_rules()


def _closest(word: str, candidates: Iterable[str]) -> str:
    """" — did you mean X?" when one candidate is close, else a pointer to the list."""
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" — did you mean {match[0]}?" if match else ""


def resolve_rule(token: str, where: str, *, prefixes: bool, rules: list[type[Rule]] | None = None) -> str:
    """The code a rule selector stands for: a code (``RC301``), a rule name
    (``unsupported-superlative``), or with ``prefixes`` a code prefix (``RC3``, ``RC``)
    or ``ALL``.  Anything else is an error naming the closest valid rule."""
    rules = _rules() if rules is None else rules
    text = str(token).strip()
    upper = text.upper()
    codes = [r.code for r in rules]
    by_name = {r.name: r.code for r in rules}
    if upper in codes:
        return upper
    if text.lower() in by_name:
        return by_name[text.lower()]
    if prefixes and upper == "ALL":
        return ""
    if prefixes and upper and any(c.startswith(upper) for c in codes):
        return upper
    hint = _closest(upper, codes) or _closest(text.lower(), by_name)
    raise ConfigError(f"{where}: unknown rule {text}{hint or '; `refcheck rules` lists them'}")


def resolve_rules(value: Any, where: str, rules: list[type[Rule]] | None = None) -> list[str]:
    """A list of rule selectors (or one comma-separated string) as codes and prefixes."""
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of rule codes, prefixes or names, got {show_value(value)}")
    return [resolve_rule(v, where, prefixes=True, rules=rules) for v in value]


def _severity(value: Any, where: str) -> Severity:
    if isinstance(value, Severity):
        return value
    try:
        return Severity(validate_value("severity", value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def check_spacy_model(name: str) -> str | None:
    """Why the spaCy pipeline ``name`` cannot be loaded, or None when it is installed
    (an importable package, or a pipeline folder).  Checked before any manuscript is
    read, so a missing pipeline is one line at the start and never an internal error."""
    if Path(name).expanduser().is_dir():
        return None
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return None
    return (f"spaCy pipeline {name!r} is not installed; install it with "
            f"`python -m spacy download {name}` (or pip install its package), or remove "
            "spacy-model to use the blank English pipeline (refcheck never downloads models)")


def _normalised(table: dict[str, Any], where: str, canonical: Callable[[str], str]) -> dict[str, Any]:
    """The table with every key in its one spelling; a key written both ways is an error."""
    out: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        name = canonical(str(key))
        if name in out:
            raise ConfigError(f"{where}{name}: given twice (as {spelled[name]} and {key}); keep one")
        out[name] = value
        spelled[name] = str(key)
    return out


def _kebab(key: str) -> str:
    return key.replace("_", "-")


def _snake(key: str) -> str:
    return key.replace("-", "_")


def _rule_for(key: str, where: str, rules: list[type[Rule]]) -> type[Rule]:
    code = resolve_rule(key, where, prefixes=False, rules=rules)
    return next(r for r in rules if r.code == code)


def _rule_options(value: Any, where: str, rule: type[Rule]) -> dict[str, Any]:
    """A rule's options checked against its declared ones: unknown keys name the
    closest valid option, values must have the declared type."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of {rule.code} options, got {show_value(value)}")
    specs = rule.option_specs()
    out: dict[str, Any] = {}
    for key, given in _normalised(value, f"{where}.", _snake).items():
        spec = specs.get(key)
        if spec is None:
            known = ", ".join(specs) or "none"
            hint = _closest(key, specs) or f" (its options: {known})"
            raise ConfigError(f"{where}: unknown option {key} for {rule.code} {rule.name}{hint}")
        try:
            out[key] = spec.validate(given)
        except ValueError as exc:
            raise ConfigError(f"{where}.{key}: {exc}") from None
    return out


def _severities(cfg: Config, table: Any, where: str, rules: list[type[Rule]]) -> dict[str, str]:
    """``[severity]``: rule (code or name) = severity, each rule once."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}severity: expected a table of rule = severity, got {show_value(table)}")
    for key, value in table.items():
        rule = _rule_for(str(key), f"{where}severity", rules)
        if rule.code in cfg.severity:
            raise ConfigError(f"{where}severity.{key}: {rule.code} is given twice (by code and by name); keep one")
        cfg.severity[rule.code] = _severity(value, f"{where}severity.{key}")
    return {k: v.value for k, v in cfg.severity.items()}


def _all_options(cfg: Config, table: Any, where: str, rules: list[type[Rule]]) -> dict[str, dict[str, Any]]:
    """``[options.RC403]`` tables, each validated against the rule's declared options."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}options: expected a table of rule options "
                          f"([tool.refcheck.options.RC403]), got {show_value(table)}")
    for key, value in table.items():
        rule = _rule_for(str(key), f"{where}options", rules)
        opts = _rule_options(value, f"{where}options.{key}", rule)
        cfg.options[rule.code] = {**cfg.options.get(rule.code, {}), **opts}
    return cfg.options


def _per_file_ignores(cfg: Config, table: Any, where: str, rules: list[type[Rule]]) -> dict[str, list[str]]:
    """``[per-file-ignores]``: glob = list of rules."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}per-file-ignores: expected a table of glob = list of rules, "
                          f"got {show_value(table)}")
    for pattern, codes in table.items():
        cfg.per_file_ignores[str(pattern)] = resolve_rules(codes, f"{where}per-file-ignores.{pattern!r}", rules)
    return cfg.per_file_ignores


_SWITCHES = {"claims-everywhere": "claims_everywhere"}


def _read_switches(cfg: Config, raw: dict[str, Any], data: dict[str, Any], where: str) -> None:
    """The true/false keys, each onto its Config attribute."""
    for key, attr in _SWITCHES.items():
        if key in data:
            if not isinstance(data[key], bool):
                raise ConfigError(f"{where}{key}: expected true or false, got {show_value(data[key])}")
            setattr(cfg, attr, data[key])
            raw[key] = data[key]


def config_from_table(table: dict[str, Any], source: str = "<config>", prefix: str = "") -> Config:
    """Validate a ``[tool.refcheck]`` table (or the Python API's dict) into a Config.

    ``source`` names the file and ``prefix`` the table (``tool.refcheck.``) in every
    error message, so the user can go straight to the line.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: expected a table of settings, got {show_value(table)}")
    where = f"{source}: {prefix}"
    known = {k.name for k in SCHEMA}
    data = _normalised(table, where, _kebab)
    for key in data:
        if key not in known:
            hint = _closest(key, known) or "; `refcheck config` lists the keys"
            loc = f"{source}: {prefix.rstrip('.')}" if prefix else source
            raise ConfigError(f"{loc}: unknown key {key}{hint}")
    rules = _rules()
    cfg = Config(source=source)
    raw: dict[str, Any] = {}

    if "select" in data:
        cfg.select = raw["select"] = resolve_rules(data["select"], f"{where}select", rules)
    if "ignore" in data:
        cfg.ignore = raw["ignore"] = resolve_rules(data["ignore"], f"{where}ignore", rules)
    if "fail-on" in data:
        cfg.fail_on = _severity(data["fail-on"], f"{where}fail-on")
        raw["fail-on"] = cfg.fail_on.value
    if "min-confidence" in data:
        from refcheck.confidence import parse as parse_confidence

        try:
            cfg.min_confidence = raw["min-confidence"] = parse_confidence(data["min-confidence"], "").value
        except ValueError as exc:
            raise ConfigError(f"{where}min-confidence: {exc}") from None
    _read_switches(cfg, raw, data, where)
    if data.get("spacy-model") not in (None, ""):
        model = data["spacy-model"]
        if not isinstance(model, str):
            raise ConfigError(f"{where}spacy-model: expected a string, got {show_value(model)}")
        problem = check_spacy_model(model)
        if problem:
            raise ConfigError(f"{where}spacy-model: {problem}")
        cfg.spacy_model = raw["spacy-model"] = model

    if "severity" in data:
        raw["severity"] = _severities(cfg, data["severity"], where, rules)
    if "options" in data:
        raw["options"] = _all_options(cfg, data["options"], where, rules)
    if "per-file-ignores" in data:
        raw["per-file-ignores"] = _per_file_ignores(cfg, data["per-file-ignores"], where, rules)

    if "limits" in data:
        cfg.limits = raw["limits"] = _limits(data["limits"], f"{where}limits")
    cfg.raw = raw
    _retractions(cfg, data, source, where)
    for key, kind in (("verify-online", "boolean"), ("mailto", "string")):
        if data.get(key) is not None:
            try:
                raw[key] = validate_value(kind, data[key])
            except ValueError as exc:
                raise ConfigError(f"{where}{key}: {exc}") from None
    return cfg


def _retractions(cfg: Config, data: dict[str, Any], source: str, where: str) -> None:
    """``retractions`` (a path relative to the configuration file, like per-file-ignores'
    globs) and ``retractions-max-age``; the file is checked here, once, so a wrong one
    stops the run with one line instead of a check that silently matches nothing."""
    if "retractions-max-age" in data:
        days = data["retractions-max-age"]
        try:
            days = validate_value("integer", days)
        except ValueError as exc:
            raise ConfigError(f"{where}retractions-max-age: {exc}") from None
        if days < 0:
            raise ConfigError(f"{where}retractions-max-age: expected 0 or more days, got {days}")
        cfg.raw["retractions-max-age"] = days
    value = data.get("retractions")
    if value in (None, ""):
        return
    if not isinstance(value, str):
        raise ConfigError(f"{where}retractions: expected a path to the Retraction Watch CSV, got {show_value(value)}")
    path = Path(value).expanduser()
    if not path.is_absolute() and Path(source).is_file():
        path = Path(source).parent / path
    try:
        cfg.use_retractions(path)
    except ConfigError as exc:
        raise ConfigError(f"{where}retractions: {exc}") from None


def _limits(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {show_value(value)}")
    keys = {k.name: k for k in limit_keys()}
    out: dict[str, Any] = {}
    for name, given in _normalised(value, f"{where}.", _snake).items():
        key = keys.get(name)
        if key is None:
            raise ConfigError(f"{where}: unknown key {name}{_closest(name, keys) or ' (known: ' + ', '.join(keys) + ')'}")
        try:
            number = validate_value(key.type, given)
        except ValueError as exc:
            raise ConfigError(f"{where}.{name}: {exc}") from None
        if number <= 0:
            raise ConfigError(f"{where}.{name}: expected a positive {key.type}, got {show_value(given)}")
        out[name] = number
    return out


# -- documentation -----------------------------------------------------------------------


def schema_text(cfg: Config | None = None) -> str:
    """``refcheck config``: every key with type, default and description; with ``cfg``
    (``--show``) also the value in effect and where it comes from."""
    rows = schema_rows()
    width = max(len(k.name) for k in rows)
    lines = []
    if cfg is not None:
        lines.append(f"# configuration: {cfg.source or 'none found (defaults)'}")
    for k in rows:
        lines.append(f"{k.name:<{width}}  {k.type}; default {show_value(k.default)}")
        if cfg is not None:
            value = _effective(cfg, k.name)
            if value is not None:
                lines.append(f"{'':<{width}}  = {show_value(value)}")
        lines.append(f"{'':<{width}}  {k.description.replace('`', '')}")
    return "\n".join(lines)


def _effective(cfg: Config, name: str) -> Any:
    """The configured value of a key, or None when the default applies."""
    if name.startswith("limits."):
        return cfg.limits.get(name.split(".", 1)[1])
    return cfg.raw.get(name)


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for k in schema_rows():
        default = show_value(k.default) if k.default is not None else "(none)"
        rows.append(f"| `{k.name}` | {k.type} | `{default}` | {k.description} |")
    return "\n".join(rows)
