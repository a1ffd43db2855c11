"""RC504/RC505: references checked against Crossref, only when the user asks.

With ``verify-online`` off (the default) these rules return at once and nothing is
sent anywhere.  With it on, every reference is looked up once per manuscript
(:mod:`refcheck.online`; both rules share the answers) and

* RC504 names a reference no Crossref record matches — its DOI is unknown to
  Crossref and no work carries its title, or, without a DOI, no work matches its
  title, first author and year: what a fabricated reference looks like;
* RC505 names a reference whose DOI resolves to a different work (another title,
  first author or year).

Both say what Crossref holds, so an editor can judge in one look.  A reference the
run could not look up (network down, rate limited) gets no finding, and the run says
so once; the other rules are untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from refcheck.model import Finding, Manuscript, Reference, Severity
from refcheck.online import (
    SAME_TITLE,
    Session,
    compare,
    record_authors,
    record_title,
    record_year,
    session,
    session_notice,
    title_similarity,
    verifiable,
)
from refcheck.plugins import hookimpl
from refcheck.retractions import normalise_doi
from refcheck.rule import Rule

#: DOI prefixes registered with DataCite, not Crossref (arXiv, Zenodo, figshare, Dryad,
#: OSF, PANGAEA): Crossref not knowing them says nothing.
DATACITE_PREFIXES = ("10.48550/", "10.5281/", "10.6084/", "10.5061/", "10.17605/", "10.1594/")


@dataclass
class Verdict:
    kind: str  # "ok", "unverifiable", "mismatch", "skipped", "not-checked"
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _holds(record: dict[str, Any]) -> str:
    """What Crossref holds, in a few words: “Title” (Surname, 2012), doi:…"""
    title = record_title(record) or "(no title)"
    authors = record_authors(record)
    year = record_year(record)
    who = ", ".join(x for x in (authors[0] if authors else "", str(year) if year else "") if x)
    return f"“{title[:120]}”" + (f" ({who})" if who else "") + (f", doi:{record.get('DOI')}" if record.get("DOI") else "")


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _matches(ref: Reference, record: dict[str, Any]) -> bool:
    c = compare(ref, record)
    return (bool(ref.title) and title_similarity(ref.title or "", c.record_title) >= SAME_TITLE
            and c.author_ok is not False and c.year_ok is not False)


def _search(ref: Reference, s: Session) -> tuple[str, list[dict[str, Any]]]:
    answer = s.search(ref)
    return answer.status, answer.items


def verify(ref: Reference, s: Session) -> Verdict:
    """One reference against Crossref, through the run's session ``s``."""
    if not verifiable(ref):
        return Verdict("not-checked")
    doi = normalise_doi(ref.doi)
    if doi:
        answer = s.work(doi)
        if answer.status == "skipped":
            return Verdict("skipped")
        if answer.status == "found":
            record = answer.items[0]
            c = compare(ref, record)
            wrong = [m for m in c.mismatches if m != "title" or ref.confidence >= 0.9]
            if wrong:
                return Verdict("mismatch", f"doi:{doi} is registered to {_holds(record)}: another {_listed(wrong)}",
                               {"doi": doi, "mismatched": wrong, "registry_title": c.record_title,
                                "registry_first_author": c.record_author, "registry_year": c.record_year})
            return Verdict("ok")
        if doi.startswith(DATACITE_PREFIXES):
            return Verdict("not-checked")
        if not (ref.title and ref.year and ref.confidence >= 0.9):
            return Verdict("unverifiable", f"Crossref has no record of doi:{doi}", {"doi": doi})
        status, items = _search(ref, s)
        if status == "skipped":
            return Verdict("skipped")
        if any(_matches(ref, r) for r in items):
            return Verdict("ok")
        return Verdict("unverifiable", f"Crossref has no record of doi:{doi}, nor of a work with this title, "
                                       "first author and year", {"doi": doi})
    status, items = _search(ref, s)
    if status == "skipped":
        return Verdict("skipped")
    if any(_matches(ref, r) for r in items):
        return Verdict("ok")
    closest = max(items, key=lambda r: title_similarity(ref.title or "", record_title(r)), default=None)
    said = f"; the closest is {_holds(closest)}" if closest else ""
    return Verdict("unverifiable", f"no Crossref record matches its title, first author and year{said}",
                   {"closest_doi": closest.get("DOI") if closest else None})


def verdicts(ms: Manuscript) -> dict[int, Verdict]:
    """Every reference's verdict, looked up once per manuscript (both rules read it)."""
    cached = ms.cache.online.get("verdicts")
    if cached is not None:
        return cached
    s = session(ms.metadata.get("mailto") or None)
    out = {i: verify(ref, s) for i, ref in enumerate(ms.references)}
    ms.cache.online["verdicts"] = out
    note = session_notice(s)
    if note:
        ms.metadata.setdefault("online_notices", []).append(note)
    return out


class _OnlineRule(Rule):
    kind = ""
    headline = ""
    advice = ""

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        if not ms.metadata.get("verify_online"):
            return
        for i, verdict in verdicts(ms).items():
            if verdict.kind != self.kind:
                continue
            ref = ms.references[i]
            text = ms.blocks[ref.block].text
            start, end = len(text) - len(text.lstrip()), len(text.rstrip())
            yield self.finding(ms, ref.block, start, end, f"{self.headline}: {verdict.detail}.",
                               references=[ref.number] if ref.number else [], suggestion=self.advice,
                               data={**verdict.data, "source": "Crossref"})


class UnverifiableReference(_OnlineRule):
    """A reference no Crossref record matches (only with `verify-online`).

    What it flags:
        With ``--verify-online`` (or ``verify-online = true``): a reference whose DOI
        Crossref does not know and whose title no Crossref work carries, or, without a
        DOI, whose title, first author and year match none of the works Crossref finds
        for them.  DataCite DOIs (arXiv, Zenodo, figshare, Dryad) and entries without
        a confident title and year are not judged.

    Why it matters:
        Fabricated references — typically from text generators — have real-looking
        authors, titles and journals but exist nowhere; they are rising fast in
        submitted manuscripts.  A reference no registry knows must be checked by hand.

    Example:
        "Boettiger C, Hastings A. Stochastic resonance drives collapse of managed
        salmon fisheries. Ecol Lett. 2021." when Crossref's closest work by Boettiger
        is “The forecast trap” (2022).

    How to fix:
        Find the work and correct the reference (title, authors, year, DOI), or remove
        it; books, reports and old papers outside Crossref may be sound — say where
        the work can be found.
    """

    code = "RC504"
    name = "unverifiable-reference"
    default_severity = Severity.WARNING
    kind = "unverifiable"
    headline = "Reference not found in Crossref"
    advice = "Find the work and correct the entry, or remove it; give a URL for works outside Crossref."


class ReferenceMetadataMismatch(_OnlineRule):
    """A reference whose DOI belongs to another work (only with `verify-online`).

    What it flags:
        With ``--verify-online``: a reference whose DOI Crossref registers to a work
        with a different title, first author or year (more than a year apart).

    Why it matters:
        A wrong DOI sends every reader to the wrong paper; a DOI pasted onto a made-up
        entry is also how fabricated references borrow credibility.

    Example:
        "Smith J. Deep learning of coastal erosion. 2020. doi:10.1371/journal.pone.0033693"
        — that DOI is “Methylphenidate Exposure Induces Dopamine Neuron Loss …”
        (Sadasivan, 2012).

    How to fix:
        Correct the DOI, or the entry, so that both name the same work.
    """

    code = "RC505"
    name = "reference-metadata-mismatch"
    default_severity = Severity.WARNING
    kind = "mismatch"
    headline = "DOI names another work"
    advice = "Correct the DOI or the entry so that both name the same work."


RULES: tuple[type[Rule], ...] = (UnverifiableReference, ReferenceMetadataMismatch)


@hookimpl
def refcheck_get_rules() -> Iterable[type[Rule]]:
    return list(RULES)
