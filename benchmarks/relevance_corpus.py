"""Real JATS articles as prepared manuscripts, for the relevance benchmark, tests and weights.

Uses refcheck's own JATS reader (refcheck.readers.jats) so that the benchmark
measures what users get.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from refcheck.analysis.prepare import prepare
from refcheck.model import BlockKind, Manuscript


@dataclass(frozen=True)
class Article:
    path: Path
    manuscript: Manuscript

    @property
    def full_text(self) -> str:
        """Title, abstract, body and reference titles: what the weights are counted over."""
        parts = [b.text for b in self.manuscript.blocks if b.kind is not BlockKind.REFERENCE]
        parts += [r.title or "" for r in self.manuscript.references]
        return "\n".join(parts)


@lru_cache(maxsize=64)
def load_article(path: Path) -> Article:
    from refcheck.readers.jats import read_jats

    return Article(Path(path), prepare(read_jats(str(path), {}), {}))
