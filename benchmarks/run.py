"""refcheck's benchmark: the seven figures of issue 7, each against its floor.

Every figure is the median of several runs, and its floor is measured in the same
run on the same machine, so the ratio is what matters, not the absolute seconds.

    python benchmarks/run.py            # full run (several minutes on 2 cores)
    python benchmarks/run.py --quick    # tiny inputs, one repetition (the smoke test)

Optional parts are guarded: a figure whose module is absent (proselint not
installed, refcheck.batch missing) prints "n/a" with the reason.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_TXT = ROOT / "examples" / "seed-review.txt"
EXAMPLE_DOCX = ROOT / "examples" / "seed-review.docx"
CORPUS_JATS = ROOT.parent / "shared" / "corpus" / "jats"
PY = sys.executable

Row = tuple[str, str, str, str, str]  # figure, refcheck, floor, ratio, target


def median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_child(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_maxrss / 1024, proc.returncode


# --- inputs ------------------------------------------------------------------------


def _example_parts() -> tuple[list[str], str]:
    """Body paragraphs and the reference section of the example."""
    text = EXAMPLE_TXT.read_text(encoding="utf-8")
    body, _, refs = text.partition("\nReferences\n")
    paras = [p.strip() for p in body.split("\n\n") if len(p.split()) > 20]
    return paras, "References\n" + refs


def _corpus_paragraphs(limit_words: int) -> list[str]:
    """Plain paragraphs from the JATS corpus (tags stripped), for variety."""
    out: list[str] = []
    words = 0
    if not CORPUS_JATS.is_dir():
        return out
    for f in sorted(CORPUS_JATS.glob("*.xml")):
        body = f.read_text(encoding="utf-8", errors="replace")
        for p in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
            p = re.sub(r"<[^>]+>", "", p).strip()
            if len(p.split()) > 20:
                out.append(re.sub(r"\s+", " ", p))
                words += len(p.split())
                if words >= limit_words:
                    return out
    return out


def build_manuscript(words: int) -> str:
    """A manuscript of about ``words`` words: the example's body and corpus
    paragraphs, repeated, under section headings, then the example's references."""
    paras, refs = _example_parts()
    pool = paras + _corpus_paragraphs(50_000)
    out = ["Mesenchymal stem cells from the umbilical cord in acute liver failure", "Introduction"]
    n = 0
    i = 0
    while n < words:
        p = pool[i % len(pool)]
        out.append(p)
        n += len(p.split())
        i += 1
        if i % 40 == 0:
            out.append(f"{i // 40}. Results part {i // 40}")
    return "\n\n".join(out) + "\n\n" + refs


# --- figures -----------------------------------------------------------------------


def fig_cold_start(reps: int) -> Row:
    ours = statistics.median(run_child([PY, "-m", "refcheck.cli", "check", str(EXAMPLE_DOCX)])[0] for _ in range(reps))
    floor = statistics.median(
        run_child([PY, "-c", "import spacy, docx; spacy.blank('en')"])[0] for _ in range(reps)
    )
    return ("1 cold start (check seed-review.docx)", f"{ours:.2f} s", f"{floor:.2f} s import spacy+docx",
            f"{ours / floor:.2f}x", "<= 1.3x")


def _proselint() -> tuple[object, dict] | None:
    """proselint's LintFile and a config without the error cap, checks registered as
    its command line does (LintFile alone runs no check at all)."""
    try:
        from proselint.checks import __register__
        from proselint.config import DEFAULT
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
    except ImportError:
        return None
    registry = CheckRegistry()
    if not registry.checks:
        registry.register_many(__register__)
    return LintFile, {**DEFAULT, "max_errors": 10**9}


def _proselint_words_per_s(text: str) -> float | None:
    found = _proselint()
    if found is None:
        return None
    LintFile, config = found
    t = time.perf_counter()
    LintFile("bench.txt", content=text).lint(config)
    return len(text.split()) / (time.perf_counter() - t)


def fig_throughput(sizes: list[int], reps: int, tmp: Path) -> tuple[list[Row], dict[int, float], Path]:
    from refcheck.analysis.nlp import get_nlp
    from refcheck.config import Config
    from refcheck.engine import check_file

    nlp = get_nlp(None)
    rows: list[Row] = []
    per_size: dict[int, float] = {}
    largest = tmp
    check_file(EXAMPLE_TXT, Config())  # warm: imports, lexicons, pipeline
    for words in sizes:
        text = build_manuscript(words)
        path = tmp / f"manuscript-{words}.txt"
        path.write_text(text, encoding="utf-8")
        largest = path
        n_words = len(text.split())
        ours = median_time(lambda p=path: check_file(p, Config()), reps)
        paras = text.split("\n\n")
        floor = median_time(lambda ps=paras: [nlp.make_doc(p) for p in ps], reps)
        per_size[words] = ours
        prose = _proselint_words_per_s(text) if words <= 50_000 else None
        prose_note = f"; proselint {prose:,.0f} w/s" if prose else ""
        rows.append((f"2 warm check, {n_words:,} words", f"{ours:.2f} s ({n_words / ours:,.0f} w/s)",
                     f"{floor:.2f} s spaCy tokenize{prose_note}", f"{ours / floor:.1f}x"
                     + (f"; {n_words / ours / prose:.1f}x proselint speed" if prose else ""),
                     "<= 3x tokenize; >= 2x proselint"))
    ks = sorted(per_size)
    for a, b in zip(ks, ks[1:], strict=False):
        rows.append((f"2 scaling {a:,} -> {b:,} words", f"{per_size[b] / per_size[a]:.1f}x time",
                     f"{b / a:.0f}x words", f"{per_size[b] / per_size[a] / (b / a):.2f}",
                     "<= 1.1 (time ratio / words ratio)"))
    return rows, per_size, largest


def fig_relevance(n_refs: int, reps: int, tmp: Path) -> Row:
    try:
        import refcheck.analysis.scorer  # noqa: F401
    except ImportError as exc:
        return ("3 relevance", "n/a", str(exc), "", "well under 1 s")
    from refcheck.config import Config
    from refcheck.engine import read_manuscript, run_rules

    paras, _ = _example_parts()
    titles = _corpus_titles(n_refs)
    refs = "\n\n".join(f"[{i}] Author{i} A, Writer B, 2020, {titles[(i - 1) % len(titles)]}. "
                       f"Journal of Studies, {i}(1): 1-9." for i in range(1, n_refs + 1))
    cites = " ".join(f"As shown before [{i}]." for i in range(1, n_refs + 1))
    path = tmp / "relevance.txt"
    path.write_text("A review\n\nIntroduction\n\n" + "\n\n".join(paras[:10]) + "\n\n" + cites
                    + "\n\nReferences\n\n" + refs, encoding="utf-8")
    ms = read_manuscript(path)
    cfg = Config(select=["RC2"])
    run_rules(ms, cfg)
    ours = median_time(lambda: run_rules(ms, cfg), reps)
    return (f"3 relevance, {len(ms.references)} references", f"{ours:.2f} s", "-", "-", "well under 1 s")


def _corpus_titles(n: int) -> list[str]:
    titles: list[str] = []
    if CORPUS_JATS.is_dir():
        for f in sorted(CORPUS_JATS.glob("*.xml")):
            text = f.read_text(encoding="utf-8", errors="replace")
            for t in re.findall(r"<article-title>(.*?)</article-title>", text, flags=re.S):
                t = re.sub(r"<[^>]+>|\s+", " ", t).strip()
                if len(t.split()) >= 4:
                    titles.append(t)
    return titles[:n] or ["Umbilical cord mesenchymal stem cells in acute liver failure"]


def fig_annotation(pages: int, comments: int, reps: int, tmp: Path) -> Row:
    try:
        from refcheck.reporters.docx_comments import Note, annotate_docx
    except ImportError as exc:
        return ("4 annotation", "n/a", str(exc), "", "<= 2x")
    import docx

    from refcheck.engine import read_manuscript

    paras, _ = _example_parts()
    d = docx.Document()
    d.add_heading("A long manuscript", 0)
    for i in range(pages * 5):  # ~5 paragraphs of ~100 words per page
        d.add_paragraph(paras[i % len(paras)])
    src = tmp / "long.docx"
    d.save(src)
    ms = read_manuscript(src)
    blocks = [b for b in ms.blocks if len(b.text) > 40]
    notes = []
    for k in range(comments):
        b = blocks[k % len(blocks)]
        s = (k // len(blocks)) * 7 % max(1, len(b.text) - 10)
        notes.append(Note(b.index, s, s + 8, f"refcheck finding {k}"))
    out = tmp / "long.annotated.docx"
    ours = median_time(lambda: annotate_docx(src, out, ms.blocks, notes), reps)
    floor = median_time(lambda: docx.Document(src).save(tmp / "long.resaved.docx"), reps)
    return (f"4 annotate {comments} comments, {pages}-page DOCX", f"{ours:.2f} s",
            f"{floor:.2f} s python-docx open+save", f"{ours / floor:.2f}x", "<= 2x")


def fig_batch(n: int, tmp: Path) -> list[Row]:
    try:
        import refcheck.batch  # noqa: F401
    except ImportError as exc:
        return [("5 batch", "n/a", str(exc), "", ">= 1.7x")]
    src = tmp / "batch-in"
    src.mkdir()
    text = EXAMPLE_TXT.read_text(encoding="utf-8")
    for i in range(n):
        (src / f"m{i:03d}.txt").write_text(text.replace("Introduction", f"Introduction {i}", 1), encoding="utf-8")
    results = {}
    for jobs in (1, 2):
        secs, rss, code = run_child([PY, "-m", "refcheck.cli", "batch", str(src), "--out", str(tmp / f"out{jobs}"),
                                     "--jobs", str(jobs), "--force"])
        results[jobs] = (secs, rss, code)
    s1, s2 = results[1][0], results[2][0]
    return [(f"5 batch {n} manuscripts --jobs 2", f"{s2:.1f} s", f"{s1:.1f} s --jobs 1",
             f"{s1 / s2:.2f}x speed-up", ">= 1.7x"),
            ("6 peak RSS, batch parent (--jobs 1)", f"{results[1][1]:.0f} MB", "-", "-", "per worker <= 400 MB")]


def fig_memory(path: Path) -> Row:
    secs, rss, code = run_child([PY, "-m", "refcheck.cli", "check", "--format", "json", str(path)])
    words = len(path.read_text(encoding="utf-8").split())
    return (f"6 peak RSS, check {words:,} words", f"{rss:.0f} MB", f"({secs:.1f} s, exit {code})", "-", "<= 400 MB")


def fig_proselint_example(reps: int) -> Row:
    text = EXAMPLE_TXT.read_text(encoding="utf-8")
    found = _proselint()
    if found is None:
        return ("7 proselint on the example", "n/a", "proselint not installed", "", "context")
    LintFile, config = found
    from refcheck.config import Config
    from refcheck.engine import check_file

    prose = median_time(lambda: LintFile("seed-review.txt", content=text).lint(config), reps)
    ours = median_time(lambda: check_file(EXAMPLE_TXT, Config()), reps)
    return ("7 example text: refcheck vs proselint", f"{ours:.2f} s", f"{prose:.2f} s proselint",
            f"{ours / prose:.2f}x", "context only")


def render(rows: list[Row]) -> str:
    head = ("figure", "refcheck", "floor / peer", "ratio", "target")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"
    sep = "| " + " | ".join("-" * w for w in widths) + " |"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, sep, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="refcheck benchmarks (issue 7)")
    parser.add_argument("--quick", action="store_true", help="tiny inputs, one repetition (smoke test)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per timing (median)")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else args.reps
    sizes = [500, 5_000] if args.quick else [5_000, 50_000, 500_000]
    print(f"refcheck benchmarks, {date.today()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs{' (quick)' if args.quick else ''}", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        rows.append(fig_cold_start(reps if args.quick else max(reps, 5)))
        tp_rows, _, largest = fig_throughput(sizes, 1 if sizes[-1] >= 500_000 and not args.quick else reps, tmp)
        rows += tp_rows
        rows.append(fig_relevance(20 if args.quick else 300, reps, tmp))
        rows.append(fig_annotation(5 if args.quick else 100, 20 if args.quick else 1000, reps, tmp))
        rows += fig_batch(4 if args.quick else 200, tmp)
        rows.append(fig_memory(largest))
        rows.append(fig_proselint_example(reps))
    print(render(rows))
    # The figures are only as good as the machine was idle: say how busy it was.
    print(f"load average at the end (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
