"""Parse reference-list entries: number, authors, year, title, journal, identifiers.

Handles the example's style ("Artru F, McPhail M, 2024, Title. Journal, 24(5): 724–732."),
Vancouver/AMA, APA, Harvard and IEEE.  Parsing is heuristic by nature; what the
rules need most is the title (relevance) and the number, DOI, PMID and year
(duplicates, numbering), and those are found first and most carefully.
"""

from __future__ import annotations

import re

from refcheck.analysis.structure import REFERENCE_LABEL
from refcheck.model import Block, Reference

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
PMID = re.compile(r"(?:PMID:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/)(\d{5,9})", re.I)
URL = re.compile(r"https?://\S+|www\.\S+", re.I)
YEAR = r"(?:19|20)\d\d[a-z]?"
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?\s?-?){1,4}$")
_QUOTED = re.compile(r"[“\"]([^”\"]{6,}?)[,.][”\"]")
_APA = re.compile(rf"^(?P<authors>.+?)\s*\((?P<year>{YEAR})(?:,[^)]*)?\)\.?\s*(?P<rest>.+)$")
_SEED = re.compile(rf"^(?P<authors>.+?)(?:,|(?<=\bal\.))\s*(?P<year>{YEAR}),\s*(?P<rest>.+)$")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Za-z0-9“\"'(\[])")
_NO_SPLIT_AFTER = re.compile(
    r"(?:(?:^|[\s.(])[A-Z]\.|\b(?:pp|p|vol|no|nos|ed|eds|suppl|ch|Jr|Sr|St|Dr|e\.g|i\.e|vs|sp|spp|var|subsp)\.)$",
    re.I,
)
_SINGLE_INITIAL = re.compile(r"(?:^|[\s.(])[A-Z]\.$")
# Vancouver: the author list ends at the first ". " after "Surname AB" or "et al".
_VANCOUVER_AUTHORS = re.compile(r"^(.{2,600}?(?:[\w'’-]\s?[A-Z]{1,3}|\bet al|[A-Z][a-z]+))\.\s+(?=\S)")


def _split_sentences(text: str) -> list[str]:
    """Split at ". " / "? " -- but not after an initial ("C. elegans", "J. Smith") nor
    after "pp." / "vol." / "e.g." inside the entry."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if out and (_SINGLE_INITIAL.search(out[-1]) or _NO_SPLIT_AFTER.search(out[-1])):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def _clean_title(title: str) -> str:
    return title.strip().strip(" .,;:“”\"'").strip()


def _journal_from(segment: str) -> str | None:
    """"American Journal of Transplantation, 24(5): 724–732." -> the journal name."""
    m = re.match(rf"^(.+?)(?:[,.;]\s*(?:{YEAR}|vol\.|\d|e\d)|\s+\d+\s*[(:;]|\s*{YEAR}\b|$)", segment)
    if not m:
        return None
    name = m.group(1).strip(" .,;")
    return name or None


def _volume_pages(text: str) -> tuple[str | None, str | None]:
    m = re.search(r"vol\.\s*(\d+).*?pp?\.\s*(\d+(?:\s*[-–]\s*\d+)?)", text, re.I)
    if m:
        return m.group(1), m.group(2)
    m = re.search(r"(\d+)\s*(?:\((\w+)\))?\s*[:,]\s*(?:pp?\.\s*)?(e?\d+(?:\s*[-–]\s*e?\d+)?)", text)
    if m:
        return m.group(1), m.group(3).replace(" ", "")
    return None, None


def _authors(segment: str) -> tuple[str, ...]:
    segment = re.sub(r"\bet al\.?", "", segment).strip(" ,.")
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|&\s*)?|;\s*|\s+and\s+|\s+&\s+", segment) if p.strip()]
    # APA "Smith, J., Doe, A." splits name and initials apart: glue them back.
    out: list[str] = []
    for p in parts:
        if out and _INITIALS.match(p) and not _INITIALS.match(out[-1]) and " " not in out[-1]:
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return tuple(out[:50])


_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*|[a-z]{1,3}|…)(?:\s+(?:[A-Z][\w'’.-]*|[a-z]{1,3}|…))*$")
_DATE_TAIL = re.compile(r"\s*\((?:\d{4}(?:-\d\d){0,2})\)\s*$")


def _author_line(line: str) -> bool:
    """"Sune Pletscher-Frankild, Albert Pallejà, … Lars Juhl Jensen": a list of names."""
    items = [i.strip() for i in re.split(r",|…", line) if i.strip()]
    if not items:
        return False
    names = [i for i in items if _NAME.match(i) and 1 <= len(i.split()) <= 5]
    return len(names) >= max(1, 0.8 * len(items))


def _line_layout(body: str) -> tuple[str, tuple[str, ...], str | None] | None:
    """Title, authors and venue of an entry laid out one per line (Manubot, CSL
    "bibliography" styles exported to Word): title / author list / "Venue (date)".

    Only taken when the second line is a list of names, so a wrapped single-line
    entry is not split.
    """
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    if len(lines) < 2 or not _author_line(lines[1]) or _author_line(lines[0]):
        return None
    venue = None
    if len(lines) > 2 and not re.match(r"(?i)(?:doi|pmid|https?://)", lines[2]):
        venue = _DATE_TAIL.sub("", URL.sub(" ", lines[2])).strip(" .·") or None
    return lines[0], _authors(lines[1]), venue


def parse_reference(text: str, block: int = 0, number: int | None = None, list_label: str | None = None) -> Reference:
    """Parse one entry.  ``number`` comes from ``list_label`` when the list is auto-numbered."""
    label_in_text = True
    label_span = None
    body = text.strip()
    m = REFERENCE_LABEL.match(text)
    if m:
        number = int(next(g for g in m.groups() if g))
        label_span = (m.start(), m.end())
        body = text[m.end() :].strip()
    elif list_label:
        lm = re.search(r"\d+", list_label)
        if lm:
            number = int(lm.group())
            label_in_text = False

    doi = DOI.search(body)
    doi_value = doi.group(1).rstrip(".,;)") if doi else None
    pmid = PMID.search(body)
    url = URL.search(body)
    core = body
    for rx in (URL, DOI):
        core = rx.sub(" ", core)
    core = re.sub(r"\b(?:doi|PMID|PMCID)\s*:?\s*(PMC)?\d*\s*", " ", core, flags=re.I)
    # web-reference furniture: "[Internet]", "[cited 30 Nov 2021]", "Available:", "Accessed …"
    core = re.sub(r"\[(?:Internet|cited[^\]]*|online|accessed[^\]]*)\]\.?", " ", core, flags=re.I)
    core = re.sub(r"\b(?:Available(?: from| at)?|Accessed(?: on)?|Retrieved(?: from)?)\s*:?\s*$", " ", core.strip(" ."), flags=re.I)
    core = re.sub(r"\s+", " ", core).strip(" .")

    authors: tuple[str, ...] = ()
    year = None
    title = None
    journal_seg = None
    layout = _line_layout(body)
    if layout:
        y = re.search(rf"(?<!\d){YEAR}(?!\d)", body)
        return Reference(
            number=number, block=block, text=text, authors=layout[1],
            year=int(y.group()[:4]) if y else None, title=_clean_title(layout[0]) or None,
            journal=layout[2], doi=doi_value, pmid=pmid.group(1) if pmid else None,
            url=url.group().rstrip(".,;") if url else None,
            label_in_text=label_in_text, label_span=label_span,
        )
    quoted = _QUOTED.search(core)
    apa = _APA.match(core)
    seed = _SEED.match(core)
    if quoted:  # IEEE and some Harvard: “Title,”
        authors = _authors(core[: quoted.start()])
        title = quoted.group(1)
        journal_seg = core[quoted.end() :].strip(" ,.")
        y = re.search(YEAR, core[quoted.end() :]) or re.search(YEAR, core)
        year = y.group() if y else None
    elif apa and len(apa.group("authors")) < 400:
        authors = _authors(apa.group("authors"))
        year = apa.group("year")
        parts = _split_sentences(apa.group("rest"))
        title = parts[0] if parts else None
        journal_seg = parts[1] if len(parts) > 1 else None
    elif seed and len(seed.group("authors")) < 400 and not re.search(r"\.\s", seed.group("authors").replace("et al.", "et al")):
        authors = _authors(seed.group("authors"))
        year = seed.group("year")
        parts = _split_sentences(seed.group("rest"))
        title = parts[0] if parts else None
        journal_seg = parts[1] if len(parts) > 1 else None
    else:  # Vancouver / AMA: Authors. Title. Journal. Year;Vol(Issue):Pages.
        head = _VANCOUVER_AUTHORS.match(core)
        if head:
            authors = _authors(head.group(1))
            parts = _split_sentences(core[head.end() :])
        else:
            parts = _split_sentences(core)
        if parts:
            title = parts[0]
            journal_seg = parts[1] if len(parts) > 1 else None
        y = re.search(rf"(?<!\d){YEAR}(?!\d)", core)
        year = y.group() if y else None
    journal = _journal_from(journal_seg) if journal_seg else None
    after_title = core[core.find(title) + len(title) :] if title and title in core else core
    volume, pages = _volume_pages(after_title)
    return Reference(
        number=number,
        block=block,
        text=text,
        authors=authors,
        year=int(year[:4]) if year else None,
        title=_clean_title(title) if title else None,
        journal=journal,
        volume=volume,
        pages=pages,
        doi=doi_value,
        pmid=pmid.group(1) if pmid else None,
        url=url.group().rstrip(".,;") if url else None,
        label_in_text=label_in_text,
        label_span=label_span,
    )


def parse_reference_blocks(blocks: list[Block]) -> list[Reference]:
    """Parse the reference-list blocks; an unlabelled block continuing a labelled list
    (an entry broken over two paragraphs) is parsed together with the entry before it."""
    refs: list[Reference] = []
    labelled = sum(1 for b in blocks if REFERENCE_LABEL.match(b.text) or b.list_label)
    for b in blocks:
        has_label = bool(REFERENCE_LABEL.match(b.text) or b.list_label)
        if refs and not has_label and labelled >= len(blocks) / 2:
            prev = refs[-1]
            joined = parse_reference(prev.text + " " + b.text, prev.block, prev.number)
            refs[-1] = Reference(**{**joined.__dict__, "text": prev.text, "label_in_text": prev.label_in_text,
                                    "number": prev.number, "label_span": prev.label_span})
            continue
        refs.append(parse_reference(b.text, b.index, None, b.list_label))
    return refs
