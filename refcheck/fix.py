"""``refcheck fix --renumber``: references renumbered in order of first citation.

Why a separate rewriting pass rather than a reporter: the fix changes the
manuscript's own characters (citation numbers, typed reference labels) and the
order of the reference list, while everything else must stay as it was.  It reuses
the annotators' machinery for that promise — CriticMarkup's file-offset mapping
for text, :mod:`refcheck.ooxml`'s package copy and run splitting for DOCX — so the
input is decoded, mapped and re-encoded the same way, and the DOCX parts other
than the ones holding citations are copied byte for byte.

The mapping: references are numbered in the order their numbers are first cited,
reading the citations in the order the reader gives them (body, then table cells
and footnotes where they sit in that order); within one citation the old numbers
are taken low to high, as RC101 orders ties.  References never cited (RC103) go
after the cited ones, keeping their old relative order.  A citation whose numbers
change is rewritten with its ranges recompressed (``[4,5,6]`` → ``[4–6]``) in its
own form: brackets or superscript, its separator and its dash.  A citation whose
numbers do not change is left exactly as written.

Renumbering is refused — with the reason, as one :class:`InputError` line — when
the mapping would be a guess: dangling citations (RC102), duplicate entries
(RC104), a broken list (RC105), malformed citations, author–year or mixed
citations, reference-manager fields, or no numbered reference list.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from refcheck.analysis.citations import BRACKET_RANGE, DASHES, compress_numbers
from refcheck.config import Config
from refcheck.engine import all_rules, read_manuscript, run_rules
from refcheck.model import Block, BlockKind, Citation, InputError, Manuscript, Reference
from refcheck.ooxml.namespaces import PKG_REL_NS, XML_SPACE, W
from refcheck.ooxml.package import (
    STRICT_MARK,
    PackageCopy,
    PackageLimits,
    parse_part,
    rels_name,
    resolve_target,
    serialise,
)
from refcheck.ooxml.runs import ParagraphRuns
from refcheck.ooxml.text import is_run_props, run_child_text
from refcheck.outputs import ZIP_MARK, atomic_write, check_output, default_output, mark_output
from refcheck.reporters import criticmarkup
from refcheck.textformat import decode_file, encode_source

TEXT_FORMATS = ("text", "markdown")
def blocking_rules() -> list[str]:
    """The rules whose findings stop a renumbering (``Rule.blocks_fix``: a dangling
    citation, a duplicate entry, a gap in the list), read from the registry so a
    plugin's rule can block too."""
    return [r.code for r in all_rules() if r.blocks_fix]


_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_UNICODE_SUP = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]")


@dataclass(frozen=True)
class Plan:
    """What to change: the number map, new citation texts, new labels, the new list order."""

    mapping: dict[int, int]
    citations: list[tuple[Citation, str]]  # citations whose text changes, with the new text
    labels: dict[int, str]  # reference block -> new typed label text (label_span replaced)
    groups: list[list[int]]  # each reference's blocks (entry + continuation paragraphs), list order
    order: list[int]  # order[i] = index into groups of the entry that goes into slot i


# ---------------------------------------------------------------------------
# The mapping and the refusals


def _refuse(ms: Manuscript, problem: str) -> InputError:
    return InputError(ms.path, f"cannot renumber: {problem}")


def _where(ms: Manuscript, block: int, line: int | None) -> str:
    if ms.format in TEXT_FORMATS:
        return f"line {line}" if line else f"block {block + 1}"
    container, n = ms.blocks[block].anchor
    return f"paragraph {n + 1}" + ("" if container == "body" else f" of the {container}")


def check_renumberable(ms: Manuscript, config: Config) -> None:
    """Raise :class:`InputError` naming the first reason the number map would be ambiguous."""
    if ms.format not in TEXT_FORMATS + ("docx",):
        raise _refuse(ms, f"renumbering rewrites DOCX and text/Markdown files, not {ms.format}")
    if ms.citation_style == "author-year":
        raise _refuse(ms, "the citations are author–year, not numbered")
    if ms.citation_style == "mixed":
        raise _refuse(ms, "the manuscript mixes numeric and author–year citations (RC106)")
    if any(c.style == "key" for c in ms.citations):
        raise _refuse(ms, "the citations are pandoc citation keys ([@key]); pandoc numbers them when it renders")
    numeric = [c for c in ms.citations if c.style == "numeric"]
    if not numeric:
        raise _refuse(ms, "no numbered citations were found")
    if not any(r.number is not None for r in ms.references):
        raise _refuse(ms, "no numbered reference list was found")
    unnumbered = [r for r in ms.references if r.number is None]
    if unnumbered:
        raise _refuse(ms, f"reference list entry '{unnumbered[0].text[:40]}' has no number")
    bad = next((c for c in numeric if c.malformed or not c.numbers), None)
    if bad is not None:
        why = bad.malformed or "no numbers"
        raise _refuse(ms, f"citation '{bad.text}' at {_where(ms, bad.block, None)} is malformed ({why})")
    for c in numeric:
        fields = ms.blocks[c.block].field_citations
        if any(f.start < c.end and c.start < f.end for f in fields):
            manager = next(f.manager for f in fields if f.start < c.end and c.start < f.end)
            raise _refuse(ms, f"citations are {manager} reference-manager fields; renumber them in the reference manager")
    # Safety checks, not a report: nothing the author silenced may let an ambiguous map through.
    blocking = replace(config, select=blocking_rules(), ignore=[], per_file_ignores={})
    findings = run_rules(ms, blocking, suppressions=False)
    if findings:
        f = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise _refuse(ms, f"{f.code} {f.name} at {_where(ms, f.block, f.line)}: {f.message}{more}")
    blocks = [r.block for r in ms.references]
    if len(set(blocks)) != len(blocks):
        raise _refuse(ms, "two reference entries share one paragraph")


def first_citation_map(citations: Sequence[Citation], references: Sequence[Reference]) -> dict[int, int]:
    """Old number -> new number: first-citation order, uncited entries after, in list order."""
    order: list[int] = []
    seen: set[int] = set()
    for c in citations:
        if c.style != "numeric":
            continue
        for n in sorted(set(c.numbers)):
            if n not in seen:
                seen.add(n)
                order.append(n)
    order += [r.number for r in references if r.number is not None and r.number not in seen]
    return {old: new for new, old in enumerate(order, start=1)}


def render_citation(c: Citation, numbers: Sequence[int]) -> str:
    """The citation's new text: its own brackets/superscript, separator and dash kept."""
    text = c.text
    sup = bool(_UNICODE_SUP.search(text))
    plain = text.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻˒", "0123456789-,"))
    dash_m = re.search(rf"\d\s*([{DASHES}])\s*\d", plain)
    dash = dash_m.group(1) if dash_m else ("-" if sup else "–")
    sep_m = re.search(r"\d(\s*[,;]\s*)\d", plain)
    sep = sep_m.group(1) if sep_m else (", " if "[" in text or "(" in text else ",")
    body = compress_numbers(numbers, dash=dash).replace(", ", sep)
    if BRACKET_RANGE.fullmatch(text):  # PLOS "[1]–[3]"
        nums = sorted(set(numbers))
        if len(nums) >= 3 and nums[-1] - nums[0] == len(nums) - 1:
            return f"[{nums[0]}]{dash}[{nums[-1]}]"
        return f"[{body}]"
    if sup:
        return body.translate(_SUPERSCRIPT_DIGITS).replace("-", "⁻")
    m = re.fullmatch(r"(\D*?)\d(?:.*\d)?(\D*)", plain, re.S)
    prefix, suffix = (m.group(1), m.group(2)) if m else ("", "")
    return f"{prefix}{body}{suffix}"


def _groups(ms: Manuscript) -> list[list[int]]:
    """Each reference's blocks: its own, then the continuation blocks the parser merged in."""
    starts = {r.block for r in ms.references}
    groups = []
    for ref in ms.references:
        group = [ref.block]
        b = ref.block + 1
        while b < len(ms.blocks) and b not in starts and ms.blocks[b].kind is BlockKind.REFERENCE:
            group.append(b)
            b += 1
        groups.append(group)
    return groups


def plan_renumbering(ms: Manuscript, config: Config | None = None) -> Plan:
    """Check the manuscript can be renumbered and work out every change."""
    check_renumberable(ms, config or Config())
    mapping = first_citation_map(ms.citations, ms.references)
    changes = []
    for c in ms.citations:
        if c.style != "numeric":
            continue
        new = [mapping[n] for n in c.numbers]
        if new != list(c.numbers):
            text = render_citation(c, new)
            if text != c.text:
                changes.append((c, text))
    labels: dict[int, str] = {}
    for ref in ms.references:
        assert ref.number is not None  # check_renumberable refused unnumbered entries
        if ref.label_in_text and ref.label_span is None:
            raise _refuse(ms, f"the label of reference {ref.number} cannot be located in its entry")
        if ref.label_span is not None and mapping[ref.number] != ref.number:
            a, b = ref.label_span
            label = ms.blocks[ref.block].text[a:b]
            labels[ref.block] = re.sub(r"\d+", str(mapping[ref.number]), label, count=1)
    order = sorted(range(len(ms.references)), key=lambda i: mapping[ms.references[i].number or 0])
    return Plan(mapping, changes, labels, _groups(ms), order)


# ---------------------------------------------------------------------------
# Text and Markdown


def renumber_text(data: bytes, ms: Manuscript, plan: Plan) -> bytes:
    """Apply ``plan`` to the file bytes; line endings, encoding and BOM kept."""
    decoded = decode_file(data)
    text = decoded.text
    starts = criticmarkup.line_starts(text)
    blocks = ms.blocks

    def span(block: Block, a: int, b: int, what: str) -> tuple[int, int]:
        found = criticmarkup.file_span(block, a, b, starts)
        if found is None:
            raise _refuse(ms, f"{what} has no position in the file")
        return found

    edits: list[tuple[int, int, str]] = []
    for c, new in plan.citations:
        a, b = span(blocks[c.block], c.start, c.end, f"citation '{c.text}'")
        edits.append((a, b, new))
    # Each entry's file text (labels rewritten), then slot i receives entry order[i].
    slots: list[tuple[int, int]] = []
    contents: list[str] = []
    for group in plan.groups:
        first, last = blocks[group[0]], blocks[group[-1]]
        a = span(first, 0, len(first.text), "a reference entry")[0]
        b = span(last, 0, len(last.text), "a reference entry")[1]
        content = text[a:b]
        if group[0] in plan.labels:
            ref = next(r for r in ms.references if r.block == group[0])
            assert ref.label_span is not None
            la, lb = span(first, *ref.label_span, "a reference label")
            content = content[: la - a] + plan.labels[group[0]] + content[lb - a :]
        slots.append((a, b))
        contents.append(content)
    for i, (a, b) in enumerate(slots):
        new = contents[plan.order[i]]
        if new != text[a:b]:
            edits.append((a, b, new))
    edits.sort()
    for (_, b1, _), (a2, _, _) in zip(edits, edits[1:], strict=False):
        if a2 < b1:
            raise _refuse(ms, "a citation overlaps a reference entry in the file")
    out: list[str] = []
    pos = 0
    for a, b, new in edits:
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:])
    result = "".join(out)
    if decoded.encoding in ("cp1252", "latin-1"):
        try:
            result.encode(decoded.encoding)
        except UnicodeEncodeError:  # latin-1 has no en dash: ranges get a hyphen
            result = result.replace("–", "-")
    return encode_source(result, decoded)


# ---------------------------------------------------------------------------
# DOCX


def _set_run_text(run: etree._Element, text: str) -> None:
    """Replace the characters of a run part with ``text`` (its w:rPr and non-text children kept)."""
    texty = [c for c in run if not is_run_props(c) and run_child_text(c) is not None]
    if text:
        t = etree.Element(W + "t")
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
        if texty:
            texty[0].addprevious(t)
        else:
            run.append(t)
    for child in texty:
        run.remove(child)
    if text == "" and all(is_run_props(c) for c in run):
        parent = run.getparent()
        if parent is not None:
            parent.remove(run)


def _replace_spans(para: ParagraphRuns, spans: Sequence[tuple[int, int, str]], ms: Manuscript) -> None:
    """Rewrite block spans of one paragraph: the first run part gets the text, the rest empty."""
    edges = {e for a, b, _ in spans for e in (a, b)}
    para.split(edges)
    for a, b, new in spans:
        parts = [(r, s, e) for r, s, e in para.units if a <= s and e <= b and e > s]
        if "".join(para.block.text[s:e] for _, s, e in parts) != para.block.text[a:b]:
            raise _refuse(ms, f"'{para.block.text[a:b]}' in {_where(ms, para.block.index, None)} "
                              "cannot be mapped back to its runs")
        for k, (run, _s, _e) in enumerate(parts):
            _set_run_text(run, new if k == 0 else "")


def _stories(pkg: PackageCopy, main: str, doc: etree._Element, src: Path) -> dict[str, tuple[str, bytes, etree._Element]]:
    """Container name -> (part name, original bytes, root) for body, footnotes, endnotes."""
    stories = {}
    rels_data = pkg.get(rels_name(main))
    if rels_data:
        for rel in parse_part(rels_data, rels_name(main), src, "renumber").iter(f"{{{PKG_REL_NS}}}Relationship"):
            for container in ("footnotes", "endnotes"):
                if (rel.get("Type") or "").endswith("/" + container) and rel.get("TargetMode") != "External":
                    name = resolve_target(main, rel.get("Target") or "")
                    data = pkg.get(name)
                    if data:
                        stories[container] = (name, data, parse_part(data, name, src, "renumber"))
    return stories


def renumber_docx(src: Path, out: Path, ms: Manuscript, plan: Plan, pkg: PackageCopy | None = None) -> None:
    """Apply ``plan`` to the package at ``src`` (``pkg``: its copy from the bytes the
    reader checked; without it ``src`` is read once, bounded) and write it to ``out``."""
    pkg = pkg if pkg is not None else PackageCopy(src, action="renumber")
    main = pkg.main_part()
    main_data = pkg.get(main)
    if main_data is None or STRICT_MARK in main_data[:4000]:
        raise _refuse(ms, "the main document part is missing or Strict Open XML")
    doc = parse_part(main_data, main, src, "renumber")
    body = doc.find(W + "body")
    if body is None:
        raise _refuse(ms, "the document has no body")
    stories = _stories(pkg, main, doc, src)
    paras = {"body": list(body.iter(W + "p"))}
    for container, (_name, _data, root) in stories.items():
        paras[container] = list(root.iter(W + "p"))
    changed: set[str] = set()

    def paragraph(block: Block) -> etree._Element:
        container, n = block.anchor
        found = paras.get(container, [])
        if not 0 <= n < len(found):
            raise _refuse(ms, f"{_where(ms, block.index, None)} was not found in the package")
        return found[n]

    for index, block_spans in _docx_spans(ms, plan).items():
        block = ms.blocks[index]
        para = ParagraphRuns(paragraph(block), block)
        if not para.mapped:
            raise _refuse(ms, f"the text of {_where(ms, index, None)} cannot be mapped back to its runs")
        _replace_spans(para, block_spans, ms)
        changed.add(block.anchor[0])

    if plan.order != sorted(plan.order):
        _reorder_references(ms, plan, paragraph)
        changed.add("body")

    if "body" in changed:
        pkg.put(main, serialise(doc, main_data))
    for container, (name, data, root) in stories.items():
        if container in changed:
            pkg.put(name, serialise(root, data))
    pkg.write(out)
    with zipfile.ZipFile(out, "a") as zf:
        zf.comment = ZIP_MARK
    mark_output(out)


def _docx_spans(ms: Manuscript, plan: Plan) -> dict[int, list[tuple[int, int, str]]]:
    """Block -> the ``(start, end, new text)`` spans to rewrite in it: citations, then labels."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for c, new in plan.citations:
        spans.setdefault(c.block, []).append((c.start, c.end, new))
    for ref in ms.references:
        if ref.block in plan.labels:
            assert ref.label_span is not None
            spans.setdefault(ref.block, []).append((*ref.label_span, plan.labels[ref.block]))
    return spans


def _reorder_references(ms: Manuscript, plan: Plan, paragraph: Callable[[Block], etree._Element]) -> None:
    """Move the reference entries' paragraphs into the new order (slot i gets entry order[i])."""
    groups = [[paragraph(ms.blocks[b]) for b in group] for group in plan.groups]
    if any(ms.blocks[b].anchor[0] != "body" for group in plan.groups for b in group):
        raise _refuse(ms, "the reference list is not in the document body")
    if any(p.find(f"{W}pPr/{W}sectPr") is not None for group in groups for p in group):
        raise _refuse(ms, "a section break sits inside the reference list")
    holders = []
    for group in groups:
        holder = etree.Element(W + "placeholder")
        group[0].addprevious(holder)
        holders.append(holder)
    for group in groups:
        for p in group:
            p.getparent().remove(p)
    for i, holder in enumerate(holders):
        for p in reversed(groups[plan.order[i]]):
            holder.addnext(p)
        holder.getparent().remove(holder)


# ---------------------------------------------------------------------------
# The command


def renumber_file(
    path: str | Path, output: Path | None = None, config: Config | None = None, force: bool = False,
) -> tuple[Path, dict[int, int]]:
    """Write a renumbered copy of ``path``; return the output path and the old→new map.

    The default output is ``NAME.renumbered.EXT`` beside the input; the input is
    only read.  Raises :class:`InputError` (one line) when the file cannot be read
    or the renumbering would be ambiguous.
    """
    path = Path(path)
    config = config or Config()
    ms = read_manuscript(path, config)
    plan = plan_renumbering(ms, config)
    target = check_output(path, Path(output) if output else default_output(path, "renumbered"), force)
    if ms.raw is None:
        raise _refuse(ms, f"the {ms.format} reader kept no copy of the bytes it checked")
    if ms.format in TEXT_FORMATS:
        new = renumber_text(ms.raw, ms, plan)

        def write_text(tmp: Path) -> None:
            tmp.write_bytes(new)
            mark_output(tmp)

        atomic_write(target, write_text)
    else:
        # The copy is made from the bytes the reader checked, and every entry is
        # inflated and checked before the output is touched.
        pkg = PackageCopy(path, ms.raw, PackageLimits.from_config(config.as_dict()), action="renumber")
        atomic_write(target, lambda tmp: renumber_docx(path, tmp, ms, plan, pkg))
    return target, plan.mapping
