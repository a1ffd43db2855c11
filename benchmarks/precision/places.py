"""Where a finding is, in words that survive a change of code: rule code plus place.

A label must keep matching its finding when a message is reworded, a block index
shifts or a sentence splitter moves a boundary by a word, so labels never store
messages, offsets or block numbers.  The place of a finding is:

- reference-level rules (RC101, RC103, RC104, RC105, RC201): the reference numbers;
- RC202: the reference numbers and the citing sentence;
- RC402 (a section or paragraph): the flagged heading or opening words;
- every other rule: the flagged words and their sentence.

Sentences are compared after normalisation (lower case, letters and digits only),
equal or one containing the other, so a sentence split one clause differently
still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

REFERENCE_LEVEL = frozenset({"RC101", "RC103", "RC104", "RC105", "RC201"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def norm(text: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def refs_key(numbers: Iterable[int | str]) -> str:
    """Reference numbers as the labels file writes them: sorted, comma-separated."""
    nums = sorted({int(n) for n in numbers if str(n).strip().isdigit()})
    return ",".join(str(n) for n in nums)


def same_sentence(a: str, b: str) -> bool:
    """Normalised sentences equal, or one inside the other (at least 40 characters)."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return a == b
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 40 and short in long_


@dataclass(frozen=True)
class Place:
    """One finding's (or one label's) identity for matching."""

    manuscript: str
    code: str
    refs: str
    flagged: str
    sentence: str

    def bucket(self) -> tuple[str, str, str]:
        """What must be equal for two places to be compared at all."""
        if self.code in REFERENCE_LEVEL or self.code == "RC202":
            return (self.manuscript, self.code, self.refs)
        return (self.manuscript, self.code, norm(self.flagged))

    def matches(self, other: Place) -> bool:
        if self.bucket() != other.bucket():
            return False
        if self.code in REFERENCE_LEVEL or self.code == "RC402":
            return True
        return same_sentence(self.sentence, other.sentence)


class LabelIndex:
    """Labels bucketed by :meth:`Place.bucket`, so matching a finding is a short scan."""

    def __init__(self, labels: Iterable[tuple[Place, dict[str, str]]]):
        self._buckets: dict[tuple[str, str, str], list[tuple[Place, dict[str, str]]]] = {}
        for place, row in labels:
            self._buckets.setdefault(place.bucket(), []).append((place, row))

    def find(self, place: Place) -> dict[str, str] | None:
        for candidate, row in self._buckets.get(place.bucket(), ()):
            if candidate.matches(place):
                return row
        return None

    def rows(self) -> Iterable[tuple[Place, dict[str, str]]]:
        for bucket in self._buckets.values():
            yield from bucket
