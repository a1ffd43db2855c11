"""``refcheck batch``: a folder of submissions for an editorial desk.

Every manuscript is one independent task (:func:`process_one`) — check it, write its
JSON and annotated copy, return a small plain-data row — so the same task runs in a
local process pool or on a Dask cluster.  The main process keeps a manifest of input
hashes and configuration fingerprints in ``--out`` so a re-run only redoes what
changed, and writes ``summary.csv`` and ``report.html`` from the rows.  Nothing
written carries a timestamp and rows are sorted, so ``--jobs 2`` and ``--jobs 1``
give byte-identical output.

Triage score (documented in the README, "Editorial-desk batch")::

    score = 5 × errors + 2 × warnings + 1 × info findings

higher is worse; unreadable manuscripts sort first.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from refcheck.config import Config, ConfigError
from refcheck.model import InputError, Severity

FAMILIES = ("RC1", "RC2", "RC3", "RC4")
WEIGHTS = {"error": 5, "warning": 2, "info": 1}
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
_OUTPUT_NAME = re.compile(r"\.(refcheck|renumbered)\.[^.]+$")


# -- inputs ---------------------------------------------------------------------

def collect_inputs(inputs: Iterable[str], out: Path) -> list[Path]:
    """Files named by folders (searched recursively), globs and paths; sorted, unique.

    Folders contribute only manuscript suffixes and never refcheck's own outputs or
    anything under ``out``; an explicitly named file is kept whatever it is, so an
    unreadable one becomes an error row instead of vanishing.
    """
    from refcheck.engine import read_suffixes

    found: dict[str, Path] = {}
    out_resolved = out.resolve()
    suffixes = read_suffixes()

    def keep(p: Path, explicit: bool) -> None:
        if not explicit:
            if p.suffix.lower() not in suffixes or _OUTPUT_NAME.search(p.name) or p.name.startswith("~$"):
                return
            if out_resolved in p.resolve().parents:
                return
        found.setdefault(str(p), p)

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file():
                    keep(child, explicit=False)
        elif any(ch in item for ch in "*?["):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputError(item, "the pattern matches no file")
            for m in matches:
                if Path(m).is_file():
                    keep(Path(m), explicit=False)
        else:
            keep(p, explicit=True)
    return [found[k] for k in sorted(found)]


def file_hash(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def output_names(paths: list[Path]) -> dict[str, str]:
    """A short unique name per input for its output files (``paper``, ``paper-2``)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for p in paths:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", p.name) or "manuscript"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        names[str(p)] = name
    return names


# -- the per-manuscript task ----------------------------------------------------

def warm(spacy_model: str | None = None) -> None:
    """Worker initializer: build the spaCy pipeline and load the plugins once."""
    from refcheck.analysis.nlp import get_nlp
    from refcheck.engine import all_rules

    get_nlp(spacy_model)
    all_rules()


def _sequence(result: Any) -> dict[str, Any]:
    """Reference numbers in order of first citation, for the citation-sequence plot."""
    ms = result.manuscript
    first: list[int] = []
    seen: set[int] = set()
    for c in ms.citations:
        for n in c.numbers:
            if n not in seen:
                seen.add(n)
                first.append(n)
    flagged = sorted({n for f in result.findings if f.code == "RC101" for n in f.references})
    return {"numbers": first, "out_of_sequence": flagged, "references": len(ms.references)}


def process_one(path: str, name: str, out: str, config: Config, annotate: bool = True) -> dict[str, Any]:
    """Check one manuscript and write its outputs; return its row (plain data).

    Never raises for a bad manuscript: the row then has ``status: "error"``.
    """
    from refcheck.engine import check_file
    from refcheck.reporters.builtin import result_to_dict
    from refcheck.reporters.common import location

    out_dir = Path(out)
    result = check_file(path, config)
    row: dict[str, Any] = {"name": name, "path": path, "status": "ok", "error": None,
                           "json": None, "annotated": None, "annotate_error": None}
    doc = {"refcheck_batch": MANIFEST_VERSION, **result_to_dict(result)}
    json_rel = f"json/{name}.json"
    _write(out_dir / json_rel, json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    row["json"] = json_rel
    if result.error or result.manuscript is None:
        row.update(status="error", error=result.error or f"{path}: could not be read")
        return row
    ms = result.manuscript
    if annotate and ms.format in ("docx", "text", "markdown"):
        stem, suffix = Path(name).stem, Path(path).suffix
        target = out_dir / "annotated" / f"{stem}.refcheck{suffix}"
        try:
            from refcheck.annotate import annotate_result

            target.parent.mkdir(parents=True, exist_ok=True)
            annotate_result(result, config, output=target, force=True)
            row["annotated"] = target.relative_to(out_dir).as_posix()
        except ImportError:
            row["annotate_error"] = "annotation is not available in this installation"
        except Exception as exc:  # noqa: BLE001 - the JSON and report still stand
            row["annotate_error"] = f"{type(exc).__name__}: {exc}"
    sev = {"error": 0, "warning": 0, "info": 0}
    fam = dict.fromkeys(FAMILIES, 0)
    fam["other"] = 0
    for f in result.findings:
        sev[f.severity.value] += 1
        fam[f.code[:3] if f.code[:3] in fam else "other"] += 1
    row.update(
        title=ms.title or "",
        format=ms.format,
        words=ms.word_count,
        references=len(ms.references),
        citations=len(ms.citations),
        severity=sev,
        families=fam,
        score=sum(WEIGHTS[k] * v for k, v in sev.items()),
        max_rank=max((f.severity.rank for f in result.findings), default=-1),
        sequence=_sequence(result),
        findings=[{"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message,
                   "section": f.section, "text": f.text, "excerpt": f.excerpt, "where": location(f),
                   "references": list(f.references), "suggestion": f.suggestion} for f in result.findings],
    )
    return row


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


# -- executors ------------------------------------------------------------------

Task = tuple[str, str, str, Config]


def run_local(tasks: list[Task], jobs: int, on_done: Callable[[dict[str, Any]], None], spacy_model: str | None) -> None:
    """A process pool with the pipeline built once per worker; in-process for one job."""
    if jobs <= 1 or len(tasks) <= 1:
        warm(spacy_model)
        for t in tasks:
            on_done(process_one(*t))
        return
    from concurrent.futures import ProcessPoolExecutor

    # Warm the parent first: forked workers inherit the imported spaCy, the pipeline
    # and the plugins instead of each importing them again (~1 s of CPU apiece on a
    # machine whose cores are the bottleneck).  Under "spawn" the initializer warms.
    warm(spacy_model)
    # Tasks go out in chunks: one manuscript is often ~0.05 s of work, comparable to
    # a round trip to the pool, so sending them one by one leaves workers waiting.
    chunk = max(1, min(16, len(tasks) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=warm, initargs=(spacy_model,)) as pool:
        for row in pool.map(_process_task, tasks, chunksize=chunk):
            on_done(row)


def _process_task(task: Task) -> dict[str, Any]:
    """:func:`process_one` for one task tuple (``pool.map`` passes one argument)."""
    return process_one(*task)


def run_dask(tasks: list[Task], scheduler: str, on_done: Callable[[dict[str, Any]], None], spacy_model: str | None) -> None:
    """The same task on a Dask distributed cluster (``refcheck[dask]``)."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--executor dask needs Dask: pip install 'refcheck[dask]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    try:
        client.run(warm, spacy_model)
        futures = [client.submit(process_one, *t, key=f"refcheck-{hashlib.sha1(t[0].encode()).hexdigest()}-{t[3].fingerprint()}", pure=False)
                   for t in tasks]
        for fut in as_completed(futures):
            on_done(fut.result())
    finally:
        client.close()


# -- the batch ------------------------------------------------------------------

def _sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["status"] != "error", -row.get("score", 0), row["name"])


def write_summary(rows: list[dict[str, Any]], path: Path) -> None:
    """``summary.csv``: one row per manuscript, worst first."""
    fields = ["manuscript", "path", "status", "error", "triage_score", "errors", "warnings", "info",
              *FAMILIES, "other_rules", "words", "references", "citations", "annotated", "json"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(fields)
        for r in rows:
            if r["status"] == "error":
                w.writerow([r["name"], r["path"], "error", r["error"], "", "", "", "", "", "", "", "", "", "", "", "", "",
                            r.get("json") or ""])
                continue
            sev, fam = r["severity"], r["families"]
            w.writerow([r["name"], r["path"], "ok", r.get("annotate_error") or "", r["score"], sev["error"],
                        sev["warning"], sev["info"], *(fam[f] for f in FAMILIES), fam["other"], r["words"],
                        r["references"], r["citations"], r.get("annotated") or "", r["json"]])


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") == MANIFEST_VERSION and isinstance(data.get("entries"), dict):
            return data["entries"]
    except (OSError, ValueError):
        pass
    return {}


def _progress(total: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """A rich progress bar on a terminal; nothing otherwise (logs stay quiet)."""
    if not sys.stderr.isatty() or total == 0:
        return (lambda: None), (lambda: None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    class Rate(TextColumn):
        def render(self, task: Any) -> Any:  # files per second
            from rich.text import Text

            return Text(f"{task.speed or 0:.1f} files/s")

    progress = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), Rate(""),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = progress.add_task("batch", total=total)
    progress.start()
    return (lambda: progress.advance(task)), progress.stop


def run_batch(args: Any, config: Config) -> int:
    """Run the batch described by the CLI arguments; return the exit code."""
    out = Path(args.out)
    paths = collect_inputs(args.inputs, out)
    if not paths:
        from refcheck.engine import read_suffixes

        raise InputError(" ".join(args.inputs), "no manuscripts found (looked for " + ", ".join(sorted(read_suffixes())) + ")")
    out.mkdir(parents=True, exist_ok=True)
    names = output_names(paths)
    fingerprint = config.fingerprint()
    manifest_path = out / MANIFEST
    old = {} if args.force else _load_manifest(manifest_path)
    entries: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    tasks: list[Task] = []
    for p in paths:
        key = str(p)
        digest = file_hash(p)
        prev = old.get(key)
        if (prev and digest and prev.get("sha256") == digest and prev.get("config") == fingerprint
                and prev.get("row", {}).get("name") == names[key] and _outputs_exist(out, prev["row"])):
            rows[key] = prev["row"]
            entries[key] = prev
            continue
        entries[key] = {"sha256": digest, "config": fingerprint}
        tasks.append((key, names[key], str(out), config))
    advance, stop = _progress(len(tasks))

    def done(row: dict[str, Any]) -> None:
        rows[row["path"]] = row
        entries[row["path"]]["row"] = row
        advance()

    try:
        if args.executor == "dask":
            if not args.scheduler:
                raise ConfigError("--executor dask needs --scheduler tcp://HOST:8786")
            run_dask(tasks, args.scheduler, done, config.spacy_model)
        else:
            jobs = args.jobs or os.cpu_count() or 1
            run_local(tasks, jobs, done, config.spacy_model)
    finally:
        stop()
    ordered = sorted(rows.values(), key=_sort_key)
    write_summary(ordered, out / "summary.csv")
    from refcheck.reporters.html import render_report

    _write(out / "report.html", render_report(ordered, weights=WEIGHTS))
    # Compact: with indent, json falls back to its pure-Python encoder, and the
    # manifest (every row with its findings) is the parent's largest serial write.
    _write(manifest_path, json.dumps({"version": MANIFEST_VERSION, "entries": {k: entries[k] for k in sorted(entries)}},
                                     sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    errors = [r for r in ordered if r["status"] == "error"]
    skipped = len(paths) - len(tasks)
    print(f"refcheck batch: {len(paths)} manuscript{'s' if len(paths) != 1 else ''} "
          f"({len(tasks)} checked, {skipped} unchanged, {len(errors)} unreadable) → {out}", file=sys.stderr)
    for r in errors:
        print(f"refcheck: error: {r['error']}", file=sys.stderr)
    if errors:
        return 2
    fail_on = config.fail_on if isinstance(config.fail_on, Severity) else Severity(config.fail_on)
    return 1 if any(r.get("max_rank", -1) >= fail_on.rank for r in ordered) else 0


def _outputs_exist(out: Path, row: dict[str, Any]) -> bool:
    return all((out / rel).is_file() for rel in (row.get("json"), row.get("annotated")) if rel)
