"""Scaling of ``refcheck check`` against input size, on the four shapes of issue 18.

Each shape is built at a small and a large size (10x apart) and run as a real
``refcheck check`` child process with every rule, so the figures are the whole
pipeline's: wall seconds and the child's peak RSS (``os.wait4``).  A linear (or
n log n) stage costs about 10x for 10x the size; a quadratic one costs 100x, which
is what the table's "x time" column shows at a glance.

    python benchmarks/scaling.py            # full sizes (a few minutes on 2 cores)
    python benchmarks/scaling.py --quick    # tiny sizes, for the smoke test

Shapes:

1. one paragraph of many numeric citations (20k -> 200k citations);
2. many references whose titles share a long prefix (2,000 -> 20,000 entries);
3. one DOCX paragraph of many runs with no full stop (20k -> 200k runs);
4. many short cited paragraphs (5k -> 50k paragraphs);
5. three text manuscripts just under the default ``max_text_mb`` (ordinary prose,
   nothing but citations, one-letter words): the peak memory the README states.

The targets (issue 18): the large size of shapes 1-4 under 30 s, 10x the size costing
at most 12x the time, and peak RSS at the default text limit at most 1 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DOCX = ROOT / "examples" / "seed-review.docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TITLE = "Liver transplantation outcomes after normothermic machine perfusion"


def run_child(path: Path, timeout: float) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of ``refcheck check PATH``.

    The working directory is a fresh temporary folder, so no project configuration
    changes the limits or the rules being measured."""
    argv = [sys.executable, "-m", "refcheck.cli", "check", str(path), "--format", "json", "--exit-zero"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=path.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return float("inf"), usage.ru_maxrss / 1024, -9
        time.sleep(0.05)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"  (exit {code}: {err.strip()[-300:]})", file=sys.stderr)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, code


# --- shapes ------------------------------------------------------------------------------


def _surname(i: int) -> str:
    """A distinct alphabetic surname per entry ("Abbott", "Bbbott", …): the reference
    parser reads a name with digits in it as something else."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
        if i == 0:
            return (letters + "ott").capitalize()


def _references(n: int, shared_prefix: bool = False) -> str:
    """Numbered entries; with ``shared_prefix`` every title starts with the same 60
    characters (the shape that made RC104's prefix blocks quadratic)."""
    out = []
    for i in range(1, n + 1):
        if shared_prefix:  # one year: the year test cannot end the comparison; short, to fit 4 MB
            out.append(f"[{i}] {_surname(i)} A. Normothermic machine perfusion of donor livers before "
                       f"transplantation: cohort {i}. J Things. 2019;{i % 40 + 1}:1-9.")
            continue
        out.append(f"[{i}] {_surname(i)} A, Writer B. Study number {i} of liver transplantation outcomes. "
                   f"Journal of Things. {2005 + i % 20};{i % 40 + 1}(2):{i}-{i + 9}. doi:10.1000/ref.{i}")
    return "\n\n".join(out)


def citations_paragraph(n: int, folder: Path) -> Path:
    """One paragraph holding ``n`` bracketed citations (about 11 characters each)."""
    words = ("liver", "graft", "donor", "perfusion", "outcome", "injury")
    body = " ".join(f"{words[i % 6]} [{i % 30 + 1}]" for i in range(n)) + "."
    path = folder / f"citations-{n}.txt"
    path.write_text(f"{TITLE}\n\nIntroduction\n\n{body}\n\nReferences\n\n{_references(30)}\n", "utf-8")
    return path


def shared_prefix_references(n: int, folder: Path) -> Path:
    """``n`` references with one shared title prefix, each cited once."""
    body = "\n\n".join(f"Perfusion improved graft survival in cohorts [{i}–{min(i + 19, n)}]." for i in range(1, n + 1, 20))
    path = folder / f"references-{n}.txt"
    path.write_text(f"{TITLE}\n\nIntroduction\n\n{body}\n\nReferences\n\n{_references(n, shared_prefix=True)}\n", "utf-8")
    return path


def _para(runs: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def _run(text: str, superscript: bool = False) -> str:
    rpr = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>' if superscript else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def docx_runs(n: int, folder: Path) -> Path:
    """One DOCX paragraph of ``n`` runs and no full stop: words about the title's
    subject with a superscript citation every tenth run (one long "sentence")."""
    words = ("normothermic", "perfusion", "of", "donor", "livers", "improved", "graft", "survival", "in", "cohorts",
             "bile", "duct", "injury", "after", "circulatory", "death", "and", "lactate", "clearance", "with")
    pick = random.Random(n).choice  # varied enough that the package stays under the 200:1 ratio limit
    runs = "".join(_run(f"{i % 2 + 1}", True) if i % 10 == 9 else _run(pick(words) + " ") for i in range(n))
    refs = "".join(_para(_run(f"{i}. Author{i} A. Study {i} of machine perfusion in kidney grafts. J Things. 2019;{i}:1-9."))
                   for i in range(1, 31))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
        + _para(_run(TITLE), "Title") + _para(_run("Introduction"), "Heading1") + _para(runs)
        + _para(_run("References"), "Heading1") + refs + "</w:body></w:document>"
    ).encode()
    path = folder / f"runs-{n}.docx"
    with zipfile.ZipFile(EXAMPLE_DOCX) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, document if info.filename == "word/document.xml" else src.read(info))
    return path


def many_paragraphs(n: int, folder: Path) -> Path:
    """``n`` short paragraphs, each one cited sentence."""
    body = "\n\n".join(f"Paragraph {i} shows that perfusion changed outcomes [{i % 30 + 1}]." for i in range(n))
    path = folder / f"paragraphs-{n}.txt"
    path.write_text(f"{TITLE}\n\nIntroduction\n\n{body}\n\nReferences\n\n{_references(30)}\n", "utf-8")
    return path


def _prose_paragraph(k: int) -> str:
    sentence = ("Normothermic machine perfusion reduced early allograft dysfunction in donor livers "
                "when compared with static cold storage [{}].")
    return " ".join(sentence.format((k + j) % 30 + 1) for j in range(6))


def _citations_paragraph(k: int) -> str:
    return " ".join(f"[{(k + j) % 30 + 1}]" for j in range(2000))


def _letters_paragraph(k: int) -> str:
    pick = random.Random(k).choice
    return " ".join(pick("abcxy()-!?") for _ in range(1000)) + " [3]."


#: The texts of shape 5, each filled to just under the limit: ordinary cited prose,
#: nothing but citations, and one-character words (the most tokens per megabyte).
LIMIT_TEXTS: dict[str, Callable[[int], str]] = {
    "prose": _prose_paragraph, "only citations": _citations_paragraph, "one-letter words": _letters_paragraph}


def at_text_limit(mb: float, folder: Path, kind: str = "prose") -> Path:
    """Paragraphs of ``kind`` (:data:`LIMIT_TEXTS`) up to just under ``mb`` megabytes."""
    refs = _references(30)
    target = int(mb * 1024 * 1024) - len(refs) - 4096
    path = folder / f"limit-{kind.replace(' ', '-')}-{mb:g}mb.txt"
    size = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{TITLE}\n\nIntroduction\n\n")
        k = 0
        while True:
            para = LIMIT_TEXTS[kind](k) + "\n\n"
            if size + len(para) > target:
                break
            fh.write(para)
            size += len(para)
            k += 1
        fh.write(f"References\n\n{refs}\n")
    return path


SHAPES: list[tuple[str, Callable[[int, Path], Path], tuple[int, int], tuple[int, int]]] = [
    # name, builder, (quick sizes), (full sizes)
    ("citations in one paragraph", citations_paragraph, (2_000, 20_000), (20_000, 200_000)),
    ("references, shared title prefix", shared_prefix_references, (200, 2_000), (2_000, 20_000)),
    ("runs in one DOCX paragraph", docx_runs, (2_000, 20_000), (20_000, 200_000)),
    ("paragraphs", many_paragraphs, (500, 5_000), (5_000, 50_000)),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (the smoke test)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds before a run counts as a hang")
    ap.add_argument("--only", type=int, choices=range(1, 6), help="run one shape (1-5)")
    args = ap.parse_args(argv)

    from refcheck.limits import DEFAULT_MAX_TEXT_MB

    print("| # | shape | size | seconds | peak MB | x size | x time |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="refcheck-scaling-") as tmp:
        folder = Path(tmp)
        for k, (name, build, quick, full) in enumerate(SHAPES, 1):
            if args.only and args.only != k:
                continue
            sizes = quick if args.quick else full
            times: list[float] = []
            for size in sizes:
                path = build(size, folder)
                seconds, rss, code = run_child(path, args.timeout)
                path.unlink()
                ratio_size = f"{size / sizes[0]:g}" if times else "1"
                ratio_time = f"{seconds / times[0]:.1f}" if times and times[0] > 0 else "1"
                times.append(seconds)
                shown = f"> {args.timeout:.0f} (killed)" if code == -9 else f"{seconds:.1f}" + (f" (exit {code})" if code else "")
                print(f"| {k} | {name} | {size:,} | {shown} | {rss:.0f} | {ratio_size} | {ratio_time} |", flush=True)
            if len(times) == 2 and times[0] > 0:
                worst = max(worst, times[1] / times[0])
        peak = 0.0
        for kind in LIMIT_TEXTS if not args.only or args.only == 5 else ():
            mb = 0.25 if args.quick else DEFAULT_MAX_TEXT_MB * 0.98
            path = at_text_limit(mb, folder, kind)
            seconds, rss, code = run_child(path, args.timeout)
            peak = max(peak, rss)
            shown = f"> {args.timeout:.0f} (killed)" if code == -9 else f"{seconds:.1f}" + (f" (exit {code})" if code else "")
            print(f"| 5 | {kind}, a text file at {'0.25 MB' if args.quick else 'the default limit'} "
                  f"(limit {DEFAULT_MAX_TEXT_MB:g} MB) | {path.stat().st_size:,} B | {shown} | {rss:.0f} | | |", flush=True)
            path.unlink()
    if worst:
        print(f"\nworst time ratio for 10x the size: {worst:.1f}x (target <= 12x)")
    if peak:
        print(f"peak RSS of the texts at {'0.25 MB' if args.quick else 'the default limit'}: {peak:.0f} MB "
              "(target <= 1024 MB at the default limit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
