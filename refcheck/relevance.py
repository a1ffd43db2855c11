"""Topical relevance scoring (placeholder until the relevance issue lands)."""

from __future__ import annotations

from typing import Any


class Scorer:  # noqa: D101 - interface documented when implemented
    pass


def get_scorer(config: dict[str, Any]) -> Any:
    return None
