"""Blind judging packets: what an editor needs to judge a finding, and nothing else.

A packet shows, per finding, the manuscript's title, the section, what the rule
claims (for RC2xx a neutral sentence instead of the message, whose similarity
scores would tell the judge how sure the code was), the flagged words, the
sentence, its paragraph, and the full entries of the references concerned — never
the severity, a score, the code version or the change being tested.  Judges fill
``verdicts-NN.tsv`` (id, verdict, reason); :mod:`merge_verdicts` turns them into labels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from places import refs_key

from refcheck.model import BlockKind, Finding, Manuscript

_CLAIMS = {
    "RC201": "Reference {refs} is off-topic: it has nothing to do with what this manuscript is about.",
    "RC202": "The cited reference {refs} does not match what the citing sentence says (it cannot support the statement it is cited for).",
}
PER_PACKET = 70


def claim(f: Finding) -> str:
    refs = ", ".join(f"[{n}]" for n in f.references)
    template = _CLAIMS.get(f.code)
    return template.format(refs=refs) if template else f.message


def _paragraph(ms: Manuscript, f: Finding, width: int = 1400) -> str:
    text = ms.blocks[f.block].text
    if len(text) <= width:
        return text
    lo = max(0, min(f.start - width // 2, len(text) - width))
    return ("…" if lo else "") + text[lo : lo + width] + ("…" if lo + width < len(text) else "")


def _section_text(ms: Manuscript, f: Finding, width: int = 3000) -> str:
    """The blocks under the flagged heading (RC402), up to the next heading of its level or above."""
    head = ms.blocks[f.block]
    parts: list[str] = []
    for b in ms.blocks[f.block + 1 :]:
        if b.kind is BlockKind.HEADING and (head.kind is not BlockKind.HEADING or b.level <= head.level):
            break
        parts.append(b.text)
        if sum(map(len, parts)) > width:
            break
    return "\n\n".join(parts)[:width]


def _abstract(ms: Manuscript) -> str:
    text = " ".join(b.text for b in ms.blocks if b.kind is BlockKind.ABSTRACT)
    return text[:900]


def entry(run_key: str, ms: Manuscript, f: Finding, fid: str) -> dict[str, Any]:
    refs = []
    for n in list(f.references)[:8]:
        ref = ms.reference(n)
        if ref is not None:
            refs.append(f"[{n}] {ref.text[:500]}")
    e: dict[str, Any] = {
        "id": fid, "manuscript": run_key, "title": ms.title or "", "code": f.code, "rule": f.name,
        "section": f.section, "claim": claim(f), "flagged": f.text[:300], "sentence": f.excerpt,
        "paragraph": _paragraph(ms, f), "references": refs,
    }
    if f.code == "RC201":
        e["abstract"] = _abstract(ms)
    if f.code == "RC402":
        e["section_text"] = _section_text(ms, f)
    return e


def _markdown(entries: list[dict[str, Any]]) -> str:
    out = []
    for e in entries:
        out.append(f"## {e['id']} — {e['code']} {e['rule']}\n")
        out.append(f"- manuscript: {e['manuscript']} — “{e['title']}”")
        out.append(f"- section: {e['section'] or '(none)'}")
        out.append(f"- the rule claims: {e['claim']}")
        out.append(f"- flagged: “{e['flagged']}”")
        out.append(f"- sentence: {e['sentence']}")
        if e["paragraph"] != e["sentence"]:
            out.append(f"- paragraph: {e['paragraph']}")
        for r in e["references"]:
            out.append(f"- reference: {r}")
        if e.get("abstract"):
            out.append(f"- manuscript abstract: {e['abstract']}")
        if e.get("section_text"):
            out.append("- section text:\n\n> " + e["section_text"].replace("\n\n", "\n>\n> "))
        out.append("")
    return "\n".join(out)


def write_packets(todo: list[tuple[Any, Finding]], folder: Path) -> int:
    """Group by manuscript (a judge reads a manuscript whole), ~PER_PACKET findings a packet."""
    folder.mkdir(parents=True, exist_ok=True)
    by_ms: dict[str, list[tuple[Any, Finding]]] = {}
    for run, f in todo:
        by_ms.setdefault(run.key, []).append((run, f))
    packets: list[list[dict[str, Any]]] = [[]]
    index: dict[str, dict[str, str]] = {}
    n = 0
    for key in sorted(by_ms, key=lambda k: -len(by_ms[k])):
        if packets[-1] and len(packets[-1]) + len(by_ms[key]) > PER_PACKET * 1.5:
            packets.append([])
        for run, f in by_ms[key]:
            n += 1
            fid = f"F{n:04d}"
            packets[-1].append(entry(key, run.manuscript, f, fid))
            index[fid] = {"manuscript": key, "code": f.code, "refs": refs_key(f.references),
                          "flagged": f.text, "sentence": f.excerpt}
    for i, entries in enumerate(packets, 1):
        (folder / f"packet-{i:02d}.md").write_text(_markdown(entries), "utf-8")
        (folder / f"verdicts-{i:02d}.tsv").write_text(
            "id\tverdict\treason\n" + "".join(f"{e['id']}\t\t\n" for e in entries), "utf-8")
    (folder / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False), "utf-8")
    return n
