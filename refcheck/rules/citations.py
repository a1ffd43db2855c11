"""RC1xx: citation numbering — order, dangling citations, uncited and duplicate references."""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from typing import Any

from refcheck.analysis.citations import compress_numbers
from refcheck.model import Block, BlockKind, Citation, Finding, Manuscript, Reference, Severity
from refcheck.plugins import hookimpl
from refcheck.rule import Family, Rule

_FLOAT_LABEL = re.compile(
    r"^\s*(Supplementary\s+(?:Table|Fig(?:ure)?\.?)|Table|Fig(?:ure)?s?\.?|Box|Panel)\s*(S?\d+)", re.I)
FLOAT_MENTION = re.compile(r"\b(Tables?|Fig(?:ure)?s?\.?|Box(?:es)?|Panel)\s*(S?\d+)", re.I)
# A box, panel or glossary set as its own section ("Box 1: Conceptual issues",
# "Glossary"): a float like a figure, wherever the file happens to put it.
_BOX_HEADING = re.compile(r"^\s*(?:(Box|Panel|Sidebar)\s*(S?\d+)\b|Glossary\b)", re.I)


def float_key(kind: str, number: str) -> str:
    k = kind.lower()
    base = "table" if "tab" in k else "box" if k.startswith(("box", "panel", "sidebar")) else "figure"
    return base + number.upper()


def _float_name(key: str) -> str:
    """"figure2" -> "the Figure 2 legend"; "table1" -> "Table 1"; "box1" -> "Box 1"."""
    m = re.fullmatch(r"(figure|table|box)(S?\d+)", key)
    if not m:
        return "the glossary" if key == "glossary" else "a caption"
    kind, number = m.groups()
    return f"the Figure {number} legend" if kind == "figure" else f"{kind.title()} {number}"


def heaviest_chain(points: list[tuple[tuple[int, ...], int, int]]) -> dict[int, tuple[int, ...]]:
    """The heaviest chain of ``(position, number, weight)`` points rising in both
    position and number, as {number: position}.  A number may offer several positions
    (a legend reference: where the figure is first mentioned, where its legend sits);
    a chain rises strictly in number, so it keeps at most one of them.  With equal
    weights it is a longest increasing subsequence; ties go to the smaller number,
    as patience sorting breaks them.  O(n log n) with a Fenwick tree.
    """
    # A Fenwick tree indexes from 1: a number below 1 would never advance its update loop.
    pts = sorted((p for p in points if p[1] >= 1), key=lambda p: (p[0], p[1]))
    if not pts:
        return {}
    size = max(n for _, n, _ in pts)
    tree: list[tuple[int, int, int]] = [(0, 0, -1)] * (size + 1)
    prev: list[int] = []
    best: tuple[int, int, int] = (0, 0, -1)
    for i, (_, n, weight) in enumerate(pts):
        q, j = (0, 0, -1), n - 1
        while j > 0:
            q = max(q, tree[j])
            j -= j & -j
        prev.append(q[2])
        item = (q[0] + weight, -n, i)
        best = max(best, item)
        j = n
        while j <= size:
            tree[j] = max(tree[j], item)
            j += j & -j
    chain: dict[int, tuple[int, ...]] = {}
    i = best[2]
    while i >= 0:
        chain[pts[i][1]] = pts[i][0]
        i = prev[i]
    return chain


def caption_key(text: str) -> str | None:
    """"Table 2. Outcomes…" / "Figure 3: …" -> "table2" / "figure3"; a mention such as
    "Table 2 shows" is not a caption."""
    m = _FLOAT_LABEL.match(text)
    if not m or not re.match(r"\s*[.:|—–-]", text[m.end() :]):
        return None
    return float_key(m.group(1), m.group(2))


def _box_key(block: Block) -> str | None:
    for heading in block.section:
        m = _BOX_HEADING.match(heading)
        if m:
            return float_key(m.group(1), m.group(2)) if m.group(1) else "glossary"
    return None


def _float_positions(ms: Manuscript) -> tuple[dict[int, str], dict[str, tuple[int, int]]]:
    """Which blocks belong to a float — figure legend, table, box, glossary,
    supplementary caption — (block -> float key), and where each float is first
    mentioned in the running text (float key -> (block, offset)).

    A caption is a CAPTION block, or any block that starts "Table 2." / "Figure 3:";
    table cells belong to the caption right before them, else to the one right after,
    and a table's footnotes to its table.  A section headed "Box 1…" or "Glossary" is
    a box.
    """
    block_float: dict[int, str] = {}
    cells: list[int] = []
    last_key: str | None = None
    for b in ms.blocks:
        key = caption_key(b.text) if b.kind in (BlockKind.CAPTION, BlockKind.PARAGRAPH, BlockKind.TABLE_CELL) else None
        if key is None and b.kind is BlockKind.CAPTION:
            key = f"caption{b.index}"  # "Text S1.", "Dataset S2.": a float all the same
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
        elif b.kind is BlockKind.FOOTNOTE and last_key and last_key.startswith("table"):
            block_float[b.index] = last_key
        else:
            cells, last_key = [], None
    for b in ms.blocks:
        if b.index not in block_float and b.kind is not BlockKind.HEADING:
            box = _box_key(b)
            if box:
                block_float[b.index] = box
    mentions: dict[str, tuple[int, int]] = {}
    for b in ms.blocks:
        if b.kind not in (BlockKind.PARAGRAPH, BlockKind.ABSTRACT) or b.index in block_float:
            continue
        for m in FLOAT_MENTION.finditer(b.text):
            mentions.setdefault(float_key(m.group(1), m.group(2)), (b.index, m.start()))
    return block_float, mentions


def _fits_after(n: int, chain: dict[int, tuple[int, ...]], start: tuple[int, ...]) -> bool:
    """Can ``n`` join the in-sequence chain somewhere at or after ``start``: between two
    chained numbers below and above it, the later of them placed after ``start``?"""
    items = sorted((pos, m) for m, pos in chain.items())
    nums = [m for _, m in items]
    if any(a >= b for a, b in zip(nums, nums[1:], strict=False)):
        return False  # not a chain in sequence: nothing to fit into
    i = bisect_right(nums, n)
    return (i == 0 or nums[i - 1] < n) and (i == len(items) or items[i][0] > start)


def _alphabetical(refs: Iterable[Reference]) -> bool:
    """Is the list in alphabetical order of first author (the citation–name system)?"""
    names = []
    for ref in refs:
        name = _first_author_surname(ref)
        if name:
            names.append(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    pairs = list(zip(names, names[1:], strict=False))
    return len(pairs) >= 10 and sum(a <= b for a, b in pairs) >= 0.9 * len(pairs)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _numbers(numbers: Iterable[int]) -> str:
    """(4, 5, 6, 9) -> "4–6 and 9"."""
    return _and(compress_numbers(numbers).split(", "))


#: Running-text references that may be numbered after the float-only block of a
#: "float references last" list without breaking that convention (and no more than
#: one in fifty of the running text's: a lone legend reference amid five is no block).
TAIL_STRAGGLERS = 2


class CitationOutOfOrder(Rule):
    """References are not numbered in the order they are first cited.

    What it flags:
        In a numeric document, the smallest set of first citations in the running
        text that break the sequence 1, 2, 3, … (the complement of a longest
        increasing subsequence), at the place of that first citation.  Figure and
        table legends, table cells, boxes, glossaries and supplementary captions are
        floats: where a file puts them says little about where they are read, so a
        reference cited in a float is in sequence if it fits where the float is
        first mentioned in the text (ICMJE), where the float sits (one reading for
        all floats), or at its first citation in the running text; a float of a JATS
        ``<floats-group>``, which has no place in the file, may sit anywhere after
        its first mention.  A float reference that fits none of these is a warning.  References cited only in
        floats and numbered after the references of the running text (one or two
        late text citations after them, at most one in fifty, do not break this)
        follow a common house convention: one info finding names them all.  A reference
        list in alphabetical order (the citation–name system) gets one info
        finding, not one per reference.

    Why it matters:
        Vancouver, AMA, IEEE and the ICMJE recommendations number references
        consecutively in order of first citation.  An out-of-sequence number is the
        trace of an edit that moved or added text without renumbering, and often of
        a reference that no longer belongs where it is cited.

    Example:
        "… improves survival [16]. … reduces apoptosis [17]. … in monkeys [13]."
        [13] is first cited after [17]; in order of first citation it would be [17].

        Float references: a Figure 1 legend citing [4] where the text runs [1]–[3]
        before Figure 1 is called out and [5] after it is in sequence (ICMJE); a box
        printed in the introduction whose references [37]–[42] come after the
        text's [1]–[36] gets one info finding, and so does an alphabetical list.

    How to fix:
        Renumber the references in order of first citation (``refcheck fix
        --renumber`` does it for you), or check that the citation is the one meant.
        References numbered last because only a float cites them, or an alphabetical
        list, are fine where the journal's style asks for it; otherwise renumber.
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
        text_first: dict[int, Citation] = {}  # first citation in the running text
        float_first: dict[int, Citation] = {}  # first citation in any float
        in_floats: dict[int, list[Citation]] = {}
        for c in citations:
            for n in c.numbers:
                if c.block not in block_float:
                    text_first.setdefault(n, c)
                elif not any(block_float[o.block] == block_float[c.block] for o in in_floats.get(n, ())):
                    float_first.setdefault(n, c)
                    in_floats.setdefault(n, []).append(c)

        def where(c: Citation, use_mention: bool) -> tuple[int, ...]:
            key = block_float[c.block]
            return (*mentions[key], c.block, c.start) if use_mention and key in mentions else (c.block, c.start, 0, 0)

        # References cited only in floats and numbered after all of the running text
        # follow a house convention; they are judged apart (below), never as a step back.
        # "After all of the running text" allows a straggler or two: a reference added to
        # the text late and numbered after the legends' block (PLoS Biol's ciliate
        # genome: legends cite 116-132, the text one last [133]) leaves the convention
        # standing; the straggler is judged as a step back like any other.
        text_numbers = sorted(text_first)
        stragglers = min(TAIL_STRAGGLERS, len(text_numbers) // 50)  # one in fifty at most
        tail = {n for n in in_floats if n not in text_first
                and len(text_numbers) - bisect_right(text_numbers, n) <= stragglers}
        # A reference may first appear at its first citation in the running text or,
        # for a float, where the float is first mentioned (ICMJE) or, in the other
        # reading, where the float sits; each reading is tried for all floats at once.
        variants = []
        unit = 2 + len(text_first.keys() | in_floats.keys())  # more than any chain can gain by ties
        for use_mention in (True, False):
            # Each reference in sequence counts the same; among equally long chains the
            # one that keeps more of the running text in place wins.
            points = [((c.block, c.start, 0, 0), n, unit + 1) for n, c in text_first.items()]
            points += [(where(c, use_mention), n, unit) for n, cs in in_floats.items() if n not in tail for c in cs]
            chain = heaviest_chain(points)
            variants.append((chain, {n for _, n, _ in points} - chain.keys(), use_mention))
        variants.sort(key=lambda v: len(v[1]))
        (chain, flagged_best, use_mention), (_, flagged_other, _) = variants
        flagged = {n for n in flagged_best if n in text_first or n in flagged_other}
        # A float of a JATS <floats-group> has no place in the file: it prints wherever
        # the typesetter put it after its first mention, so a legend's number that fits
        # anywhere there is in sequence.  (Legends an author gathered at the end of a
        # manuscript do have a place, and are judged by it.)
        unplaced = ms.metadata.get("floats_unplaced_from")
        for n in sorted(flagged - text_first.keys()) if isinstance(unplaced, int) else ():
            c = float_first[n]
            key = block_float[c.block]
            if c.block >= unplaced and key in mentions and _fits_after(n, chain, (*mentions[key], 0, 0)):
                flagged.discard(n)
        place = {n: (c.block, c.start, 0, 0) for n, c in text_first.items()}
        for n, cs in in_floats.items():
            if n not in tail:
                place.setdefault(n, min(where(c, use_mention) for c in cs))
        place.update(chain)
        last = max(chain.values(), default=(-1,))
        fits_last = heaviest_chain([(pos, n, 1) for n in tail for c in in_floats[n]
                                    for pos in (where(c, True), where(c, False)) if pos > last])
        cluster = sorted(tail - fits_last.keys())
        order = sorted(place, key=lambda n: (place[n], n))
        rank = {n: i + 1 for i, n in enumerate(order)}
        if len(flagged) + len(cluster) >= max(3, 0.2 * len(place)) and _alphabetical(ms.references):
            yield self._alphabetical_list(ms, sorted(flagged | set(cluster)), text_first, float_first)
            return
        by_citation: dict[Citation, list[int]] = {}
        for n in sorted(flagged, key=rank.__getitem__):
            by_citation.setdefault(text_first.get(n) or float_first[n], []).append(n)
        for cit, numbers in sorted(by_citation.items(), key=lambda kv: (kv[0].block, kv[0].start)):
            key = None if numbers[0] in text_first else block_float.get(cit.block)
            yield self.finding(
                ms, cit.block, cit.start, cit.end,
                self._message(numbers, order, rank, key, key in mentions),
                references=numbers,
                suggestion="Renumber the references in order of first citation (refcheck fix --renumber).",
                data={"expected": {str(n): rank[n] for n in numbers}},
            )
        if cluster:
            yield self._cluster(ms, cluster, float_first, block_float)

    @staticmethod
    def _message(numbers: list[int], order: list[int], rank: dict[int, int], key: str | None, mentioned: bool) -> str:
        """"Reference 13 is first cited here, after reference 17; …" — never "after
        reference 0": a number cited too early is first cited before lower ones."""
        many = len(numbers) > 1
        refs = f"References {_numbers(numbers)}" if many else f"Reference {numbers[0]}"
        first = min(order.index(n) for n in numbers)
        higher = max((m for m in order[:first] if m > min(numbers)), default=None)
        lower = sorted({m for m in order[first + 1 :] if m < max(numbers) and m not in numbers})
        if key is not None:
            name = _float_name(key)
            fit = "fit" if many else "fits"
            float_itself = name.removeprefix("the ").removesuffix(" legend")
            where = (f"{fit} neither where {float_itself} is first mentioned nor where {name} sits" if mentioned
                     else f"{'do' if many else 'does'} not fit where {name} sits")
            what = f"{refs}, first cited in {name}, {where}"
        elif higher is not None:
            what = f"{refs} {'are' if many else 'is'} first cited here, after reference {higher}"
        elif lower:
            parts = compress_numbers(lower).split(", ")
            shown = _and(parts) if len(parts) <= 4 else ", ".join(parts[:3]) + " and others"
            what = (f"{refs} {'are' if many else 'is'} first cited here, before "
                    f"reference{'s' if len(lower) > 1 else ''} {shown}")
        else:
            what = f"{refs} {'are' if many else 'is'} first cited out of sequence"
        would = _and([str(rank[n]) for n in numbers]) if len(numbers) <= 4 else compress_numbers(rank[n] for n in numbers)
        return f"{what}; in order of first citation {'they' if many else 'it'} would be {would}."

    def _cluster(self, ms: Manuscript, cluster: list[int], float_first: dict[int, Citation],
                 block_float: dict[int, str]) -> Finding:
        cits = sorted({float_first[n] for n in cluster}, key=lambda c: (c.block, c.start))
        names = list(dict.fromkeys(_float_name(block_float[c.block]) for c in cits))
        figures = [n.split()[2] for n in names if n.startswith("the Figure ")]
        if len(figures) > 1:  # "the Figure 1 and 2 legends"
            names = [f"the Figure {_and(figures)} legends"] + [n for n in names if not n.startswith("the Figure ")]
        where = _and(names) if len(names) <= 3 else "figure legends, tables or boxes"
        refs = f"References {_numbers(cluster)} are" if len(cluster) > 1 else f"Reference {cluster[0]} is"
        c = cits[0]
        return self.finding(
            ms, c.block, c.start, c.end,
            f"{refs} cited only in {where} and numbered after the running-text references: "
            "a common house convention, though ICMJE numbers them where the float is first mentioned.",
            severity=Severity.INFO,
            references=cluster,
            suggestion="Keep this if the journal numbers float-only references last; "
            "otherwise number them where each float is first mentioned.",
            data={"convention": "float references last", "floats": names},
        )

    def _alphabetical_list(self, ms: Manuscript, flagged: list[int], text_first: dict[int, Citation],
                           float_first: dict[int, Citation]) -> Finding:
        c = min((text_first.get(n) or float_first[n] for n in flagged), key=lambda c: (c.block, c.start))
        return self.finding(
            ms, c.block, c.start, c.end,
            f"The reference list is numbered in alphabetical order (citation–name system), so {len(flagged)} "
            "references are first cited out of numeric order; Vancouver style numbers them in order of first citation.",
            severity=Severity.INFO,
            references=sorted(flagged),
            suggestion="Keep this if the journal uses the citation–name system; "
            "otherwise renumber in order of first citation (refcheck fix --renumber).",
            data={"convention": "alphabetical list"},
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
    blocks_fix = True  # refcheck fix will not renumber while this stands
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
        Numeric documents: each entry whose number is never cited, unless the text
        names it by first author and year ("[Smith 1919]", "Simons (1972)") — cited,
        in another form.  Uncited entries that close the list, in a manuscript whose
        supplementary material lists references of its own (Science's style), are
        one info finding.  Author–year documents: each entry whose first author and
        year appear in no citation, nor together anywhere in the text — an untagged
        "(Silva et al., 2016)", a figure's source note "NBS (2013, 2014)", a spelling
        without accents or apostrophe ("Gonzalez-Perez", "O Leary") all cite.

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
            cited_text = fold(" ".join(" ".join(c.authors_year) for c in ms.citations))
            body: str | None = None
            for ref in ms.references:
                name = _first_author_surname(ref)
                if not name or not ref.year or (fold(name) in cited_text and str(ref.year) in cited_text):
                    continue
                if body is None:
                    body = fold(" ".join(b.text for b in ms.blocks if b.kind is not BlockKind.REFERENCE))
                if not _named_in_text(body, ref):
                    yield self._on_entry(ms, ref, f"Reference '{(ref.title or ref.text)[:80]}' ({name.title()} {ref.year}) is never cited in the text.")
            return
        cited = {n for c in ms.citations for n in c.numbers}
        if not cited:
            return
        text: str | None = None
        uncited: list[Reference] = []
        for ref in ms.references:
            if ref.number is not None and ref.number not in cited:
                if text is None:
                    text = fold(" ".join(b.text for b in ms.blocks if b.kind is not BlockKind.REFERENCE))
                if not _named_by_author_year(text, ref):  # "Elliott Smith [Smith 1919]": cited, in another form
                    uncited.append(ref)
        if uncited and min(r.number or 0 for r in uncited) > max(cited) and _supplement_has_references(ms):
            # Science's style: the Supplementary Materials' own references close the list.
            numbers = [r.number for r in uncited if r.number]
            yield self.finding(
                ms, uncited[0].block, 0, len(ms.blocks[uncited[0].block].text.rstrip()),
                f"{'References' if len(numbers) > 1 else 'Reference'} {_numbers(numbers)} "
                f"{'are' if len(numbers) > 1 else 'is'} not cited in this text; they close the list, and the "
                "supplementary material, which has references of its own, may cite them.",
                severity=Severity.INFO, references=numbers,
                suggestion="Check that the supplementary material cites them; otherwise remove them.")
            return
        for ref in uncited:
            yield self._on_entry(ms, ref, f"Reference {ref.number} is never cited in the text.")

    def _on_entry(self, ms: Manuscript, ref: Reference, message: str) -> Finding:
        text = ms.blocks[ref.block].text
        start = len(text) - len(text.lstrip())
        return self.finding(ms, ref.block, start, len(text.rstrip()), message,
                            references=[ref.number] if ref.number else [],
                            suggestion="Cite it where it supports a statement, or remove it from the list.")


_SUPPLEMENT = re.compile(r"\bsupplement|\bsupporting information\b", re.I)


def _supplement_has_references(ms: Manuscript) -> bool:
    """Does the manuscript describe supplementary material that includes references
    ("This PDF file includes: Texts S1 to S4 … References")?"""
    return any(re.search(r"\breferences?\b", b.text, re.I) and
               (any(_SUPPLEMENT.search(t) for t in b.section) or _SUPPLEMENT.search(b.text))
               for b in ms.blocks if b.kind in (BlockKind.CAPTION, BlockKind.PARAGRAPH) and len(b.text) < 400)


def fold(text: str) -> str:
    """Lower case, accents, apostrophes and hyphens gone: "O'Leary" and "O Leary",
    "Almeida-García" and "Almeida-Garcia", "MacIntyre" and "Macintyre" are one name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"['’‘`´\-‐‑–]", " ", text)


_INITIALS = re.compile(r"^(?:[a-z]\.?){1,3}$")


def _name_words(ref: Reference) -> list[str]:
    """The words of the first author's name a citation could use: "KIRCHHOFF, L.V." →
    kirchhoff; "Mendes-Da-Silva W." → mendes, silva; "NBS – National Bureau of
    Statistics" → nbs, national, …; "R Core Team" → core, team.  Not initials."""
    if not ref.authors:
        return []
    words = re.findall(r"[^\W\d_][\w.]*", fold(ref.authors[0]))
    # Short letter groups are initials ("MA", "L.V."), except first: an acronym ("NBS – …").
    return [w.rstrip(".") for i, w in enumerate(words) if len(w.rstrip(".")) >= 3 and (i == 0 or not _INITIALS.match(w))]


def _named_in_text(body: str, ref: Reference) -> bool:
    """Does the (folded) text name the entry by an author word followed, within the same
    parenthesis or citation, by its year: "(Silva et al., 2016)", "Almeida-Garcia,
    Cortes-Macias e Parzych, 2021", "NBS (2013, 2014, 2015)", "(R Core Team 2017)"?
    Untagged citations, figure source notes and spelling variants cite too."""
    names = _name_words(ref)
    if not names or not ref.year:
        return False
    alternatives = "|".join(re.escape(n) for n in dict.fromkeys(names))
    return re.search(rf"\b(?:{alternatives})\b[^;)]{{0,60}}?\b{ref.year}[a-z]?\b", body) is not None


def _named_by_author_year(body: str, ref: Reference) -> bool:
    """Does the text name the entry by its first author and year ("[Smith 1919]",
    "Simons (1972, p. 190)", "Plavcan et al., 2001")?  A numeric manuscript that cites
    a few works that way has cited them — in an inconsistent form, not never."""
    name = _first_author_surname(ref)
    if not name or not ref.year:
        return False
    pattern = rf"\b{re.escape(fold(name))}\b(?:\s+et\s+al\.?|\s+and\s+\w+|\s*&\s*\w+)?[\s,(\[]{{1,3}}{ref.year}\b"
    return re.search(pattern, body, re.I) is not None


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


_PART_NUMBER = re.compile(r"\b(?:\d+|[IVX]{1,5})\b")


def _part_numbers(title: str) -> list[str]:
    """The numbers a title carries ("… (STP) 13: preparing …", "Part II"): two parts of
    one series share everything but these, and are two works."""
    return _PART_NUMBER.findall(title)


# Pairs of titles RC104 compares per manuscript at most (a few seconds at worst); a
# real reference list needs a handful, since only entries with the same title prefix,
# year and first author are compared at all.
_MAX_TITLE_COMPARISONS = 20_000


def _may_reach(a: str, b: str, threshold: float) -> bool:
    """Whether ``SequenceMatcher(None, a, b).ratio()`` can reach ``threshold``: its two
    cheap upper bounds (lengths, then character counts) say no for most pairs."""
    if 2.0 * min(len(a), len(b)) / (len(a) + len(b)) < threshold:
        return False
    return SequenceMatcher(None, a, b).quick_ratio() >= threshold


class DuplicateReference(Rule):
    """The same work appears twice in the reference list.

    What it flags:
        Two entries with the same DOI or PMID (under two different titles the
        message says one DOI may be wrong; chapters of one edited book that carry
        the book's DOI are not flagged), or with near-identical titles
        (similarity ≥ 0.92 after normalising case and punctuation) that carry the same
        numbers, the same year and the same first author (a blog post that borrows a
        paper's title is another work; "… (STP) 13: preparing policy briefs" and
        "… (STP) 14: organising policy dialogues" are two parts of one series).
        The later entry is flagged and names the earlier one.  Past 20,000 title
        comparisons in one list (thousands of entries by one author in one year with
        one title prefix) only identical titles are matched, so the rule stays fast.

    Why it matters:
        Duplicates inflate the apparent evidence base and split citations of one
        source across two numbers.

    Example:
        [4] and [19] both carry doi:10.1016/j.retram.2022.103365.

    How to fix:
        Keep one entry, point all citations at it, and renumber.
    """

    code = "RC104"
    blocks_fix = True  # refcheck fix will not renumber while this stands
    name = "duplicate-reference"
    default_severity = Severity.WARNING
    options = {"title_similarity": 0.92}

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        threshold = float(options.get("title_similarity", 0.92))
        seen_doi: dict[str, Reference] = {}
        seen_pmid: dict[str, Reference] = {}
        # Entries can only be near-duplicates with the same title prefix, year and first
        # author, so those three are the block's key: a list of 20,000 titles sharing a
        # prefix no longer compares every pair.  Within a block the earlier entries are
        # tried in order, as before; ``budget`` bounds the comparisons a
        # pathological list can ask for (thousands of entries by one author in one year
        # with one title prefix), after which only identical titles are matched.
        blocks: dict[tuple[str, int | None, str | None], list[tuple[str, Reference]]] = {}
        identical: dict[tuple[str, int | None, str | None], Reference] = {}
        budget = _MAX_TITLE_COMPARISONS
        for ref in ms.references:
            earlier, why = None, ""
            if ref.doi and ref.doi.lower() in seen_doi:
                earlier, why = seen_doi[ref.doi.lower()], f"the same DOI ({ref.doi})"
                if _other_titles(ref, earlier):
                    if _book_part(ref) or _book_part(earlier):
                        earlier = None  # chapters of one handbook, or a chapter and the book, share its DOI
                    else:
                        why = f"DOI:{ref.doi}"  # two titles, one DOI: said so below
            elif ref.pmid and ref.pmid in seen_pmid:
                earlier, why = seen_pmid[ref.pmid], f"the same PMID ({ref.pmid})"
            elif ref.title and len(ref.title) > 15:
                norm = _norm_title(ref.title)
                key = (norm[:12], ref.year, _first_author_surname(ref))
                same = (norm, key[1], key[2])
                for other_norm, candidate in blocks.get(key, []):
                    if budget <= 0:
                        earlier = identical.get(same)
                        break
                    budget -= 1
                    if _may_reach(norm, other_norm, threshold) and \
                            SequenceMatcher(None, norm, other_norm).ratio() >= threshold and \
                            _part_numbers(ref.title) == _part_numbers(candidate.title or ""):
                        earlier = candidate
                        break
                if earlier is not None:
                    why = "a near-identical title and the same year"
                blocks.setdefault(key, []).append((norm, ref))
                identical.setdefault(same, ref)
            if ref.doi:
                seen_doi.setdefault(ref.doi.lower(), ref)
            if ref.pmid:
                seen_pmid.setdefault(ref.pmid, ref)
            if earlier is not None:
                text = ms.blocks[ref.block].text
                label = f"Reference {ref.number}" if ref.number else "This reference"
                other = f"reference {earlier.number}" if earlier.number else "an earlier entry"
                message = (f"{label} carries the DOI of {other} ({why[4:]}) under another title: one DOI is wrong, "
                           "or one work is listed twice." if why.startswith("DOI:") else f"{label} duplicates {other}: {why}.")
                yield self.finding(
                    ms, ref.block, len(text) - len(text.lstrip()), len(text.rstrip()),
                    message,
                    references=[n for n in (earlier.number, ref.number) if n],
                    suggestion=f"Keep one entry, cite {other} instead, and renumber.",
                )


_BOOK_PART = re.compile(r"\(\s*eds?\.?\s*\)|\bIn\s*:?\s+[A-Z][^.]{0,120}\(\s*eds?\.?\s*\)|\beditors?\b", re.I)


def _book_part(ref: Reference) -> bool:
    """An edited book or a chapter of one ("In A. Sison (Eds.), Handbook …")."""
    return bool(_BOOK_PART.search(ref.text))


def _other_titles(a: Reference, b: Reference) -> bool:
    """Two entries whose titles are plainly not one title."""
    if not a.title or not b.title:
        return False
    return SequenceMatcher(None, _norm_title(a.title), _norm_title(b.title)).ratio() < 0.6


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
    blocks_fix = True  # refcheck fix will not renumber while this stands
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


_PLACEHOLDER_TITLE = re.compile(
    r"abstract|summary|untitled|no title|\[?no title available\]?|title|full text|pdf|n/?a|none|null|unknown", re.I)
_ENTRY_LABEL = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,4}[.)]|\(\d{1,4}\))[ \t]*")


def _missing_title(ref: Reference) -> str | None:
    """Why an entry has no usable title, or None: an empty entry, an empty title line
    in an entry laid out one field per line, or a title that is a placeholder
    ("Abstract") — what a reference manager writes when it could not read the work."""
    body = ref.text
    if ref.label_span:
        body = body[ref.label_span[1] :]
    elif ref.label_in_text:
        body = _ENTRY_LABEL.sub("", body, count=1)
    if not body.strip():
        return "the entry is empty"
    lines = body.split("\n")
    first = lines[0].strip().strip(".,;: ")
    if len(lines) > 1 and not first:
        return "its title line is empty"
    if len(lines) > 1 and _PLACEHOLDER_TITLE.fullmatch(first):
        return f"it gives “{first}” as its title"
    # One line: the title is the first field (title-first styles) or the second
    # (after the authors, as in Vancouver).
    for field in re.split(r"(?<=[.?!])\s+", body.strip())[:2]:
        field = field.strip().strip(".,;: ")
        if _PLACEHOLDER_TITLE.fullmatch(field):
            return f"it gives “{field}” as its title"
    title = (ref.title or "").strip().strip(".,;: ")
    if title and _PLACEHOLDER_TITLE.fullmatch(title):
        return f"it gives “{title}” as its title"
    return None


class MalformedCitation(Rule):
    """A citation that cannot be read as intended.

    What it flags:
        In the text: a reversed range ("[5–3]"), an implausibly long range, an
        empty citation ("[]"), a number repeated inside one citation
        ("[52,53,80,80]"), and a manuscript that mixes numeric and author–year
        citations (flagged once, on the first citation of the less used style).
        In the reference list: an incomplete entry with no usable title — an empty
        entry, an empty title line, or a placeholder such as a lone "Abstract" that
        a reference manager wrote when it could not read the work.

    Why it matters:
        Readers and reference managers cannot resolve these: a repeated number is
        the trace of a citation merged or edited by hand, an entry without a title
        cannot be found, and a style mix means part of the manuscript was written
        against a different bibliography.

    Example:
        "… as reported previously [5–3]."  "… knowledge graphs [52,53,80,80]."
        A reference entry that reads "174. Abstract / eLife Sciences Publications".

    How to fix:
        Write ranges low to high, fill or remove empty brackets, cite each number
        once, give every entry the work's title, and use one citation style
        throughout.
    """

    code = "RC106"
    name = "malformed-citation"
    default_severity = Severity.WARNING

    def check(self, ms: Manuscript, options: dict[str, Any]) -> Iterator[Finding]:
        for c in ms.citations:
            twice = sorted(n for n, k in Counter(c.numbers).items() if k > 1) if c.style == "numeric" else []
            if c.malformed:
                yield self.finding(ms, c.block, c.start, c.end, f"Malformed citation: {c.malformed}.",
                                   references=c.numbers,
                                   suggestion="Write ranges from low to high and remove empty citations.")
            elif twice:
                yield self.finding(
                    ms, c.block, c.start, c.end,
                    f"The citation {c.text.strip()} names reference{'s' if len(twice) > 1 else ''} "
                    f"{_numbers(twice)} twice.",
                    references=twice,
                    suggestion="Cite each reference once; check whether another reference was meant.",
                    data={"repeated": twice},
                )
        for ref in ms.references:
            why = _missing_title(ref)
            if why:
                text = ms.blocks[ref.block].text
                label = f"Reference {ref.number}" if ref.number else "This reference"
                yield self.finding(
                    ms, ref.block, len(text) - len(text.lstrip()), len(text.rstrip()),
                    f"{label} is incomplete: {why}.",
                    references=[ref.number] if ref.number else [],
                    suggestion="Give the work's title, with its authors, year and venue.",
                    data={"incomplete_reference": why},
                )
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


@hookimpl
def refcheck_rule_families() -> list[Family]:
    """This module's rules as one family in reports."""
    return [Family("RC1", "citation numbering", "#c0392b")]
