"""Word lists as data, each file naming its published source in its header.

Loaded once per process (``lru_cache``); rules combine them with the user's
``add``/``remove`` options through :func:`effective`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Data rows of ``name`` (comments, blank lines and a ``word…`` header dropped)."""
    out: list[tuple[str, ...]] = []
    for line in (LEXICON_DIR / name).read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = tuple(c.strip() for c in line.split("\t"))
        if not out and cells[0].lower() == "word" and len(cells) > 1:
            continue  # TSV header
        out.append(cells)
    return tuple(out)


@cache
def words(name: str, column: int = 0, where: tuple[int, str] | None = None) -> frozenset[str]:
    """Lower-case entries of one column; ``where=(col, value)`` keeps matching rows only."""
    return frozenset(
        r[column].lower() for r in rows(name)
        if len(r) > column and (where is None or (len(r) > where[0] and r[where[0]] == where[1]))
    )


def effective(base: Iterable[str], options: dict) -> frozenset[str]:
    """``base`` with the user's ``add`` words added and ``remove`` words taken out."""
    def listed(key: str) -> set[str]:
        value = options.get(key) or []
        if isinstance(value, str):
            value = [value]
        return {str(v).strip().lower() for v in value if str(v).strip()}

    return frozenset((set(base) | listed("add")) - listed("remove"))
