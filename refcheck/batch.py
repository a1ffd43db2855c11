"""``refcheck batch``: a folder of submissions for an editorial desk.

Every manuscript is one independent task (:func:`process_one`) — check it, write its
JSON and annotated copy, return a small plain-data row — so the same task runs in a
local process pool or on a Dask cluster.  The main process keeps a manifest of input
hashes and configuration fingerprints in ``--out`` so a re-run only redoes what
changed, and writes ``summary.csv`` and ``report.html`` from the rows.  Nothing
written carries a timestamp and rows are sorted, so ``--jobs 2`` and ``--jobs 1``
give byte-identical output.

Triage score (documented in the README, "Editorial-desk batch")::

    score = 1000 × Σ_findings severity_weight × precision(rule, severity)
            / max(words of text, 1000)

``severity_weight`` is :data:`SEVERITY_WEIGHTS` (error 3, warning 1, info 0.25);
``precision`` is how often the rule is right at that severity, as measured on
editor-labelled manuscripts (:meth:`refcheck.rule.Rule.precision_for`).  The raw
count of findings ranked long, well-referenced reviews above short bad ones and
counted a rule that is right one time in five like one that is always right: this
is the expected number of *real* problems per 1,000 words.  Words of text exclude
the reference list (199 references do not make a review cleaner); a text shorter
than 1,000 words counts as 1,000, so one finding in a 200-word note does not top
the list.  Higher is worse; manuscripts that could not be read or annotated sort
first.

Inputs: folders are walked for manuscript suffixes, skipping hidden folders
(``.git/``), refcheck's own outputs and files that are not manuscripts by name
(README, CHANGELOG, LICENSE, … — :data:`refcheck.inputs.NOT_MANUSCRIPT`, the pre-commit hook's
exclude).  Skipped files are listed in the summary.  Output names keep the path
relative to the folder given, and two inputs that would still share a name get a
stable suffix from their folder's path, so no output overwrites another.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refcheck.config import Config, ConfigError
from refcheck.families import rule_families
from refcheck.inputs import NOT_MANUSCRIPT, OUTPUT_NAME
from refcheck.model import BlockKind, InputError, Severity
from refcheck.rule import Family, count_by_family
from refcheck.triage import MIN_WORDS, SEVERITY_WEIGHTS, rule_precision, triage_score

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
STATUS_ORDER = {"error": 0, "annotation-failed": 1, "ok": 2, "skipped": 3}


# -- inputs ---------------------------------------------------------------------

@dataclass
class Inputs:
    """What the INPUT arguments name: manuscripts with their output name's base, and the
    files and folders left out, each with the reason (listed in the summary)."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [p for p, _ in self.files]


def batch_options(args: Any = None) -> dict[str, Any]:
    """The command line's ``--exclude REGEX`` (more files to skip, matched against the
    path relative to the folder given) and ``--no-default-exclude`` (take README-like
    files and walk hidden folders too)."""
    extra = list(getattr(args, "exclude", None) or [])
    try:
        patterns = [re.compile(str(x)) for x in extra]
    except re.error as exc:
        raise ConfigError(f"--exclude: {exc}") from None
    return {"exclude": patterns, "default": not getattr(args, "no_default_exclude", False)}


def collect_inputs(inputs: Iterable[str], out: Path, options: dict[str, Any] | None = None) -> Inputs:
    """Manuscripts named by folders (searched recursively), globs and paths; sorted, unique.

    Folders and globs contribute only manuscript suffixes and never refcheck's own
    outputs, anything under ``out``, hidden folders or README-like files; an
    explicitly named file is kept whatever it is, so an unreadable one becomes an
    error row instead of vanishing.
    """
    from refcheck.engine import read_suffixes

    opts = options or batch_options()
    found: dict[str, tuple[Path, str]] = {}
    skipped: dict[str, str] = {}
    out_resolved = out.resolve()
    suffixes = read_suffixes()

    def why_not(p: Path, rel: str) -> str | None:
        if OUTPUT_NAME.search(p.name):
            return "refcheck output"
        if opts["default"] and NOT_MANUSCRIPT.match(p.name):
            return "not a manuscript (README, licence, changelog …)"
        if any(rx.search(rel) for rx in opts["exclude"]):
            return "excluded by --exclude"
        return None

    def keep(p: Path, rel: str, explicit: bool) -> None:
        if not explicit:
            if p.suffix.lower() not in suffixes or p.name.startswith("~$"):
                return
            if out_resolved in p.resolve().parents:
                return
            reason = why_not(p, rel)
            if reason:
                skipped.setdefault(str(p), reason)
                return
        found.setdefault(str(p), (p, rel))

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for child, rel in _walk(p, opts["default"], out_resolved, skipped):
                keep(child, rel, explicit=False)
        elif any(ch in item for ch in "*?["):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputError(item, "the pattern matches no file")
            for m in matches:
                if Path(m).is_file():
                    keep(Path(m), Path(m).name, explicit=False)
        else:
            keep(p, p.name, explicit=True)
    return Inputs([found[k] for k in sorted(found)],
                  [(k, skipped[k]) for k in sorted(skipped) if k not in found])


def _walk(root: Path, skip_hidden: bool, out: Path, skipped: dict[str, str]) -> Iterable[tuple[Path, str]]:
    """Files under ``root`` with their path relative to it; hidden folders are not
    entered (a ``.git/`` holds thousands of files and no submission) but listed once."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        kept = []
        for d in sorted(dirs):
            sub = here / d
            if skip_hidden and d.startswith("."):
                skipped.setdefault(str(sub) + "/", "hidden folder, not searched")
            elif sub.resolve() != out:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            if skip_hidden and name.startswith("."):
                continue
            child = here / name
            if child.is_file():
                yield child, child.relative_to(root).as_posix()


def file_hash(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


_UNSAFE = re.compile(r"[^\w .,()+@~-]+")


def output_names(files: list[tuple[Path, str]]) -> dict[str, str]:
    """A unique output name per input: its path relative to the folder given
    (``a/paper.docx``), with a stable suffix (``paper~3f2a1c.docx``, from a hash of its
    folder's absolute path) for inputs that would still share one.

    Names compare case-insensitively (a desk may copy the outputs to a Mac) and always
    end with the input's own suffix, so ``Path(name).stem`` is the stem.
    """
    bases: dict[str, str] = {}
    for p, rel in files:
        parts = [(_UNSAFE.sub("_", part).strip(" .") or "manuscript") for part in rel.split("/") if part not in ("", ".", "..")]
        bases[str(p)] = "/".join(parts) or "manuscript"
    counts: dict[str, int] = {}
    for b in bases.values():
        counts[b.lower()] = counts.get(b.lower(), 0) + 1
    names: dict[str, str] = {}
    used: set[str] = set()
    for p, _ in files:
        base = bases[str(p)]
        name = base
        if counts[base.lower()] > 1:
            tag = hashlib.sha1(str(p.resolve().parent).encode()).hexdigest()[:6]
            folder, _, file = base.rpartition("/")
            stem, dot, suffix = file.rpartition(".") if "." in file else (file, "", "")
            name = (folder + "/" if folder else "") + f"{stem}~{tag}{dot}{suffix}"
        candidate, k = name, 2
        stem, dot, suffix = candidate.rpartition(".") if "." in candidate.rsplit("/", 1)[-1] else (candidate, "", "")
        while name.lower() in used:  # the same folder named twice by different spellings
            name, k = f"{stem}-{k}{dot}{suffix}", k + 1
        used.add(name.lower())
        names[str(p)] = name
    return names


# -- the per-manuscript task ----------------------------------------------------

def warm(spacy_model: str | None = None) -> None:
    """Worker initializer: build the spaCy pipeline and load the plugins once."""
    from refcheck.analysis.nlp import get_nlp
    from refcheck.plugins import all_rules

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


def annotated_name(name: str, path: str) -> str:
    """``annotated/…`` path of a manuscript's annotated copy: the output name's folder and
    stem, ``.refcheck`` and the input's suffix (``a/paper~3f2a1c.refcheck.docx``)."""
    folder, _, file = name.rpartition("/")
    suffix = Path(path).suffix
    stem = file[: -len(suffix)] if suffix and file.lower().endswith(suffix.lower()) else file
    return "annotated/" + (folder + "/" if folder else "") + f"{stem}.refcheck{suffix}"


def text_words(ms: Any) -> int:
    """Words of the manuscript without its reference list: what the triage score divides by."""
    return sum(len(b.text.split()) for b in ms.blocks if b.kind is not BlockKind.REFERENCE)


def process_one(path: str, name: str, out: str, config: Config, annotate: bool = True) -> dict[str, Any]:
    """Check one manuscript and write its outputs; return its row (plain data).

    Never raises for a bad manuscript: the row then has ``status: "error"``; a
    manuscript that was checked but whose annotated copy could not be written has
    ``status: "annotation-failed"`` (the desk would otherwise miss the comments).
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
        target = out_dir / annotated_name(name, path)
        try:
            from refcheck.annotate import annotate_result

            target.parent.mkdir(parents=True, exist_ok=True)
            annotate_result(result, config, output=target, force=True)
            row["annotated"] = target.relative_to(out_dir).as_posix()
        except ImportError:
            row["annotate_error"] = "annotation is not available in this installation"
        except Exception as exc:  # noqa: BLE001 - the JSON and report still stand
            problem = getattr(exc, "problem", None) or f"{type(exc).__name__}: {exc}"
            from refcheck.display import display_name

            row["annotate_error"] = f"{display_name(path)}: annotation failed: {' '.join(str(problem).split())}"
        if row["annotate_error"]:
            row.update(status="annotation-failed", error=row["annotate_error"])
    sev = {"error": 0, "warning": 0, "info": 0}
    for f in result.findings:
        sev[f.severity.value] += 1
    fam = count_by_family((f.code for f in result.findings), rule_families())
    words = text_words(ms)
    fail_on = config.fail_on if isinstance(config.fail_on, Severity) else Severity(config.fail_on)
    row.update(
        title=ms.title or "",
        format=ms.format,
        words=words,
        references=len(ms.references),
        citations=len(ms.citations),
        severity=sev,
        families=fam,
        score=triage_score(result.findings, words, rule_precision),
        max_rank=max((f.severity.rank for f in result.findings), default=-1),
        fails=any(f.severity.rank >= fail_on.rank for f in result.findings),
        sequence=_sequence(result),
        findings=[{"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message,
                   "section": f.section, "text": f.text, "excerpt": f.excerpt, "where": location(f),
                   "references": list(f.references), "suggestion": f.suggestion,
                   "precision": rule_precision(f.code, f.severity.value)} for f in result.findings],
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


def run_dask(tasks: list[Task], scheduler: str, on_done: Callable[[dict[str, Any]], None], spacy_model: str | None,
             connect_timeout: float = 20.0) -> None:
    """The same task on a Dask distributed cluster (``refcheck[dask]``); an unreachable
    scheduler is given ``connect_timeout`` seconds before the batch stops with one line."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--executor dask needs Dask: pip install 'refcheck[dask]'") from None
    try:
        client = Client(scheduler, timeout=f"{connect_timeout:g}s")
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
    return (STATUS_ORDER.get(row["status"], 0), -row.get("score", 0), row["name"])


def summary_fields(families: Sequence[Family]) -> list[str]:
    """The columns of ``summary.csv``: one per registered rule family ("RC1", a
    plugin's "JB"), read from the plugins, then the rules of no known family."""
    return ["manuscript", "path", "status", "error", "triage_score", "errors", "warnings", "info",
            *(f.prefix for f in families), "other_rules", "words", "references", "citations", "annotated", "json"]


def write_summary(rows: list[dict[str, Any]], path: Path, families: Sequence[Family] | None = None) -> None:
    """``summary.csv``: one row per manuscript, worst first, then the skipped files."""
    families = rule_families() if families is None else families
    fields = summary_fields(families)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(fields)
        blank = [""] * (len(fields) - 5)
        for r in rows:
            if r["status"] in ("error", "skipped"):
                w.writerow([r["name"], r["path"], r["status"], r["error"], *blank, r.get("json") or ""])
                continue
            sev, fam = r["severity"], r["families"]
            w.writerow([r["name"], r["path"], r["status"], r.get("error") or "", f"{r['score']:.2f}", sev["error"],
                        sev["warning"], sev["info"], *(fam.get(f.prefix, 0) for f in families), fam.get("other", 0),
                        r["words"],
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


def config_start(inputs: Iterable[str]) -> Path:
    """Where the batch's own configuration is looked up: the first INPUT's folder (the
    submissions folder's ``refcheck.toml``), not the working directory."""
    for item in inputs:
        fixed = re.split(r"[*?\[]", item, maxsplit=1)[0] if any(ch in item for ch in "*?[") else item
        p = Path(fixed or ".")
        while not p.exists() and p != p.parent:  # a pattern's fixed part, or a missing file
            p = p.parent
        return p if p.is_dir() else p.parent
    return Path.cwd()


def run_batch(args: Any, config: Config, config_for: Callable[[Path], Config] | None = None) -> int:
    """Run the batch described by the CLI arguments; return the exit code.

    ``config`` is the batch's own configuration (input discovery, spaCy model);
    ``config_for(folder)`` gives each manuscript the configuration ``check`` would
    (the nearest ``refcheck.toml`` above it, with the command line's overrides), so a
    subfolder of the submissions can carry its own.  Without it every manuscript gets
    ``config``.
    """
    out = Path(args.out)
    found = collect_inputs(args.inputs, out, batch_options(args))
    paths = found.paths
    if not paths:
        from refcheck.engine import read_suffixes

        raise InputError(" ".join(args.inputs), "no manuscripts found (looked for " + ", ".join(sorted(read_suffixes())) + ")")
    out.mkdir(parents=True, exist_ok=True)
    names = output_names(found.files)
    configs: dict[Path, Config] = {}

    def cfg_of(p: Path) -> Config:
        if config_for is None:
            return config
        folder = p.resolve().parent
        if folder not in configs:
            configs[folder] = config_for(folder)
        return configs[folder]

    # A re-run redoes a manuscript when the triage weights changed too (its score would).
    weights = _weights_digest()
    manifest_path = out / MANIFEST
    old = {} if args.force else _load_manifest(manifest_path)
    entries: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    tasks: list[Task] = []
    for p in paths:
        key = str(p)
        digest = file_hash(p)
        cfg = cfg_of(p)
        fingerprint = f"{cfg.fingerprint()}-{weights}"
        prev = old.get(key)
        if (prev and digest and prev.get("sha256") == digest and prev.get("config") == fingerprint
                and prev.get("row", {}).get("name") == names[key] and _outputs_exist(out, prev["row"])):
            rows[key] = prev["row"]
            entries[key] = prev
            continue
        entries[key] = {"sha256": digest, "config": fingerprint}
        tasks.append((key, names[key], str(out), cfg))
    advance, stop = _progress(len(tasks))

    def done(row: dict[str, Any]) -> None:
        rows[row["path"]] = row
        entries[row["path"]]["row"] = row
        advance()

    try:
        if args.executor == "dask":
            if not args.scheduler:
                raise ConfigError("--executor dask needs --scheduler tcp://HOST:8786")
            run_dask(tasks, args.scheduler, done, config.spacy_model, getattr(args, "scheduler_timeout", 20.0))
        else:
            jobs = args.jobs or os.cpu_count() or 1
            run_local(tasks, jobs, done, config.spacy_model)
    finally:
        stop()
    ordered = sorted(rows.values(), key=_sort_key)
    skipped = [{"name": k, "path": k, "status": "skipped",
                "error": why, "json": None} for k, why in found.skipped]
    families = rule_families()
    write_summary(ordered + skipped, out / "summary.csv", families)
    from refcheck.reporters.html import render_report

    _write(out / "report.html", render_report(ordered + skipped, weights=SEVERITY_WEIGHTS, families=families))
    # Compact: with indent, json falls back to its pure-Python encoder, and the
    # manifest (every row with its findings) is the parent's largest serial write.
    _write(manifest_path, json.dumps({"version": MANIFEST_VERSION, "entries": {k: entries[k] for k in sorted(entries)}},
                                     sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
    errors = [r for r in ordered if r["status"] == "error"]
    failed = [r for r in ordered if r["status"] == "annotation-failed"]
    unchanged = len(paths) - len(tasks)
    print(f"refcheck batch: {len(paths)} manuscript{'s' if len(paths) != 1 else ''} "
          f"({len(tasks)} checked, {unchanged} unchanged, {len(errors)} unreadable"
          + (f", {len(failed)} not annotated" if failed else "")
          + (f"; {len(skipped)} skipped as not manuscripts" if skipped else "")
          + f") → {out}", file=sys.stderr)
    for r in errors + failed:
        print(f"refcheck: error: {r['error']}", file=sys.stderr)
    if errors or failed:
        return 2
    return 1 if any(r.get("fails") for r in ordered) else 0


def _weights_digest() -> str:
    """A short hash of the severity weights and the measured rule precisions."""
    from refcheck.rule_precision import BY_RULE, BY_RULE_SEVERITY

    payload = json.dumps([SEVERITY_WEIGHTS, MIN_WORDS, sorted(BY_RULE.items()),
                          sorted((f"{c} {s}", v) for (c, s), v in BY_RULE_SEVERITY.items())])
    return hashlib.sha256(payload.encode()).hexdigest()[:8]


def _outputs_exist(out: Path, row: dict[str, Any]) -> bool:
    return all((out / rel).is_file() for rel in (row.get("json"), row.get("annotated")) if rel)
