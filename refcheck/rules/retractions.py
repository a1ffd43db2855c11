"""RC5xx: references the Retraction Watch database has a notice about.

The rules read the database a user gives (``retractions = "path"`` or
``refcheck check --retractions FILE``) through the on-disk index of
:mod:`refcheck.retractions`; with no file configured they find nothing, so a run
without one is exactly what it was before this family existed, and nothing is ever
downloaded.  Each cited paper gets at most one finding, from the strongest of its
notices: a retraction that was not later reversed (RC501, error), else an
expression of concern (RC502, warning), else a correction or a reversed retraction
(RC503, info).  The finding sits on the reference-list entry and names the notice
(nature, date, DOI) and how the paper was recognised, so an editor can check it in
one click; a title match is made only under the strict conditions of
:meth:`refcheck.retractions.RetractionIndex.title_matches`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from refcheck.model import Finding, Manuscript, Reference, Severity
from refcheck.plugins import hookimpl
from refcheck.retractions import (
    CONCERN,
    CORRECTION,
    REINSTATEMENT,
    RETRACTION,
    Match,
    Notice,
    index_for,
    strongest,
)
from refcheck.rule import Family, Option, Rule

#: The manuscript metadata key the prepare stage fills from the ``retractions`` setting.
METADATA_KEY = "retractions"

_OPTIONS: dict[str, Any] = {
    "match_titles": Option(True, "also recognise a reference with no DOI or PMID in the database by its exact "
                                 "title, year and first author"),
    "min_title_confidence": Option(0.9, "how sure the reader must be of a reference's title (Reference.confidence) "
                                        "before it is matched by title"),
}


def notice_text(n: Notice) -> str:
    """``Retraction dated 2010-02-06, notice doi:10.1016/…`` — what an editor looks up."""
    when = f" dated {n.date}" if n.date else " (undated)"
    if n.notice_doi:
        where = f"notice doi:{n.notice_doi}"
    elif n.notice_pmid:
        where = f"notice PMID {n.notice_pmid}"
    else:
        where = f"Retraction Watch record {n.record_id}" if n.record_id else "no notice identifier"
    return f"{n.nature}{when}, {where}"


def newest_reference_year(ms: Manuscript) -> int | None:
    """The manuscript was written no earlier than its newest reference: the year a
    notice is compared with to say whether it was public when the work was cited."""
    return max((r.year for r in ms.references if r.year), default=None)


def timing(n: Notice, cited_by: int | None) -> tuple[str, bool | None]:
    """Whether the notice predates the citing manuscript, in words and as a flag."""
    if not n.year or not cited_by:
        return "", None
    if n.year < cited_by:
        return (f" It predates this manuscript (whose newest reference is from {cited_by}), "
                "so it was public when the work was cited."), True
    return (f" It is from {n.year}; this manuscript's newest reference is from {cited_by}, "
            "so it may postdate the citation."), False


def entry_span(ms: Manuscript, ref: Reference) -> tuple[int, int]:
    text = ms.blocks[ref.block].text
    return len(text) - len(text.lstrip()), len(text.rstrip())


class _NoticeRule(Rule):
    """Shared by RC501–RC503: each looks every reference up (a few indexed queries,
    milliseconds) and keeps the papers whose strongest notice is of its kind, so the
    three never report one paper twice and can be selected or ignored apart."""

    kinds: ClassVar[tuple[str, ...]] = ()
    options = _OPTIONS
    headline: ClassVar[str] = ""
    advice: ClassVar[str] = ""

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        path = ms.metadata.get(METADATA_KEY)
        if not path:
            return
        index = index_for(path)
        cited_by = newest_reference_year(ms)
        for ref in ms.references:
            match = index.match(ref, by_title=bool(options["match_titles"]),
                                min_confidence=float(options["min_title_confidence"]))
            if match is None:
                continue
            verdict = strongest(match.notices)
            if verdict is None or not self.reports(verdict[0]):
                continue
            yield self._finding(ms, ref, match, *verdict, cited_by)

    def reports(self, kind: str) -> bool:
        return kind in self.kinds

    def _finding(self, ms: Manuscript, ref: Reference, match: Match, kind: str, notice: Notice,
                 notices: list[Notice], cited_by: int | None) -> Finding:
        when, predates = timing(notice, cited_by)
        others = [n for n in notices if n is not notice]
        also = f" Also recorded: {'; '.join(notice_text(n) for n in others)}." if others else ""
        if kind == REINSTATEMENT:
            headline = "Retracted, then reinstated reference"
        else:
            headline = self.headline if kind in self.kinds else f"Reference with a notice ({notice.nature})"
        message = f"{headline} (matched by {match.matched_by}): {notice_text(notice)}, in Retraction Watch.{when}{also}"
        start, end = entry_span(ms, ref)
        data = {
            "nature": notice.nature, "date": notice.date, "notice_doi": notice.notice_doi,
            "notice_pmid": notice.notice_pmid, "record_id": notice.record_id, "matched_by": match.matched_by,
            "original_doi": notice.original_doi, "original_pmid": notice.original_pmid,
            "reason": notice.reason, "predates_manuscript": predates,
            "notices": [{"nature": n.nature, "date": n.date, "notice_doi": n.notice_doi} for n in notices],
        }
        if match.matched_by != "title":
            data["evidence"] = "strong"  # an identifier match (refcheck.confidence reads this)
        return self.finding(ms, ref.block, start, end, message, references=[ref.number] if ref.number else [],
                            suggestion=self.advice, data=data)


class RetractedReference(_NoticeRule):
    """A cited paper has been retracted.

    What it flags:
        A reference-list entry whose DOI, PubMed ID, or exact title, year and first
        author match an original paper the Retraction Watch database (the file given
        by ``retractions`` or ``--retractions``) records as retracted, unless a later
        notice reinstated it.  With no file configured the rule checks nothing.

    Why it matters:
        A retracted paper no longer supports anything; citing it as evidence is a
        recurring cause of corrections.  The message names the notice and whether it
        predates the manuscript, so the editor can tell an oversight from a citation
        made before the retraction.

    Example:
        "Wakefield AJ, et al. Ileal-lymphoid-nodular hyperplasia, non-specific colitis,
        and pervasive developmental disorder in children. Lancet. 1998;351:637-41.
        doi:10.1016/S0140-6736(97)11096-0" — retracted on 2010-02-06 (notice
        doi:10.1016/s0140-6736(10)60175-4).

    How to fix:
        Remove the reference and the claims that rest on it, or — when the retraction
        itself is the subject — say so in the text and cite the retraction notice.
    """

    code = "RC501"
    name = "retracted-reference"
    default_severity = Severity.ERROR
    kinds = (RETRACTION,)
    headline = "Retracted reference"
    advice = ("Remove it and the claims resting on it, or, if the retraction is the point, say so and cite "
              "the retraction notice.")


class ReferenceWithConcern(_NoticeRule):
    """A cited paper carries an editorial expression of concern.

    What it flags:
        A reference-list entry matched (as for RC501) to a paper the Retraction Watch
        database records an expression of concern about, and no retraction.

    Why it matters:
        An expression of concern says the journal doubts the paper's reliability while
        it investigates; such papers are often retracted later.  Relying on one
        unremarked leaves the manuscript exposed.

    Example:
        A reference whose DOI is that of a paper with an "Expression of concern"
        notice in the database.

    How to fix:
        Replace it with sound evidence where you can; otherwise mention the expression
        of concern where the paper is cited.
    """

    code = "RC502"
    name = "reference-with-concern"
    default_severity = Severity.WARNING
    kinds = (CONCERN,)
    headline = "Reference under an expression of concern"
    advice = "Replace it with sound evidence, or mention the expression of concern where it is cited."


class CorrectedReference(_NoticeRule):
    """A cited paper has been corrected (or was retracted and then reinstated).

    What it flags:
        A reference-list entry matched (as for RC501) to a paper whose only notices in
        the Retraction Watch database are corrections, or whose retraction a later
        notice reversed.

    Why it matters:
        A correction may change the very result cited; the editor and author should
        know it exists, though most corrections leave a citation standing.

    Example:
        A reference whose PubMed ID is that of a paper with a "Correction" notice.

    How to fix:
        Check that the corrected paper still says what the manuscript cites it for,
        and cite the corrected version where it matters.
    """

    code = "RC503"
    name = "corrected-reference"
    default_severity = Severity.INFO
    kinds = (CORRECTION, REINSTATEMENT)
    headline = "Corrected reference"
    advice = "Check that the corrected paper still supports the statement it is cited for."

    def reports(self, kind: str) -> bool:
        """Corrections, reinstatements and any nature the database may add later: a
        notice refcheck cannot grade is still shown, at the lowest severity."""
        return kind not in (RETRACTION, CONCERN)


RULES: tuple[type[Rule], ...] = (RetractedReference, ReferenceWithConcern, CorrectedReference)


@hookimpl
def refcheck_get_rules() -> Iterable[type[Rule]]:
    return list(RULES)


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC5", "retractions and verification", "#117864")]
