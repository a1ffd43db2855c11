"""Configuration: ``[tool.refcheck]`` in ``pyproject.toml`` or a ``refcheck.toml``.

The file is found by walking up from the checked manuscript, like ruff and black do,
so a journal can keep one configuration at the top of its submissions folder.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from refcheck.model import Severity


class ConfigError(Exception):
    """A configuration file or option that cannot be used (exit code 2)."""


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

    def enabled(self, code: str) -> bool:
        """``select``/``ignore`` take codes or prefixes ("RC1"); the longer match wins."""
        sel = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ign = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if self.select and sel < 0:
            return False
        return ign <= sel if ign >= 0 else True

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
        return {**self.raw, "limits": self.limits, "spacy_model": self.spacy_model}

    def fingerprint(self) -> str:
        """Stable hash of everything that can change findings (for batch re-runs)."""
        payload = json.dumps(
            {
                "select": self.select,
                "ignore": self.ignore,
                "severity": {k: v.value for k, v in self.severity.items()},
                "options": self.options,
                "raw": self.raw,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def find_config_file(start: Path) -> Path | None:
    """Nearest ``refcheck.toml`` or ``pyproject.toml`` with a ``[tool.refcheck]`` table."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / "refcheck.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if "refcheck" in tomllib.loads(candidate.read_text("utf-8")).get("tool", {}):
                    return candidate
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
    return None


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f"{where}: severity must be info, warning or error, not {value!r}") from None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the config at ``path``, or the one found upward from ``start``, or defaults."""
    if path is None and start is not None:
        path = find_config_file(start.resolve())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    table = data.get("tool", {}).get("refcheck", {}) if path.name == "pyproject.toml" else data
    return config_from_table(table, str(path))


def config_from_table(table: dict[str, Any], source: str = "<config>") -> Config:
    def codes(key: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return [str(v).upper() for v in value]

    cfg = Config(
        select=codes("select"),
        ignore=codes("ignore"),
        options={k.upper() if k[:2].lower() == "rc" else k: dict(v) for k, v in table.get("options", {}).items()},
        spacy_model=table.get("spacy-model") or table.get("spacy_model"),
        limits=dict(table.get("limits", {})),
        raw=table,
        source=source,
    )
    if "fail-on" in table:
        cfg.fail_on = _severity(table["fail-on"], f"{source}: fail-on")
    for code, sev in table.get("severity", {}).items():
        cfg.severity[code.upper() if code[:2].lower() == "rc" else code] = _severity(sev, f"{source}: severity.{code}")
    return cfg
