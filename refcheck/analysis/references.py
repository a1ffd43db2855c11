"""Parse reference-list entries: number, authors, year, title, journal, identifiers.

Handles the example's style ("Artru F, McPhail M, 2024, Title. Journal, 24(5): 724–732."),
Vancouver/AMA, APA, Harvard and IEEE.  Parsing is heuristic by nature; what the
rules need most is the title (relevance) and the number, DOI, PMID and year
(duplicates, numbering), and those are found first and most carefully.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from refcheck.analysis.structure import REFERENCE_LABEL
from refcheck.model import Block, Citation, Reference

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)
PMID = re.compile(r"(?:PMID:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/)(\d{5,9})", re.I)
URL = re.compile(r"https?://\S+|www\.\S+", re.I)
YEAR = r"(?:19|20)\d\d[a-z]?"
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?\s?-?){1,4}$")
_QUOTED = re.compile(r"[“\"]([^”\"]{6,400}?[?!]?)(?:[,.]?[”\"](?=[,.]|\s+[A-Za-z(\[])|[,.][”\"])")
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
        tail = out[-1][-20:] if out else ""  # the tests end at "$": the tail is enough, and keeps this linear
        if out and (_SINGLE_INITIAL.search(tail) or _NO_SPLIT_AFTER.search(tail)):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def _clean_title(title: str) -> str:
    """Without surrounding quotes and punctuation, nor what APA adds in brackets
    ("(pp. 353–373)", "(Version 0.3.4)", "[Unpublished]")."""
    title = re.sub(r"\s*(?:\((?:pp?\.|Version|Vol\.|No\.|Eds?\.)[^)]{0,40}\)|\[[^\]]{1,40}\])\s*$", "", title.strip())
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
    """The names of an author block; APA's "Smith, J." stays one name ("Smith, J.")."""
    return tuple(_name_items(segment.strip(" ,."))[:50])


_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*|[a-z]{1,3}|…)(?:\s+(?:[A-Z][\w'’.-]*|[a-z]{1,3}|…))*$")
_DATE_TAIL = re.compile(r"\s*\((?:\d{4}(?:-\d\d){0,2})\)\s*$")


def _author_line(line: str) -> bool:
    """"Sune Pletscher-Frankild, Albert Pallejà, … Lars Juhl Jensen": a list of names."""
    items = [i.strip() for i in re.split(r",|…", line) if i.strip() and i.strip() not in ("others", "et al.", "et al")]
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
    # A title in title case ("Long Short-Term Memory") reads like one name: only a
    # first line of several names is an author line.
    if len(lines) < 2 or not _author_line(lines[1]) or (_author_line(lines[0]) and "," in lines[0]):
        return None
    venue = None
    if len(lines) > 2 and not re.match(r"(?i)(?:doi|pmid|https?://)", lines[2]):
        venue = _DATE_TAIL.sub("", URL.sub(" ", lines[2])).strip(" .·") or None
    return lines[0], _authors(lines[1]), venue


# ---------------------------------------------------------------- names

_CAP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_WORD = rf"[{_CAP}][^\W\d_]*(?:[-'’][^\W\d_]+)*"
_PARTICLE = r"(?:van|von|der|den|de|del|della|des|di|da|dos|du|la|le|ter|ten|bin|al|el|y|St\.?)"
_SURNAME = rf"(?:{_PARTICLE}\s+)*{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{0,2}}"
_NAME_FORMS = (
    re.compile(rf"^{_SURNAME}\s+[{_CAP}]{{1,4}}(?:\s+(?:Jr|Sr|II|III|IV)\.?)?$"),       # Vancouver: Smith AB
    re.compile(rf"^{_SURNAME}\s+(?:[{_CAP}]\.\s?-?\s?)*[{_CAP}]\.?$"),                 # Spudich J. L
    re.compile(rf"^{_SURNAME},?\s+(?:[{_CAP}]\.\s?-?\s?)+(?:\s*{_PARTICLE})*$"),       # Beier, S.  / Hooft, J.J. van der
    re.compile(rf"^(?:[{_CAP}][a-z]?\.\s?-?\s?){{1,4}}\s*{_SURNAME}$"),                  # J. Smith, J.-C. Cho
    re.compile(rf"^{_WORD}(?:\s+(?:{_WORD}|[{_CAP}]{{1,3}}\.?)){{0,2}}\s+{_SURNAME}$"),  # Sune Pletscher-Frankild, Aidan N. Gomez
)
_ONLY_INITIALS = re.compile(rf"^(?:[{_CAP}](?:[a-z]\.|\.)?\s?-?\s?){{1,4}}$")
_SINGLE_WORD = re.compile(rf"^{_SURNAME}$")
_AUTHOR_NOISE = re.compile(r"\b(?:et\s+al\.?|and\s+others|others|editors?|eds?\.|\(eds?\.?\)|\(ed\.\))", re.I)
# A title-case phrase ("Long Short-Term Memory") also matches the given-names-first
# form; these words never occur in a person's name.
_NOT_NAME_WORDS = re.compile(
    r"\b(?:The|Of|In|On|For|And|To|With|From|By|At|Using|Via|Towards?|Learning|Network|Networks|Data|"
    r"Analysis|Model|Models|Deep|Neural|Graph|Graphs|Knowledge|Review|Study|Systems?|Methods?|Journal|Research|"
    r"Science|Sciences|Medicine|Biology|Nature|Proceedings|Conference|Report|University|Press|Society|Institute|"
    r"Organization|Association|Foundation|Program|Programme|Project|Consortium|Committee|Group|Agency|Council|"
    r"Academies|Academy|National|International|Health|World|Open|Computer|Information|Memory|Text|Mining|Protein|"
    r"Gene|Genes|Cell|Cells|Disease|Clinical|Database|Software|Tool|Tools|Web|Online|Internet|Guide|Manual)\b")
_ORGANISATION = re.compile(
    r"\b(?:Organi[sz]ation|Association|Society|Institute|Foundation|Program|Programme|Consortium|Committee|"
    r"Agency|Council|Academies|Academy|Collaboration|Project|Department|Ministry|Office|Centers?|Centres?|"
    r"Board|Commission|Network|Alliance|Group|Team|Initiative|Service|Administration|Prevention|members|"
    r"community|Investigators|Collaborators|Working Group|Writing Group)\b")


def _is_name(item: str) -> bool:
    item = re.sub(r"\s+(?:2nd|3rd|[4-9]th|Jr\.?|Sr\.?|II|III|IV)$", "", item.strip(" ."))
    if not item or len(item) > 60 or any(ch.isdigit() for ch in item):
        return False
    if any(rx.match(item) for rx in _NAME_FORMS[:-1]):
        return True
    # Given names first: a phrase of title-case words is a title, not a name.
    return bool(_NAME_FORMS[-1].match(item)) and not _NOT_NAME_WORDS.search(item)


def _name_items(segment: str) -> list[str]:
    segment = _AUTHOR_NOISE.sub(" ", segment)
    parts = [p.strip(" .") for p in re.split(r",\s*(?:and\s+|&\s*)?|;\s*|\s+and\s+|\s+&\s+", segment)]
    parts = [p for p in parts if p]
    # APA/Harvard "Smith, J., Doe, A." and Chicago "Beier, Sina": surname and initials
    # (or given names) arrive as separate items; glue them back.
    out: list[str] = []
    for p in parts:
        if out and _ONLY_INITIALS.match(p) and _SINGLE_WORD.match(out[-1]) and not _ONLY_INITIALS.match(out[-1]):
            out[-1] = f"{out[-1]}, {p}"
        else:
            out.append(p)
    return out


def _looks_like_authors(segment: str, *, strict: bool = True) -> bool:
    """Whether ``segment`` is a list of personal names (with "et al.", "editors").

    ``strict``: one bare capitalised phrase is not enough ("Long Short-Term Memory"
    is a title); a list of two or more names, or a name with initials, is.
    """
    if not segment.strip() or len(segment) > 1500:
        return False
    items = _name_items(segment)
    if not items:
        return bool(_AUTHOR_NOISE.search(segment)) and not strict
    named = [_is_name(i) or ("," in i and _is_name(i.replace(",", ""))) for i in items]
    names = [i for i, ok in zip(items, named, strict=True) if ok]
    # A long list may hold a name the patterns do not know ("Campo, J. del"): most
    # names, and the first, are enough.
    odd = [i for i, ok in zip(items, named, strict=True) if not ok]
    if (len(items) >= 5 and named[0] and len(names) >= 0.8 * len(items)
            and all(len(i.split()) <= 4 and not re.search(r"[a-z]{2,}[.:?]\s|[.:]\s+[A-Z][a-z]", i) for i in odd)):
        return True
    # Chicago's first author "Beier, Sina": a surname and a given name as two items.
    chicago = (len(items) >= 2 and bool(_SINGLE_WORD.match(items[0])) and bool(_SINGLE_WORD.match(items[1]))
               and len(names) >= len(items) - 2 and len(items[0].split()) == 1)
    if len(names) < len(items) and not chicago:
        return False
    if not strict or len(items) >= 2 or _AUTHOR_NOISE.search(segment):
        return True
    return bool(re.search(rf"(?:^|\s)[{_CAP}]{{1,3}}\.?$|^[{_CAP}]\.|,", items[0]))


def _author_block_end(core: str) -> int | None:
    """End of a Vancouver/AMA/Nature author block: the first ". " after which the
    text no longer continues a name (a lone initial "L, Jung", "& Alexander", or the
    surname after a given name "Aidan N. Gomez,")."""
    limit = min(len(core), 1500)
    first = core[:200].split(",", 1)[0].strip()
    given_first = bool(re.match(rf"^{_WORD}\s+{_WORD}", first)) and not re.search(rf"\s[{_CAP}]{{1,3}}$", first)
    for m in re.finditer(r"\.\s+|\.(?=[“\"])", core[:limit]):
        nxt = core[m.end():m.end() + 60]
        before = core[max(0, m.start() - 4):m.start()]
        if re.match(rf"(?:[{_CAP}][a-z]?(?:[.,;-]|\s*$)|&|and\s|et\s+al\b)", nxt):
            continue
        if (given_first and re.search(rf"(?:^|[\s,])[{_CAP}]$", before)
                and re.match(rf"{_SURNAME}\s*(?:,|&|\band\b)", nxt)):
            continue  # "Aidan N. Gomez, …": a middle initial, the surname follows
        return m.start()
    return None


# ---------------------------------------------------------------- titles

_YEAR_RX = re.compile(rf"(?<![\d/.-])({YEAR})(?![\d/-])")
_VENUE_START = re.compile(
    rf"^(?:In[:\s]|Proc(?:eedings|\.)|Lecture Notes|arXiv|bioRxiv|medRxiv|Authorea|Figshare|Zenodo|SSRN|"
    rf"PeerJ Preprints|Preprints|Research Square|Available|Retrieved|Accessed|Published|"
    rf"(?:[A-Z][\w.&'’-]*\s+){{0,8}}(?:Press|Publishing|Publishers|Inc|Ltd|LLC|GmbH|Springer|Elsevier|Wiley)\b|"
    rf"(?:\d{{1,2}}\s)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s(?:\d{{1,2}},?\s)?{YEAR}|"
    rf"{YEAR}\b|vol\.|pp?\.\s*\d|\d+\s*[(:;,]|\d+\s*$|[A-Z][^.;]{{0,80}}?\s\d+\s*[(:;,]\s*[\de])"
)
_DATE_TITLE = re.compile(
    rf"^(?:\d{{1,2}}\s+)?(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+)?(?:\d{{1,2}},?\s+)?"
    rf"(?:{YEAR}|n\.?d\.?)(?:\s*[;,:].*)?$", re.I)
_VENUE_TITLE = re.compile(
    r"^(?:arXiv|bioRxiv|medRxiv|Authorea|Figshare|Zenodo|SSRN|Lecture Notes in Computer Science|Internet|"
    r"Available|Abstract|Online|Web|PLoS ONE|PLOS ONE|Nature|Science|Cell|eLife|Proceedings.*|"
    r"ISBN[\s:]*[\dX-]+|(?:Cold Spring Harbor Laboratory|Springer|Elsevier|Wiley|[\w\s&,]+ Press)(?:[;,].*)?)$",
    re.I,
)
_ABBREVIATED = re.compile(r"^(?:[A-Z][a-z]{0,8}\.?|[A-Z]+|of|and|&|the)(?:\s+(?:[A-Z][a-z]{0,8}\.?|[A-Z]+|of|and|&|the))*$")


def _venue_like(part: str) -> bool:
    """A sentence of the entry that is venue, publisher, date or volume — where the
    title has ended."""
    part = part.strip().rstrip(".")
    if _VENUE_START.match(part):
        return True
    words = part.split()
    # "J Biol Chem" / "Proc. Natl. Acad. Sci." standing alone before the volume
    return len(words) <= 6 and bool(_ABBREVIATED.match(part)) and any(w.endswith(".") for w in words[:-1])


def _title_and_venue(parts: list[str]) -> tuple[str | None, str | None]:
    """Title and venue sentence from the sentences after the authors (and date).

    A title may itself contain a full stop or question mark ("Are presenilins
    intramembrane-cleaving proteases? Implications for …"): the title runs up to the
    sentence before the journal, the journal being the sentence before the volume
    and date — but only when what is merged reads as title text, not as a venue.
    """
    if not parts:
        return None, None
    v = next((k for k in range(1, len(parts)) if _venue_like(parts[k])), None)
    end = 1
    if v is not None and v >= 2:
        # The journal stands alone when the venue sentence starts with a number or date.
        starts_with_number = bool(re.match(rf"^(?:\d|{YEAR}|vol\.|pp?\.)", parts[v]))
        end = v - 1 if starts_with_number else v
        if end > 1 and not all(_continues_title(p) for p in parts[1:end]):
            end = 1
    title = " ".join(parts[:max(end, 1)])
    venue = parts[max(end, 1)] if len(parts) > max(end, 1) else None
    # A chapter: "Title, in: Book …" (Elsevier) or "Title, in The Book, Publisher, 73–96".
    chapter = re.search(r",\s+in:\s+(?=[A-Z])|,\s+in\s+(?=[A-Z][^,]{2,120},.*(?:\d+\s*[-–]\s*\d+|Press|Springer|Wiley|Elsevier))",
                        title)
    if chapter and chapter.start() > 10:
        venue = title[chapter.end():]
        title = title[:chapter.start()]
    return title, venue


_FUNCTION_WORDS = {"of", "the", "and", "for", "in", "on", "&", "de", "der", "und", "a", "an", "at", "to"}


def _continues_title(part: str) -> bool:
    """A sentence that can be the second half of a title: several words, some of
    them lower-case content words ("Implications for the molecular mechanism") —
    a journal name ("Nat Hum Behav", "Journal of the American Medical Association")
    has none — and not a venue, an author list or an edition/place note."""
    words = part.split()
    content = [w for w in words if w[:1].islower() and w.lower() not in _FUNCTION_WORDS]
    return (len(words) >= 3 and bool(content) and not _venue_like(part) and not _looks_like_authors(part)
            and not re.search(r"\b(?:ed\.|edn|edition|editors?|University|Press)\b", part, re.I))


def _acceptable_title(title: str | None, authors: tuple[str, ...], journal: str | None) -> str | None:
    """The title, or None when what was read is an author list, a venue or a date —
    a wrong title misleads the relevance rules; no title only makes them skip."""
    if not title:
        return None
    t = _clean_title(title)
    if len(t) < 2 or not re.search(r"[^\W\d_]{2}", t):
        return None
    if _DATE_TITLE.match(t) or _VENUE_TITLE.match(t):
        return None
    if journal and t.lower() == journal.strip(" .").lower():
        return None
    if _looks_like_authors(t) and (len(_name_items(t)) >= 2 or not re.search(r"\s[a-z]{3,}", t)):
        return None
    return t


# "1 Smith J, …": a number and a space, no full stop or bracket — a label only when the
# whole list is numbered that way (see parse_reference_blocks).
_BARE_LABEL = re.compile(r"^\s*(\d{1,5})\s+(?=[^\W\d_]|[\[(“\"'])")


def parse_reference(text: str, block: int = 0, number: int | None = None, list_label: str | None = None,
                    bare_label: bool = False) -> Reference:
    """Parse one entry.  ``number`` comes from ``list_label`` when the list is auto-numbered;
    ``bare_label``: the entry starts with its number and a space ("1 Smith J").

    The author block is found by what names look like (Vancouver "Smith AB", APA
    "Smith, J.", IEEE "J. Smith", given names first), the date by its place after
    the authors (APA, Harvard, PLOS, Chicago, Elsevier), the title as the sentence
    (or sentences) before the venue.  An entry that starts with its title (web pages,
    anonymous reports) has no author block.  ``confidence`` says how the title was
    found: 0.9 after a recognised author block or date, 0.6 for a title-first guess,
    0 when no title could be read.
    """
    label_in_text = True
    label_span = None
    body = text.strip()
    m = REFERENCE_LABEL.match(text) or (_BARE_LABEL.match(text) if bare_label else None)
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
    common = dict(number=number, block=block, text=text, doi=doi_value, pmid=pmid.group(1) if pmid else None,
                  url=url.group().rstrip(".,;") if url else None, label_in_text=label_in_text, label_span=label_span)

    layout = _line_layout(body)
    if layout:
        y = re.search(rf"(?<!\d){YEAR}(?!\d)", body)
        title = _acceptable_title(layout[0], layout[1], layout[2])
        return Reference(authors=layout[1], year=int(y.group()[:4]) if y else None, title=title,
                         journal=layout[2], confidence=0.95 if title else 0.0, **common)

    core = _strip_furniture(body)
    authors: tuple[str, ...] = ()
    year = None
    title = None
    journal_seg = None
    confidence = 0.9
    quoted = _QUOTED.search(core)
    seed = _SEED.match(core)
    dated = _author_date(core)
    before_quote = re.sub(r"\(\s*\)|\bn\.\s?d\.", " ", _YEAR_RX.sub(" ", core[: quoted.start()])) if quoted else ""
    before_quote = re.sub(r"\s+([.,])", r"\1", before_quote).strip(" ,.")
    if quoted and (quoted.start() == 0 or _looks_like_authors(before_quote, strict=False)):
        # IEEE, Harvard (Cite Them Right), Chicago: “Title,”
        authors = _authors(before_quote)
        title = quoted.group(1)
        journal_seg = core[quoted.end() :].strip(" ,.")
        y = _YEAR_RX.search(core[: quoted.start()]) or _YEAR_RX.search(core[quoted.end() :]) or _YEAR_RX.search(core)
        year = y.group() if y else None
    elif dated is not None:
        # APA, Harvard, PLOS "name (year)", Elsevier "name, year.", Chicago "name. year."
        author_seg, year, rest = dated
        year = year or None
        authors = _authors(author_seg)
        title, journal_seg = _title_and_venue(_split_sentences(rest))
    elif seed and len(seed.group("authors")) < 400 and not re.search(r"\.\s", seed.group("authors").replace("et al.", "et al")):
        authors = _authors(seed.group("authors"))
        year = seed.group("year")
        title, journal_seg = _title_and_venue(_split_sentences(seed.group("rest")))
    else:  # Vancouver / AMA / Nature: Authors. Title. Journal. Year;Vol(Issue):Pages.
        end = _author_block_end(core)
        # One author named given-name first ("Michael Southworth. Title. Venue.") is
        # taken when a title and a venue follow.
        lenient = end is not None and len(_split_sentences(core[end + 1:])) >= 2
        if end is not None and _looks_like_authors(core[:end], strict=not lenient):
            authors = _authors(core[:end])
            parts = _split_sentences(core[end + 1 :].strip())
        else:
            parts = _split_sentences(core)
            corporate = bool(parts) and bool(_ORGANISATION.search(parts[0])
                                             or re.fullmatch(r"[A-Z][A-Z0-9&-]{1,15}", parts[0].rstrip(".")))
            if len(parts) >= 3 and corporate and not _venue_like(parts[1]):
                authors = (parts[0],)  # a corporate author: "National Academies of Sciences, …. Title. …"
                parts = parts[1:]
            else:
                confidence = 0.6  # the entry starts with its title, or with what could not be read
        title, journal_seg = _title_and_venue(parts)
        if (not authors and title and journal_seg and re.match(rf"^(?:{YEAR}\s*[;:]\s*\d|\d+\s*[(:;])", journal_seg)
                and not _continues_title(title)):
            title = None  # "Nature Biomedical Engineering. 2018;2: 709": a journal and its volume, no title
        y = _YEAR_RX.search(core)
        year = y.group(1) if y else None
    journal = _journal_from(journal_seg) if journal_seg else None
    title = _acceptable_title(title, authors, journal)
    after_title = core[core.find(title) + len(title) :] if title and title in core else core
    volume, pages = _volume_pages(after_title)
    return Reference(
        authors=authors,
        year=int(year[:4]) if year else None,
        title=title,
        journal=journal,
        volume=volume,
        pages=pages,
        confidence=confidence if title else 0.0,
        **common,
    )


def _strip_furniture(body: str) -> str:
    """The entry without identifiers and web furniture ("[Internet]", "[cited …]",
    "Available from:", "Accessed …"), keeping the full stops that separate fields."""
    core = body
    for rx in (URL, DOI):
        core = rx.sub(" ", core)
    core = re.sub(r"\b(?:doi|PMID|PMCID|ISBN|ISSN)\b\s*:?\s*(?:PMC)?[\dX-]*\s*", " ", core, flags=re.I)
    core = re.sub(r"\s*\[(?:Internet|online|cited[^\]]*|accessed[^\]]*|Preprint|Epub ahead of print)\]", "",
                  core, flags=re.I)
    core = re.sub(r"\((?:accessed|cited|retrieved)[^)]*\)", " ", core, flags=re.I)
    core = re.sub(r"\b(?:Available(?: online)?(?: from| at)?|Accessed(?: on)?|Retrieved(?: from)?|URL)\s*:?\s*"
                  r"(?:[^.]{0,40}\d{4})?\s*\.?\s*$", " ", core.strip(" ."), flags=re.I)
    core = re.sub(r"\s+([.,;:])", r"\1", core)
    core = re.sub(r"\s+", " ", core).strip(" .·")
    return core


_AUTHOR_DATE = re.compile(
    rf"(?:\s*\((?:(?P<p>{YEAR})(?:,[^)]{{0,30}})?|n\.\s?d\.)\)|[,.]\s*(?P<y>{YEAR})(?=[.,:]\s))[.,:]?\s+")


def _author_date(core: str) -> tuple[str, str, str] | None:
    """Authors, year and the rest when the date follows the author block: "Smith, J.
    (2020). Title", "Smith J, Doe A (2020) Title", "Smith, J., 2020. Title",
    "Smith, John. 2020. Title"."""
    for m in _AUTHOR_DATE.finditer(core[:1600]):
        authors = core[: m.start()].strip(" ,.")
        corporate = len(authors) < 120 and ". " not in authors and bool(
            _ORGANISATION.search(authors) or re.fullmatch(r"Anon(?:ymous)?\.?|[A-Z][A-Z0-9&/-]{1,15}", authors))
        # "Name (2002) Title": a parenthesised year right after a prefix with no
        # sentence in it is the PLOS/APA date, even when the names are run together
        # ("BremRB, YvertG") or the patterns do not know them.
        plain = bool(m.group("p")) and len(authors) < 400 and not re.search(r"[a-z]{2,}\.\s", authors.replace("et al.", ""))
        if authors and (corporate or plain or _looks_like_authors(authors, strict=False)):
            rest = core[m.end():].strip()
            if rest:
                return authors, m.group("p") or m.group("y") or "", rest
        if m.start() > 1200:
            break
    return None


_PANDOC_MARKUP = re.compile(r"(?::{3,}\s*(?:\{[^}]*\})?\s*(?::{3,})?|\{\{<[^>]*>\}\}|</?div[^>]*>|\\(?:newpage|pagebreak|clearpage))")


def parse_reference_blocks(blocks: list[Block]) -> list[Reference]:
    """Parse the reference-list blocks; an unlabelled block continuing a labelled list
    (an entry broken over two paragraphs) is parsed together with the entry before it."""
    refs: list[Reference] = []
    # pandoc/Quarto markup under a References heading is where the list will be
    # rendered ("::: {#refs} :::", "{{< pagebreak >}}"), not an entry.
    blocks = [b for b in blocks if not _PANDOC_MARKUP.fullmatch(b.text.strip())]
    labelled = sum(1 for b in blocks if REFERENCE_LABEL.match(b.text) or b.list_label)
    bare = not labelled and _bare_numbered(blocks)
    if bare:
        labelled = sum(1 for b in blocks if _BARE_LABEL.match(b.text))
    for b in blocks:
        has_label = bool(REFERENCE_LABEL.match(b.text) or b.list_label or (bare and _BARE_LABEL.match(b.text)))
        if refs and not has_label and labelled >= len(blocks) / 2:
            prev = refs[-1]
            joined = parse_reference(prev.text + " " + b.text, prev.block, prev.number)
            refs[-1] = Reference(**{**joined.__dict__, "text": prev.text, "label_in_text": prev.label_in_text,
                                    "number": prev.number, "label_span": prev.label_span})
            continue
        refs.append(parse_reference(b.text, b.index, None, b.list_label, bare_label=bare))
    return refs


def _bare_numbered(blocks: list[Block]) -> bool:
    """Is the list numbered "1 Smith J …", "2 Doe A …" — at least three entries, most
    of them starting with a bare number, and those numbers counting up from 1?"""
    numbers = [int(m.group(1)) for b in blocks if (m := _BARE_LABEL.match(b.text))]
    return len(numbers) >= 3 and 2 * len(numbers) > len(blocks) and numbers == list(range(1, len(numbers) + 1))


_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la", "le", "ter", "ten", "al", "el", "bin"}
_INITIAL_TOKEN = re.compile(r"^(?:[A-Z][a-z]?\.?-?){1,4}$|^[A-Z]{1,3}$")


def first_author_surname(ref: Reference) -> str | None:
    """The first author's family name, whatever order the style writes names in:
    "Smith AB" (Vancouver), "Smith, J." (APA), "J. Smith" (IEEE), "Sune
    Pletscher-Frankild" (Manubot, given names first), "Mendes de Leon CF".

    Duplicate detection and author–year matching compare surnames, and a style that
    puts given names first must not make "Sune" the surname.
    """
    if not ref.authors:
        return None
    name = ref.authors[0].strip()
    if "," in name:
        head = name.split(",", 1)[0].strip()
        return head or None
    tokens = name.split()
    if not tokens:
        return None
    if len(tokens) == 1:
        return tokens[0]
    if _INITIAL_TOKEN.match(tokens[-1]):  # "Smith AB", "Mendes de Leon CF"
        while len(tokens) > 1 and _INITIAL_TOKEN.match(tokens[-1]):
            tokens.pop()
        return " ".join(tokens)
    # Given names first: the surname is the last word, with its particles ("van der Berg").
    k = len(tokens) - 1
    while k > 1 and tokens[k - 1].lower() in _PARTICLES:
        k -= 1
    return " ".join(tokens[k:])


# ---------------------------------------------------------------- structured sources


def _csl_year(item: Mapping[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "created"):
        date = item.get(key)
        if isinstance(date, Mapping):
            parts = date.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                m = re.match(r"\d{4}", str(parts[0][0]))
                if m:
                    return int(m.group())
            m = re.search(r"\b(?:1[5-9]|20)\d\d\b", str(date.get("raw") or date.get("literal") or ""))
            if m:
                return int(m.group())
    return None


def _csl_names(item: Mapping[str, Any]) -> tuple[str, ...]:
    """"Family, Given" for each author (the form the rules' surname matching reads)."""
    out = []
    for a in item.get("author") or []:
        if not isinstance(a, Mapping):
            continue
        family = " ".join(str(a.get(k) or "") for k in ("non-dropping-particle", "family")).strip()
        given = str(a.get("given") or "").strip()
        literal = str(a.get("literal") or "").strip()
        name = f"{family}, {given}" if family and given else family or literal or given
        if name:
            out.append(name)
    return tuple(out[:50])


def _csl_text(value: Any) -> str | None:
    if isinstance(value, list):  # CSL JSON from some tools: "container-title": ["…"]
        value = value[0] if value else None
    if value is None:
        return None
    # <i>, <sup> markup in CSL titles; BibTeX case-protecting braces Mendeley leaves in ("{ANYONE}")
    text = " ".join(re.sub(r"<[^>]{1,40}>|[{}]", "", str(value)).split())
    return text or None


def render_csl(item: Mapping[str, Any]) -> str:
    """A plain-text entry for a CSL item (Vancouver-like), for messages and excerpts:
    "Smith, J; Doe, A. Title. Journal. 2020. doi:10.…"."""
    names = "; ".join(_csl_names(item)[:6]) + ("; et al" if len(_csl_names(item)) > 6 else "")
    fields = [names, _csl_text(item.get("title")), _csl_text(item.get("container-title"))]
    year = _csl_year(item)
    fields.append(str(year) if year else None)
    doi = _csl_text(item.get("DOI"))
    fields.append(f"doi:{doi}" if doi else _csl_text(item.get("URL")))
    return ". ".join(f for f in fields if f) or str(item.get("id", ""))


def reference_from_csl(item: Mapping[str, Any], number: int | None, block: int, text: str | None = None) -> Reference:
    """A reference from a CSL JSON item — a bibliography file's entry or the item a
    Zotero/Mendeley field carries: the fields as the reference manager holds them."""
    doi = _csl_text(item.get("DOI"))
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
    pmid = _csl_text(item.get("PMID"))
    title = _csl_text(item.get("title"))
    return Reference(
        number=number, block=block, text=text if text is not None else render_csl(item),
        authors=_csl_names(item), year=_csl_year(item), title=title,
        journal=_csl_text(item.get("container-title")), volume=_csl_text(item.get("volume")),
        pages=_csl_text(item.get("page")), doi=doi, pmid=pmid, url=_csl_text(item.get("URL")),
        label_in_text=False, label_span=None, confidence=1.0 if title else 0.0,
    )


def bibliography_references(entries: Mapping[str, Mapping[str, Any]],
                            citations: Sequence[Citation]) -> tuple[list[Reference], list[Citation]]:
    """The reference list pandoc would render from a bibliography: only the entries
    the manuscript cites, numbered in order of first citation (as a numeric CSL
    style numbers them), each placed at the block of its first citation; the key
    citations get those numbers, so that "cited" and the relevance rules see them.

    Uncited entries are left out — pandoc does not print them, so they are no
    "reference never cited".  Keys with no entry stay unnumbered (RC102 names them).
    """
    numbers: dict[int, int] = {}  # id(entry) -> number: two keys for one entry share it
    references: list[Reference] = []
    out: list[Citation] = []
    for c in citations:
        if c.style != "key":
            out.append(c)
            continue
        nums: list[int] = []
        for key in c.authors_year:
            item = entries.get(key)
            if item is None:
                continue
            n = numbers.get(id(item))
            if n is None:
                n = numbers[id(item)] = len(references) + 1
                references.append(reference_from_csl(item, n, c.block))
            if n not in nums:
                nums.append(n)
        out.append(replace(c, numbers=tuple(nums)) if nums else c)
    return references, out
