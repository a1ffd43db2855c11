"""RC1xx: citation numbering — order, dangling citations, uncited and duplicate references."""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from typing import Any

from refcheck.model import BlockKind, Citation, Finding, Manuscript, Reference, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Rule

_FLOAT_LABEL = re.compile(r"^\s*(Table|Fig(?:ure)?s?\.?|Supplementary (?:Table|Figure))\s*(S?\d+)", re.I)
_FLOAT_MENTION = re.compile(r"\b(Tables?|Fig(?:ure)?s?\.?)\s*(S?\d+)", re.I)


def _float_key(kind: str, number: str) -> str:
    return ("table" if kind.lower().startswith("tab") else "figure") + number.upper()


def longest_increasing_subsequence(seq: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tails_idx.append(i)
        else:
            tails[k] = x
            tails_idx[k] = i
        prev[i] = tails_idx[k - 1] if k else -1
    keep: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def _caption_key(text: str) -> str | None:
    """"Table 2. Outcomes…" / "Figure 3: …" -> "table2" / "figure3"; a mention such as
    "Table 2 shows" is not a caption."""
    m = _FLOAT_LABEL.match(text)
    if not m or not re.match(r"\s*[.:|—–-]", text[m.end() :]):
        return None
    return _float_key(m.group(1), m.group(2))


def _float_positions(ms: Manuscript) -> tuple[dict[int, str], dict[str, tuple[int, int]]]:
    """Which blocks belong to a table or figure (block -> float key), and where each
    float is first mentioned in the running text (float key -> (block, offset)).

    A caption is a CAPTION block, or any block that starts "Table 2." / "Figure 3:";
    table cells belong to the caption right before them, else to the one right after.
    """
    block_float: dict[int, str] = {}
    cells: list[int] = []
    last_key: str | None = None
    for b in ms.blocks:
        key = _caption_key(b.text) if b.kind in (BlockKind.CAPTION, BlockKind.PARAGRAPH, BlockKind.TABLE_CELL) else None
        if key and not (b.kind is BlockKind.TABLE_CELL and cells):
            block_float[b.index] = key
            for i in cells:
                block_float[i] = key
            cells, last_key = [], key
        elif b.kind is BlockKind.TABLE_CELL:
            if last_key and last_key.startswith("table"):
                block_float[b.index] = last_key
            else:
                cells.append(b.index)
        else:
            cells, last_key = [], None
    mentions: dict[str, tuple[int, int]] = {}
    for b in ms.blocks:
        if b.kind not in (BlockKind.PARAGRAPH, BlockKind.ABSTRACT) or b.index in block_float:
            continue
        for m in _FLOAT_MENTION.finditer(b.text):
            mentions.setdefault(_float_key(m.group(1), m.group(2)), (b.index, m.start()))
    return block_float, mentions


class CitationOutOfOrder(Rule):
    """References are not numbered in the order they are first cited.

    What it flags:
        In a numeric document, the smallest set of first citations that break the
        sequence 1, 2, 3, … (the complement of a longest increasing subsequence of
        first citations), at the place of that first citation.  A reference first
        cited in a table or figure legend is in sequence if it fits either where the
        float is first mentioned in the text (ICMJE) or where the float sits.

    Why it matters:
        Vancouver, AMA, IEEE and the ICMJE recommendations number references
        consecutively in order of first citation.  An out-of-sequence number is the
        trace of an edit that moved or added text without renumbering, and often of
        a reference that no longer belongs where it is cited.

    Example:
        "… improves survival [16]. … reduces apoptosis [17]. … in monkeys [13]."
        [13] is first cited after [17]; in order of first citation it would be [17].

    How to fix:
        Renumber the references in order of first citation (``refcheck fix
        --renumber`` does it for you), or check that the citation is the one meant.
    """

    code = "RC101"
    name = "citation-out-of-order"
    default_severity = Severity.WARNING

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        if ms.citation_style not in ("numeric", "mixed"):
            return
        citations = [c for c in ms.citations if c.style == "numeric" and c.numbers and not c.malformed]
        if not citations:
            return
        block_float, mentions = _float_positions(ms)
        variants = []
        for use_mention in (True, False):
            first: dict[int, tuple[tuple[int, int], Citation]] = {}
            for c in citations:
                pos = (c.block, c.start)
                key = block_float.get(c.block)
                if key and use_mention and key in mentions:
                    pos = mentions[key]
                for n in c.numbers:
                    if n not in first or pos < first[n][0]:
                        first[n] = (pos, c)
            order = sorted(first, key=lambda n: (first[n][0], n))
            keep = longest_increasing_subsequence(order)
            flagged = {order[i] for i in range(len(order)) if i not in keep}
            variants.append((flagged, first, order))
        (f_a, first_a, order_a), (f_b, _, _) = variants
        if len(f_b) < len(f_a):
            (f_a, first_a, order_a), (f_b, _, _) = variants[1], variants[0]
        flagged = {n for n in f_a if block_float.get(first_a[n][1].block) is None or n in f_b}
        by_citation: dict[Citation, list[int]] = {}
        for n in sorted(flagged):
            by_citation.setdefault(first_a[n][1], []).append(n)
        for cit, numbers in sorted(by_citation.items(), key=lambda kv: (kv[0].block, kv[0].start)):
            parts = []
            for n in numbers:
                rank = order_a.index(n) + 1
                earlier = [m for m in order_a[: order_a.index(n)]]
                highest = max(earlier, default=0)
                parts.append(
                    f"reference {n} is first cited here, after reference {highest} was already cited; "
                    f"numbered in order of first citation it would be {rank}"
                )
            yield self.finding(
                ms, cit.block, cit.start, cit.end,
                "; ".join(parts).capitalize() + ".",
                references=numbers,
                suggestion="Renumber the references in order of first citation (refcheck fix --renumber).",
                data={"expected": {str(n): order_a.index(n) + 1 for n in numbers}},
            )


class CitationWithoutReference(Rule):
    """A citation points to a reference the list (or the bibliography file) does not have.

    What it flags:
        Each numeric citation naming a number with no entry in the reference list;
        when the manuscript cites by number but has no reference list at all, the
        first citation, once.  In a Markdown manuscript whose metadata block names a
        ``bibliography`` (.bib, CSL JSON or CSL YAML), each pandoc citation key
        (``[@smyth2020]``) that no entry has — with the closest key as a hint — and a
        bibliography file that cannot be read.

    Why it matters:
        A reader cannot follow the claim to its source, and a dangling number is the
        commonest trace of a reference deleted while its citations stayed.

    Example:
        "… as shown before [33]." in a manuscript whose list ends at [32].

    How to fix:
        Add the missing entry, or correct the number to the reference meant.
    """

    code = "RC102"
    name = "citation-without-reference"
    default_severity = Severity.ERROR

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        yield from self._keys(ms)
        numeric = [c for c in ms.citations if c.style == "numeric" and c.numbers]
        if not numeric:
            return
        known = {r.number for r in ms.references if r.number is not None}
        if not known:
            c = numeric[0]
            yield self.finding(ms, c.block, c.start, c.end,
                               f"The manuscript cites by number ({len(numeric)} citations) but no numbered reference list was found.",
                               suggestion="Add a reference list under a 'References' heading.")
            return
        for c in numeric:
            missing = [n for n in c.numbers if n not in known]
            if missing:
                yield self.finding(
                    ms, c.block, c.start, c.end,
                    f"Cited reference{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
                    f"{'are' if len(missing) > 1 else 'is'} not in the reference list (it has {len(known)} entries, up to {max(known)}).",
                    references=missing,
                    suggestion="Add the missing entry or correct the citation number.",
                )


    def _keys(self, ms: Manuscript) -> Iterator[Finding]:
        """pandoc citation keys against the bibliography the metadata block names."""
        bib = ms.metadata.get("bibliography")
        keyed = [c for c in ms.citations if c.style == "key"]
        if bib is None or not keyed:
            return
        first = keyed[0]
        for name, why in bib.unreadable:
            yield self.finding(ms, first.block, first.start, first.end,
                               f"The bibliography '{name}' named in the metadata block cannot be read ({why}), "
                               "so citation keys cannot be checked against it.",
                               suggestion="Correct the bibliography path in the metadata block.",
                               data={"bibliography": name})
        if bib.unreadable and not bib.keys:
            return
        for c in keyed:
            missing = [k for k in dict.fromkeys(c.authors_year) if k not in bib.keys]
            if not missing:
                continue
            hints = [h for k in missing for h in difflib.get_close_matches(k, bib.keys, n=1, cutoff=0.75)]
            yield self.finding(
                ms, c.block, c.start, c.end,
                f"Citation key{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} not in the bibliography ({', '.join(bib.files)}, "
                f"{len(bib.keys)} entries)" + (f"; closest: {', '.join(hints)}." if hints else "."),
                suggestion=(f"Did you mean {', '.join('@' + h for h in hints)}? " if hints else "")
                + "Correct the key or add the entry to the bibliography.",
                data={"keys": missing, "closest": hints},
            )


def _first_author_surname(ref: Reference) -> str | None:
    if not ref.authors:
        return None
    first = ref.authors[0]
    words = [w for w in re.split(r"[\s,]+", first) if len(w.rstrip(".")) > 1 and not w.isupper()]
    return (words[0] if words else first.split()[0]).lower() if first.split() else None


class ReferenceNeverCited(Rule):
    """A reference-list entry that no citation in the text points to.

    What it flags:
        Numeric documents: each entry whose number is never cited.  Author–year
        documents: each entry whose first author and year appear in no citation.

    Why it matters:
        Uncited entries pad a bibliography; in a review they often mean a source was
        added without being used, or a citation was lost in editing.

    Example:
        Entry [14] in a list of 20 when no citation names 14 or a range containing it.

    How to fix:
        Cite the entry where it supports a statement, or remove it.
    """

    code = "RC103"
    name = "reference-never-cited"
    default_severity = Severity.WARNING

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        if ms.citation_style == "author-year":
            cited_text = " ".join(" ".join(c.authors_year) for c in ms.citations).lower()
            for ref in ms.references:
                name = _first_author_surname(ref)
                if name and ref.year and not (name in cited_text and str(ref.year) in cited_text):
                    yield self._on_entry(ms, ref, f"Reference '{(ref.title or ref.text)[:80]}' ({name.title()} {ref.year}) is never cited in the text.")
            return
        cited = {n for c in ms.citations for n in c.numbers}
        if not cited:
            return
        for ref in ms.references:
            if ref.number is not None and ref.number not in cited:
                yield self._on_entry(ms, ref, f"Reference {ref.number} is never cited in the text.")

    def _on_entry(self, ms: Manuscript, ref: Reference, message: str) -> Finding:
        text = ms.blocks[ref.block].text
        start = len(text) - len(text.lstrip())
        return self.finding(ms, ref.block, start, len(text.rstrip()), message,
                            references=[ref.number] if ref.number else [],
                            suggestion="Cite it where it supports a statement, or remove it from the list.")


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


class DuplicateReference(Rule):
    """The same work appears twice in the reference list.

    What it flags:
        Two entries with the same DOI or PMID, or with near-identical titles
        (similarity ≥ 0.92 after normalising case and punctuation), the same year and
        the same first author (a blog post that borrows a paper's title is another work).
        The later entry is flagged and names the earlier one.

    Why it matters:
        Duplicates inflate the apparent evidence base and split citations of one
        source across two numbers.

    Example:
        [4] and [19] both carry doi:10.1016/j.retram.2022.103365.

    How to fix:
        Keep one entry, point all citations at it, and renumber.
    """

    code = "RC104"
    name = "duplicate-reference"
    default_severity = Severity.WARNING
    options = {"title_similarity": 0.92}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        threshold = float(options.get("title_similarity", 0.92))
        seen_doi: dict[str, Reference] = {}
        seen_pmid: dict[str, Reference] = {}
        by_prefix: dict[str, list[tuple[str, Reference]]] = {}
        for ref in ms.references:
            earlier, why = None, ""
            if ref.doi and ref.doi.lower() in seen_doi:
                earlier, why = seen_doi[ref.doi.lower()], f"the same DOI ({ref.doi})"
            elif ref.pmid and ref.pmid in seen_pmid:
                earlier, why = seen_pmid[ref.pmid], f"the same PMID ({ref.pmid})"
            elif ref.title and len(ref.title) > 15:
                norm = _norm_title(ref.title)
                for other_norm, other in by_prefix.get(norm[:12], []):
                    if (
                        other.year == ref.year
                        and _first_author_surname(other) == _first_author_surname(ref)
                        and SequenceMatcher(None, norm, other_norm).ratio() >= threshold
                    ):
                        earlier, why = other, "a near-identical title and the same year"
                        break
                by_prefix.setdefault(norm[:12], []).append((norm, ref))
            if ref.doi:
                seen_doi.setdefault(ref.doi.lower(), ref)
            if ref.pmid:
                seen_pmid.setdefault(ref.pmid, ref)
            if earlier is not None:
                text = ms.blocks[ref.block].text
                label = f"Reference {ref.number}" if ref.number else "This reference"
                other = f"reference {earlier.number}" if earlier.number else "an earlier entry"
                yield self.finding(
                    ms, ref.block, len(text) - len(text.lstrip()), len(text.rstrip()),
                    f"{label} duplicates {other}: {why}.",
                    references=[n for n in (earlier.number, ref.number) if n],
                    suggestion=f"Keep one entry, cite {other} instead, and renumber.",
                )


class ReferenceNumbering(Rule):
    """The reference list's own numbers skip, repeat or run out of order.

    What it flags:
        Each entry whose number is not the previous entry's number plus one: a gap
        (… 7, 9 …), a repeat (… 7, 7 …) or a step back (… 9, 8 …).

    Why it matters:
        Citations point at numbers; a list that is not 1, 2, 3 … makes some of them
        ambiguous or dangling, and usually means entries were added or deleted by hand.

    Example:
        A list running [1] … [12], [14], [15] — entry 13 is missing.

    How to fix:
        Number the list consecutively (let the word processor auto-number it) and
        check the citations that pointed at the old numbers.
    """

    code = "RC105"
    name = "reference-numbering"
    default_severity = Severity.ERROR

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        numbered = [r for r in ms.references if r.number is not None]
        if len(numbered) < 2:
            return
        seen: set[int] = set()
        prev: int | None = None
        for ref in numbered:
            n = ref.number
            problem = None
            if n in seen:
                problem = f"number {n} is used twice in the reference list"
            elif prev is None and n != 1:
                problem = f"the list starts at {n}, not 1"
            elif prev is not None and n < prev:
                problem = f"number {n} comes after {prev}: the list runs out of order"
            elif prev is not None and n > prev + 1:
                gap = f"{prev + 1}" if n == prev + 2 else f"{prev + 1}–{n - 1}"
                problem = f"the list jumps from {prev} to {n}; {gap} {'is' if n == prev + 2 else 'are'} missing"
            seen.add(n)
            prev = n if prev is None or n > prev else prev
            if problem:
                text = ms.blocks[ref.block].text
                start, end = ref.label_span or (len(text) - len(text.lstrip()), len(text.rstrip()))
                yield self.finding(ms, ref.block, start, end, f"Reference numbering: {problem}.",
                                   references=[n], suggestion="Number the reference list consecutively from 1.")


class MalformedCitation(Rule):
    """A citation that cannot be read as intended.

    What it flags:
        A reversed range ("[5–3]"), an implausibly long range, an empty citation
        ("[]"), and a manuscript that mixes numeric and author–year citations (flagged
        once, on the first citation of the less used style).

    Why it matters:
        Readers and reference managers cannot resolve these, and a style mix means
        part of the manuscript was written against a different bibliography.

    Example:
        "… as reported previously [5–3]."

    How to fix:
        Write ranges low to high, fill or remove empty brackets, and use one citation
        style throughout.
    """

    code = "RC106"
    name = "malformed-citation"
    default_severity = Severity.WARNING

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        for c in ms.citations:
            if c.malformed:
                yield self.finding(ms, c.block, c.start, c.end, f"Malformed citation: {c.malformed}.",
                                   references=c.numbers,
                                   suggestion="Write ranges from low to high and remove empty citations.")
        if ms.citation_style == "mixed":
            numeric = [c for c in ms.citations if c.style == "numeric"]
            author_year = [c for c in ms.citations if c.style == "author-year"]
            minority = min((numeric, author_year), key=len)
            c = minority[0]
            yield self.finding(
                ms, c.block, c.start, c.end,
                f"Citation styles are mixed: {len(numeric)} numeric and {len(author_year)} author–year citations.",
                suggestion="Use one citation style throughout the manuscript.",
                data={"numeric": len(numeric), "author_year": len(author_year)},
            )


RULES: tuple[type[Rule], ...] = (
    CitationOutOfOrder,
    CitationWithoutReference,
    ReferenceNeverCited,
    DuplicateReference,
    ReferenceNumbering,
    MalformedCitation,
)


@hookimpl
def refcheck_get_rules() -> Iterable[type[Rule]]:
    return list(RULES)
