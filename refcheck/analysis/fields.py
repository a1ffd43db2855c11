"""What a citation manager stored in a Word field: each cited work as structured data.

A citation inserted by Zotero or Mendeley is a Word field whose instruction carries
the full CSL JSON of every item it cites (title, authors, DOI, year, container);
EndNote's unencoded fields carry the EndNote XML record.  That is the reference as
the author's library holds it, so it beats anything refcheck can parse back out of
the rendered reference list — the reference-list text is the fallback, never the
other way round.

Pairing a field's items with the reference list needs care: a numeric style may
print "[3,5]" for items stored in another order, and Mendeley's item ids ("ITEM-1")
are only unique inside one field.  So each item is identified by its library URI,
DOI or title; its number is what every field citing it agrees on (a number set per
field, narrowed as single citations pin items down); and a pairing is kept only when
the reference list's entry for that number shows the item's title or its first
author and year.  An item that cannot be pinned down is left alone: the text parse
stands.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from lxml import etree

from refcheck.analysis.citations import expand_numbers
from refcheck.analysis.references import first_author_surname, reference_from_csl
from refcheck.model import Block, Citation, Reference

# A field instruction is bounded by the reader's limits; this bounds the JSON we decode.
_MAX_INSTRUCTION = 2_000_000
_CSL_START = re.compile(r"CSL_CITATION\s*", re.I)
_NUMBER_LIST = re.compile(r"\d{1,5}(?:\s*[-–—]\s*\d{1,5})?(?:\s*[,;]\s*\d{1,5}(?:\s*[-–—]\s*\d{1,5})?)*")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


def _norm(text: str | None) -> str:
    """Lower case, accents, markup, braces and punctuation dropped, for "does this
    entry show that title" tests across citation styles."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", re.sub(r"<[^>]{1,40}>", "", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def csl_items(instruction: str) -> list[dict[str, Any]]:
    """The CSL JSON items a Zotero or Mendeley field instruction carries (none when
    the field is an older Mendeley one holding only an id, or the JSON is broken)."""
    if len(instruction) > _MAX_INSTRUCTION:
        return []
    m = _CSL_START.search(instruction)
    if not m:
        return []
    start = instruction.find("{", m.end())
    if start < 0:
        return []
    try:
        data, _ = json.JSONDecoder().raw_decode(instruction, start)
    except ValueError:
        return []
    items = data.get("citationItems") if isinstance(data, dict) else None
    out = []
    for entry in items if isinstance(items, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("itemData"), dict):
            continue
        item = dict(entry["itemData"])
        uris = entry.get("uris") or entry.get("uri")
        if isinstance(uris, list) and uris:
            item["_uri"] = str(uris[0])
        out.append(item)
    return out


def _endnote_text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = " ".join("".join(node.itertext()).split())
    return text or None


def endnote_items(instruction: str) -> list[dict[str, Any]]:
    """CSL-like items from an EndNote field that holds its records as XML
    (``ADDIN EN.CITE <EndNote><Cite>…<record>…``).  Fields that keep the record
    base64-encoded in the field data (``EN.CITE.DATA``) carry nothing readable here."""
    if len(instruction) > _MAX_INSTRUCTION:
        return []
    start = instruction.find("<EndNote")
    if start < 0 or "<!" in instruction:  # no DTDs, entities or CDATA tricks: a record has none
        return []
    try:
        root = etree.fromstring(instruction[start:].strip().encode("utf-8"), _XML_PARSER)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    out = []
    for record in root.iter("record"):
        item: dict[str, Any] = {}
        title = _endnote_text(record.find("titles/title"))
        if title:
            item["title"] = title
        venue = _endnote_text(record.find("titles/secondary-title")) or _endnote_text(record.find("periodical/full-title"))
        if venue:
            item["container-title"] = venue
        authors = []
        for a in record.findall("contributors/authors/author"):
            name = _endnote_text(a)
            if not name:
                continue
            family, _, given = name.partition(",")
            authors.append({"family": family.strip(), "given": given.strip()} if given else {"literal": name})
        if authors:
            item["author"] = authors
        year = _endnote_text(record.find("dates/year"))
        if year:
            item["issued"] = {"date-parts": [[year]]}
        doi = _endnote_text(record.find("electronic-resource-num"))
        if doi and re.search(r"10\.\d{4,9}/", doi):
            item["DOI"] = doi[doi.find("10.") :]
        number = _endnote_text(record.find("rec-number"))
        if number:
            item["_uri"] = f"endnote:{number}"
        if item.get("title"):
            out.append(item)
    return out


def field_items(instruction: str, manager: str) -> list[dict[str, Any]]:
    """The cited items a citation field stores, whichever manager wrote it."""
    if manager == "endnote":
        return endnote_items(instruction)
    return csl_items(instruction)


def _key(item: Mapping[str, Any]) -> str | None:
    """Who this item is across fields: its library URI, else its DOI, else its title."""
    if item.get("_uri"):
        return "uri:" + str(item["_uri"])
    doi = str(item.get("DOI") or "").strip().lower()
    if doi:
        return "doi:" + doi
    title = _norm(str(item.get("title") or ""))
    return "title:" + title if title else None


def _shows(reference: Reference, item: Mapping[str, Any]) -> bool:
    """Whether a reference-list entry is this item: it shows the item's title, or
    (styles that shorten titles) its DOI, or its first author and year."""
    title = _norm(str(item.get("title") or ""))
    text = _norm(reference.text)
    if title and len(title) >= 8 and title in text:
        return True
    doi = str(item.get("DOI") or "").lower()
    if doi and doi in reference.text.lower():
        return True
    rendered = reference_from_csl(item, None, 0)
    family = first_author_surname(rendered)
    return bool(family and rendered.year and _norm(family) in text.split()[:6] and str(rendered.year) in text)


def _numbers_by_item(fields: Sequence[tuple[list[dict[str, Any]], tuple[int, ...]]]) -> dict[str, int]:
    """Each item's number, from what the numbered fields citing it agree on: an
    item's candidates are the intersection of its fields' numbers, and a number
    pinned to one item is removed from the others in the same field."""
    possible: dict[str, set[int]] = {}
    groups: list[list[str]] = []
    for items, numbers in fields:
        if not numbers:
            continue
        keys = [k for k in (_key(i) for i in items) if k]
        if len(set(keys)) != len(items) or len(set(numbers)) != len(items):
            continue  # ranges that hide a number, or items that cannot be told apart
        groups.append(keys)
        for k in keys:
            possible[k] = possible.get(k, set(numbers)) & set(numbers)
    changed = True
    while changed:
        changed = False
        for keys in groups:
            pinned = {next(iter(possible[k])) for k in keys if len(possible[k]) == 1}
            for k in keys:
                if len(possible[k]) > 1 and possible[k] & pinned:
                    possible[k] -= pinned
                    changed = True
    out: dict[str, int] = {}
    claimed: dict[int, list[str]] = {}
    for k, nums in possible.items():
        if len(nums) == 1:
            claimed.setdefault(next(iter(nums)), []).append(k)
    for n, keys in claimed.items():
        if len(keys) == 1:  # two items claiming one number: neither is trusted
            out[keys[0]] = n
    return out


def _from_item(reference: Reference, item: Mapping[str, Any]) -> Reference:
    """The reference with the fields the citation manager holds, keeping where it sits
    and how it is numbered in the document."""
    structured = reference_from_csl(item, reference.number, reference.block, reference.text)
    keep = {k: getattr(structured, k) or getattr(reference, k)
            for k in ("authors", "year", "journal", "volume", "pages", "doi", "pmid", "url")}
    if not structured.title:
        return replace(reference, **keep)
    return replace(reference, **keep, title=structured.title, confidence=1.0)


def apply_field_items(blocks: Sequence[Block], citations: Sequence[Citation],
                      references: Sequence[Reference]) -> tuple[list[Reference], list[Citation]]:
    """References completed (or, with no reference list, built) from the items the
    manuscript's citation fields carry.

    With a reference list, each entry that a field item can be paired with takes the
    item's title, authors, year, DOI and container.  Without one (a draft whose
    bibliography is not inserted yet), the items become the reference list, numbered
    as the fields' numbers say or, for author–year fields, in order of first citation.
    """
    by_block: dict[int, list[Citation]] = {}
    for c in citations:
        by_block.setdefault(c.block, []).append(c)
    fields: list[tuple[list[dict[str, Any]], tuple[int, ...], Citation | None, int]] = []
    for b in blocks:
        for fc in b.field_citations:
            items = field_items(fc.instruction, fc.manager)
            if not items:
                continue
            cits = [c for c in by_block.get(b.index, []) if c.start < fc.end and fc.start < c.end]
            numbers = _own_numbers(b.text[fc.start : fc.end])
            if not numbers:  # the field's result is not a number list: what was found there
                numbers = tuple(dict.fromkeys(n for c in cits for n in c.numbers))
            fields.append((items, numbers, cits[0] if len(cits) == 1 else None, b.index))
    if not fields:
        return list(references), list(citations)
    numbered = _numbers_by_item([(items, numbers) for items, numbers, _, _ in fields])
    if references:
        return _complete(references, fields, numbered), list(citations)
    return _build(fields, numbered, citations)


def _complete(references: Sequence[Reference], fields: Sequence[tuple[list[dict[str, Any]], tuple[int, ...], Any, int]],
              numbered: Mapping[str, int]) -> list[Reference]:
    by_number = {r.number: i for i, r in enumerate(references) if r.number is not None}
    chosen: dict[int, dict[str, Any]] = {}
    refused: set[int] = set()
    for items, numbers, _, _ in fields:
        for item in items:
            key = _key(item)
            if numbers:
                n = numbered.get(key) if key else None
                if n in by_number:
                    candidates = [by_number[n]]
                else:  # not pinned by the numbers alone: the one numbered entry showing it
                    candidates = [by_number[m] for m in numbers if m in by_number and _shows(references[by_number[m]], item)]
            else:  # author–year: the one entry of the list that shows this item
                candidates = [i for i, r in enumerate(references) if _shows(r, item)]
            if len(candidates) != 1 or not _shows(references[candidates[0]], item):
                continue
            i = candidates[0]
            if i in chosen and _key(chosen[i]) != key:
                refused.add(i)  # two different items paired with one entry
            chosen[i] = item
    out = list(references)
    for i, item in chosen.items():
        if i not in refused:
            out[i] = _from_item(out[i], item)
    return out


def _build(fields: Sequence[tuple[list[dict[str, Any]], tuple[int, ...], Citation | None, int]],
           numbered: Mapping[str, int], citations: Sequence[Citation]) -> tuple[list[Reference], list[Citation]]:
    references: dict[str, Reference] = {}
    if any(numbers for _, numbers, _, _ in fields):
        for items, numbers, _, block in fields:
            for item in items:
                key = _key(item)
                n = numbered.get(key) if key and numbers else None
                if n is not None and key not in references:
                    references[key] = reference_from_csl(_public(item), n, block)
        return sorted(references.values(), key=lambda r: r.number or 0), list(citations)
    # Author–year fields and no list: number the items by first citation, as pandoc
    # numbers a bibliography's entries, and give each field's citation its numbers.
    assigned: dict[int, tuple[int, ...]] = {}
    for items, _, citation, block in fields:
        nums = []
        for item in items:
            key = _key(item)
            if not key:
                continue
            if key not in references:
                references[key] = reference_from_csl(_public(item), len(references) + 1, block)
            nums.append(references[key].number)
        if citation is not None and nums:
            assigned[id(citation)] = tuple(n for n in nums if n is not None)
    out = [replace(c, numbers=assigned[id(c)]) if id(c) in assigned else c for c in citations]
    return list(references.values()), out


def _own_numbers(result: str) -> tuple[int, ...]:
    """The numbers a field's own result shows ("[9–11]", a raised "9,10"), or none
    when it shows anything else (an author–year citation)."""
    core = result.strip().strip("[]()").strip()
    if not _NUMBER_LIST.fullmatch(core):
        return ()
    numbers = expand_numbers(core)
    return () if numbers.problem else tuple(dict.fromkeys(numbers.numbers))


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}
