"""The citation keys of a pandoc manuscript's bibliography files.

Only the keys are read — enough to say that ``[@smyth2020]`` names no entry, the
commonest slip in a Markdown manuscript (pandoc renders it as "(smyth2020?)" and
warns once in a build log nobody reads).  BibTeX/BibLaTeX (``.bib``), CSL JSON
(``.json``) and CSL YAML (``.yaml``/``.yml``) are understood; the entries' fields are
not parsed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BIBLIOGRAPHY_MB = 32
# "@article{smith2020," — the entry type, then the key up to the first comma;
# @string, @preamble and @comment define no entry.
_BIBTEX_ENTRY = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,")
_NOT_ENTRIES = {"string", "preamble", "comment"}


@dataclass(frozen=True)
class Bibliography:
    """What the metadata block's ``bibliography`` names, as read."""

    files: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()
    unreadable: tuple[tuple[str, str], ...] = field(default=())  # (file, why)


def _csl_ids(data: Any) -> set[str]:
    items = data.get("references", []) if isinstance(data, dict) else data
    return {str(item["id"]) for item in items if isinstance(item, dict) and "id" in item} if isinstance(items, list) else set()


def _keys(path: Path) -> set[str]:
    text = path.read_text("utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _csl_ids(json.loads(text))
    if suffix in (".yaml", ".yml"):
        import yaml

        return _csl_ids(yaml.safe_load(text))
    return {m.group(2) for m in _BIBTEX_ENTRY.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES}


def read_bibliography(manuscript: str | Path, spec: Any) -> Bibliography | None:
    """The keys of the files ``spec`` names (a path or a list of paths, relative to the
    manuscript's folder); None when ``spec`` names none."""
    names = [spec] if isinstance(spec, str) else [s for s in spec if isinstance(s, str)] if isinstance(spec, list) else []
    if not names:
        return None
    keys: set[str] = set()
    unreadable: list[tuple[str, str]] = []
    for name in names:
        path = Path(manuscript).parent / name
        try:
            if path.stat().st_size > MAX_BIBLIOGRAPHY_MB * 1024 * 1024:
                unreadable.append((name, f"over {MAX_BIBLIOGRAPHY_MB} MB"))
                continue
            keys |= _keys(path)
        except FileNotFoundError:
            unreadable.append((name, "no such file"))
        except (OSError, ValueError) as exc:  # permissions, a directory, bad JSON/YAML
            unreadable.append((name, type(exc).__name__))
    return Bibliography(tuple(names), frozenset(keys), tuple(unreadable))
