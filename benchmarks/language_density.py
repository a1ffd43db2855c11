"""Findings per 1,000 words of the language and density rules: the seed review vs real articles.

Usage:  python benchmarks/language_density.py [CORPUS_JATS_DIR]

Published, peer-reviewed articles should come out far cleaner than the seed review.
Articles are read with refcheck's JATS reader when it is installed; otherwise each
article is turned into Markdown here with lxml (title, abstract, section headings,
paragraphs with <xref ref-type="bibr"> kept as "[n]", the reference list) and read
as text, so the figures do not depend on the reader being finished.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refcheck.config import config_from_table  # noqa: E402
from refcheck.engine import check, read_manuscript, run_rules  # noqa: E402
from refcheck.model import BlockKind, InputError, Manuscript  # noqa: E402

CODES = ["RC301", "RC302", "RC401", "RC402", "RC403"]
EXAMPLE = ROOT / "examples" / "seed-review.txt"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "jats"


def _text(el) -> str:
    """Inline text of a JATS element with bibliographic xrefs rendered as [n]."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
        if tag == "xref" and child.get("ref-type") == "bibr":
            label = "".join(child.itertext()).strip().strip("[]()")
            parts.append(f"[{label}]" if re.fullmatch(r"[\d,\s–-]+", label or "") else "".join(child.itertext()))
        elif tag in ("table-wrap", "fig", "disp-formula"):
            pass
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def jats_to_markdown(path: Path) -> str:
    """Fallback conversion of a JATS article to Markdown (see the module docstring)."""
    from lxml import etree

    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    out: list[str] = []
    title = root.find(".//article-title")
    if title is not None:
        out.append("# " + _text(title))
    for abstract in root.iter("abstract"):
        out.append("Abstract: " + " ".join(_text(p) for p in abstract.iter("p")))
        break
    body = root.find(".//body")

    def walk(sec, depth: int) -> None:
        for child in sec:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "title":
                out.append("#" * min(depth + 1, 6) + " " + _text(child))
            elif tag == "p":
                out.append(_text(child))
            elif tag == "sec":
                walk(child, depth + 1)

    if body is not None:
        walk(body, 1)
    refs = root.findall(".//ref-list/ref")
    if refs:
        out.append("# References")
        for i, ref in enumerate(refs, 1):
            out.append(f"{i}. " + re.sub(r"\s+", " ", " ".join(ref.itertext())).strip())
    return "\n\n".join(o for o in out if o.strip()) + "\n"


def _read(path: Path) -> tuple[Manuscript, str]:
    try:
        import refcheck.readers.jats  # noqa: F401

        return read_manuscript(path), "jats reader"
    except (ImportError, InputError):
        result = check(jats_to_markdown(path), config_from_table({"select": ["RC1"]}))
        assert result.manuscript is not None
        return result.manuscript, "lxml fallback"


def _words(ms: Manuscript) -> int:
    """Words of running text (the reference list and front matter do not count)."""
    return sum(len(b.text.split()) for b in ms.blocks
               if b.kind not in (BlockKind.REFERENCE, BlockKind.FRONT_MATTER, BlockKind.TITLE))


def rates(ms: Manuscript) -> dict[str, float]:
    findings = run_rules(ms, config_from_table({"select": CODES}))
    words = max(_words(ms), 1)
    out = {c: 1000 * sum(f.code == c for f in findings) / words for c in CODES}
    out["all"] = 1000 * len(findings) / words
    out["words"] = words
    return out


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    files = sorted(p for p in corpus.glob("*") if p.suffix in (".xml", ".nxml"))
    if not files:
        print(f"{corpus}: no JATS articles found", file=sys.stderr)
        return 2
    header = f"{'article':<44} {'words':>6} " + " ".join(f"{c:>6}" for c in CODES) + f" {'all':>6}"
    print("Findings per 1,000 words of running text")
    print(header)
    ex = rates(read_manuscript(EXAMPLE))
    print(f"{'seed review (example)':<44} {ex['words']:>6.0f} " + " ".join(f"{ex[c]:>6.2f}" for c in CODES) + f" {ex['all']:>6.2f}")
    totals = dict.fromkeys([*CODES, "all"], 0.0)
    words = 0
    how = ""
    for path in files:
        try:
            ms, how = _read(path)
        except Exception as exc:  # one bad article must not stop the benchmark
            print(f"{path.name[:44]:<44} skipped: {exc}", file=sys.stderr)
            continue
        r = rates(ms)
        words += r["words"]
        for c in totals:
            totals[c] += r[c] * r["words"] / 1000
        print(f"{path.name[:44]:<44} {r['words']:>6.0f} " + " ".join(f"{r[c]:>6.2f}" for c in CODES) + f" {r['all']:>6.2f}")
    pooled = {c: 1000 * n / max(words, 1) for c, n in totals.items()}
    print(f"{'corpus, pooled (' + str(len(files)) + ' articles, ' + how + ')':<44} {words:>6} "
          + " ".join(f"{pooled[c]:>6.2f}" for c in CODES) + f" {pooled['all']:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
