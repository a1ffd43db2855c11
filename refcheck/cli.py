"""Command line: ``refcheck check | annotate | fix | batch | rules | config``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings; 2 usage error or a
manuscript that could not be read.  Errors are one line; ``--debug`` shows tracebacks.
A command offers only the options it honours (``fix`` has no ``--select``), and the
terminal's encoding never ends a run: text output replaces what it cannot encode,
JSON and SARIF are always written as UTF-8.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from refcheck.config import Config, ConfigError, load_config
from refcheck.display import display_name
from refcheck.model import InputError, Severity
from refcheck.reporting import ReportOptions

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def _jobs(value: str) -> int:
    """``--jobs``: a whole number >= 0 (0 = all cores), refused by argparse otherwise."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0 (0 = all cores), got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0 (0 = all cores), got {n}")
    return n


def _common(p: argparse.ArgumentParser, select: bool = True, fail_on: bool = True) -> None:
    """Options shared by the commands; a command gets ``--select/--ignore`` and
    ``--fail-on`` only when it honours them."""
    p.add_argument("--config", type=Path, help="configuration file (default: nearest refcheck.toml or pyproject.toml)")
    if select:
        p.add_argument("--select", type=_codes, help="only these rule codes, prefixes or names, e.g. RC1,RC301")
        p.add_argument("--ignore", type=_codes, help="skip these rule codes, prefixes or names")
        p.add_argument("--retractions", type=Path, metavar="FILE",
                       help="the Retraction Watch CSV the RC5xx rules check references against")
        p.add_argument("--verify-online", action="store_true",
                       help="look references up in Crossref (RC504, RC505); sends DOIs, titles, first authors, years")
    if fail_on:
        p.add_argument("--fail-on", choices=[s.value for s in Severity], help="lowest severity that fails (default warning)")
    if select:
        p.add_argument("--min-confidence", choices=["low", "medium", "high"],
                       help="show (and count, and comment on) findings of at least this confidence (default medium)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    from refcheck.version import __version__

    parser = argparse.ArgumentParser(prog="refcheck", description="Check the citations and claims of scientific manuscripts.")
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="check manuscripts and report findings")
    p.add_argument("files", nargs="+", metavar="PATH",
                   help="files, folders (searched recursively), quoted glob patterns, or - for stdin")
    p.add_argument("--output-format", "--format", dest="format", default="concise", metavar="FORMAT",
                   help="concise (default; also called text), full, github, json, sarif, or a plugin's format")
    p.add_argument("--statistics", action="store_true", help="print the number of findings per rule instead of the findings")
    p.add_argument("--stdin-filename", metavar="NAME",
                   help="the name of the manuscript read from - (its suffix picks the reader, its folder the configuration)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (2 still means unreadable input)")
    p.add_argument("-q", "--quiet", action="store_true", help="print the findings only: no summary line or notes")
    base = p.add_mutually_exclusive_group()
    base.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not recorded in this baseline")
    base.add_argument("--write-baseline", type=Path, metavar="FILE", help="record today's findings as accepted in FILE")
    p.add_argument("--annotate", action="store_true", help="also write NAME.refcheck.docx/.md beside each input")
    p.add_argument("--force", action="store_true", help="overwrite existing annotated outputs")
    _common(p)

    p = sub.add_parser("annotate", help="write a copy with the findings as Word comments, CriticMarkup or LaTeX margin notes")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", type=Path, help="output path (default NAME.refcheck.EXT beside the input)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--no-summary", action="store_true", help="no summary comment at the title")
    _common(p, fail_on=False)  # it always exits 0 once the copy is written

    p = sub.add_parser("fix", help="rewrite a copy: --renumber puts references in order of first citation")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--renumber", action="store_true", required=True, help="renumber citations and reorder the reference list")
    p.add_argument("-o", "--output", type=Path, help="output path (default NAME.renumbered.EXT beside the input)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    _common(p, select=False, fail_on=False)  # the renumbering checks run whatever is selected

    p = sub.add_parser("batch", help="check a folder of submissions: annotated copies, JSON, summary.csv, report.html")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders, files or glob patterns")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--jobs", type=_jobs, default=0, help="worker processes (default 0: all cores)")
    p.add_argument("--force", action="store_true", help="redo manuscripts that are unchanged since the last run")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786")
    p.add_argument("--scheduler-timeout", type=float, default=20.0, metavar="SECONDS",
                   help="how long to wait for the Dask scheduler to answer (default 20)")
    p.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                   help="also skip files whose path relative to the folder given matches (repeatable)")
    p.add_argument("--no-default-exclude", action="store_true",
                   help="also take README-like files and walk hidden folders (skipped by default)")
    _common(p)

    p = sub.add_parser("config", help="list every configuration key; --show the settings in effect")
    p.add_argument("path", nargs="?", type=Path, help="manuscript or folder whose configuration --show reads (default: .)")
    p.add_argument("--show", action="store_true", help="also show each value in effect and the file it comes from")
    p.add_argument("--config", type=Path, help="configuration file (default: nearest refcheck.toml or pyproject.toml)")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    p = sub.add_parser("rules", help="list the rules, or print one rule's documentation")
    p.add_argument("code", nargs="?", help="a rule code (RC101) or name")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def effective_config(args: argparse.Namespace, start: Path | None) -> Config:
    """The configuration file's settings with the command line's on top; rule
    selectors on the command line are checked like the file's (``--select RC3O1``
    is an error naming RC301, never a silent "0 findings")."""
    from refcheck.config import resolve_rules, trusted_limits

    cfg = load_config(getattr(args, "config", None), start)
    cfg.limits = trusted_limits(cfg, getattr(args, "config", None))  # never raised by a submission's config
    if getattr(args, "select", None):
        cfg.select = resolve_rules(args.select, "--select")
    if getattr(args, "ignore", None):
        cfg.ignore = cfg.ignore + resolve_rules(args.ignore, "--ignore")
    if getattr(args, "fail_on", None):
        cfg.fail_on = Severity(args.fail_on)
    if getattr(args, "min_confidence", None):
        cfg.min_confidence = args.min_confidence
    if getattr(args, "retractions", None):
        cfg.use_retractions(args.retractions)  # checked (and indexed) before any manuscript
    if getattr(args, "verify_online", False):
        cfg.raw["verify-online"] = True
    return cfg


def _cmd_rules(args: argparse.Namespace) -> int:
    from refcheck.docs import rule_doc, rules_table
    from refcheck.plugins import all_rules

    rules = all_rules()
    if not args.code:
        print(rules_table(rules))
        return EXIT_OK
    from refcheck.config import resolve_rule

    code = resolve_rule(args.code, "rules", prefixes=False, rules=rules)  # "did you mean" when misspelt
    print(rule_doc(next(cls for cls in rules if cls.code == code)))
    return EXIT_OK


def _cmd_config(args: argparse.Namespace) -> int:
    from refcheck.config import schema_text, trusted_limits

    if not args.show:
        print(schema_text())
        return EXIT_OK
    start = args.path or Path.cwd()
    cfg = load_config(args.config, start)
    cfg.limits = trusted_limits(cfg, args.config)  # the limits `check` would use, not the submission's
    print(schema_text(cfg))
    return EXIT_OK


def _exit_code(results: list, fail_on: Severity | list[Severity]) -> int:
    """2 if a file could not be read, else 1 if a finding reaches its file's ``fail-on``."""
    if any(r.error for r in results):
        return EXIT_ERROR
    levels = fail_on if isinstance(fail_on, list) else [fail_on] * len(results)
    if any(f.severity.rank >= level.rank for r, level in zip(results, levels, strict=True) for f in r.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _emit(text: str, machine: bool, stream: object | None = None) -> None:
    """Print ``text``: machine formats as UTF-8 bytes whatever the terminal's encoding
    (a JSON reader expects UTF-8), text in the terminal's encoding with what it cannot
    encode replaced, so a cp1252 console never ends the run."""
    out = stream if stream is not None else sys.stdout
    buffer = getattr(out, "buffer", None)
    if machine and buffer is not None:
        out.flush()  # type: ignore[attr-defined]
        buffer.write((text + "\n").encode("utf-8"))
        buffer.flush()
        return
    encoding = getattr(out, "encoding", None) or "utf-8"
    safe = (text + "\n").encode(encoding, errors="replace").decode(encoding, errors="replace")
    out.write(safe)  # type: ignore[attr-defined]


@contextlib.contextmanager
def _forgiving_streams() -> Iterator[None]:
    """stdout and stderr replace characters the terminal cannot encode (a file name
    or a quoted span in Greek on a cp1252 console) instead of raising."""
    saved = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        if errors in ("strict", None) and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="replace")
                saved.append((stream, errors or "strict"))
    try:
        yield
    finally:
        for stream, errors in saved:
            with contextlib.suppress(Exception):
                stream.reconfigure(errors=errors)


def _reporters(args: argparse.Namespace) -> dict:
    """The registered output formats, after the options that cannot go together are refused."""
    from refcheck.inputs import STDIN
    from refcheck.plugins import get_plugin_manager

    reporters: dict = {}
    for r in get_plugin_manager().hook.refcheck_get_reporters():
        reporters.update(r)
    if args.format not in reporters:
        raise ConfigError(f"unknown format {args.format!r}; choose from {', '.join(sorted(reporters))}")
    if args.stdin_filename and STDIN not in args.files:
        raise ConfigError("--stdin-filename names the manuscript read from stdin; give - as the PATH")
    if args.annotate and STDIN in args.files:
        raise ConfigError("--annotate writes a copy beside the input, and stdin has no place; annotate a file")
    return reporters


def _check_inputs(args: argparse.Namespace) -> tuple[list, list[Severity], list[str]]:
    """Every input checked with the configuration found for it (and annotated when
    asked): the results, and each file's fail-on and min-confidence."""
    from refcheck.engine import check_file
    from refcheck.inputs import STDIN, check_stdin, expand

    results, fail_on, minimums = [], [], []
    for name in expand(args.files):
        if name == STDIN:
            cfg = effective_config(args, Path(args.stdin_filename) if args.stdin_filename else Path.cwd())
            result = check_stdin(sys.stdin.buffer.read(), args.stdin_filename, cfg)
        else:
            cfg = effective_config(args, Path(name))
            result = check_file(name, cfg, raise_errors=args.debug)
        results.append(result)
        fail_on.append(cfg.fail_on)
        minimums.append(cfg.min_confidence)
        if args.annotate and result.manuscript is not None:
            from refcheck.annotate import annotate_result

            out = annotate_result(result, cfg, force=args.force)
            if not args.quiet:
                print(f"wrote {display_name(out)}", file=sys.stderr)
    return results, fail_on, minimums


def _with_baseline(args: argparse.Namespace, results: list, notes: list[str]) -> list:
    """Write the baseline when asked, and leave out the findings it has accepted."""
    from refcheck import baseline

    accepted = baseline.load(args.baseline) if args.baseline else None
    if args.write_baseline:
        n = baseline.write(args.write_baseline, results)
        notes.append(f"wrote {args.write_baseline}: {n} finding{'s' if n != 1 else ''} accepted as the baseline")
        accepted = baseline.load(args.write_baseline)
    if accepted is None:
        return results
    results, hidden = baseline.apply(results, args.write_baseline or args.baseline, accepted)
    if hidden and not args.write_baseline:
        notes.append(f"{hidden} finding{'s' if hidden != 1 else ''} in the baseline {args.baseline} not shown")
    return results


def _print_report(args: argparse.Namespace, output: str, people: bool, color: bool) -> None:
    """The report on stdout: through rich for a colour terminal, else encoding-safe."""
    if args.quiet and people:
        output = "\n".join(output.splitlines()[:-1]).rstrip("\n")  # the findings without the summary line
    if color:
        from rich.console import Console

        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        safe = output.encode(encoding, errors="replace").decode(encoding, errors="replace")
        Console(highlight=False, soft_wrap=True).print(safe)
    elif output or not args.quiet:
        _emit(output, machine=not people)


def _cmd_check(args: argparse.Namespace) -> int:
    from refcheck.reporters.terminal import PEOPLE, render_statistics, terminal_width

    reporters = _reporters(args)
    results, fail_on, minimums = _check_inputs(args)
    notes = [n for r in results for n in r.notices]
    results = _with_baseline(args, results, notes)
    # People see (and fail-on counts) findings of at least min-confidence; json and
    # sarif carry them all, each with its confidence, for tools to filter.
    everything = args.format in ("json", "sarif")
    shown, hidden = _confident(results, minimums)
    if not everything:
        results = shown
    if hidden and not everything:
        notes.append(f"{hidden} finding{'s' if hidden != 1 else ''} below min-confidence not shown "
                     "(--min-confidence low shows them)")
    people = args.format in PEOPLE
    color = people and sys.stdout.isatty()
    if args.statistics:
        output = render_statistics(results, machine=everything)
    else:
        options = ReportOptions(color=color, width=terminal_width() if people else None)
        output = reporters[args.format](results, options)
    _print_report(args, output, people, color)
    if not args.quiet:
        for note in notes:
            print(f"refcheck: {note}", file=sys.stderr)
    for r in results:  # always on stderr too, so scripts see the reason whatever the format
        if r.error:
            print(f"refcheck: error: {r.error}", file=sys.stderr)
    code = _exit_code(shown, fail_on)
    return EXIT_OK if args.exit_zero and code == EXIT_FINDINGS else code


def _confident(results: list, minimums: list[str]) -> tuple[list, int]:
    """The results with only the findings at or above each file's ``min-confidence``,
    and how many were left out."""
    from dataclasses import replace

    from refcheck.confidence import visible

    kept, hidden = [], 0
    for r, least in zip(results, minimums, strict=True):
        shown = visible(r.findings, least)
        hidden += len(r.findings) - len(shown)
        kept.append(replace(r, findings=shown) if len(shown) != len(r.findings) else r)
    return kept, hidden


def _cmd_annotate(args: argparse.Namespace) -> int:
    from refcheck.annotate import annotate_file, commented, title_block

    cfg = effective_config(args, Path(args.file))
    out, result = annotate_file(args.file, args.output, cfg, force=args.force, summary=not args.no_summary)
    n = len(commented(result, cfg))
    titled = result.manuscript is not None and title_block(result.manuscript) is not None
    summary = " and a summary on the title" if not args.no_summary and titled else ""
    print(f"wrote {display_name(out)} ({n} finding{'s' if n != 1 else ''} as comments{summary})")
    return EXIT_OK


def _cmd_fix(args: argparse.Namespace) -> int:
    from refcheck.fix import renumber_file

    cfg = effective_config(args, Path(args.file))
    out, mapping = renumber_file(args.file, args.output, cfg, force=args.force)
    changed = {o: n for o, n in mapping.items() if o != n}
    print(f"wrote {display_name(out)}")
    if changed:
        print("old → new: " + ", ".join(f"{o}→{n}" for o, n in sorted(changed.items())))
    else:
        print("references were already in order of first citation")
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from refcheck.batch import config_start, run_batch

    # The submissions folder's refcheck.toml, not the working directory's; each
    # manuscript then gets the configuration `check` would find for it.
    cfg = effective_config(args, config_start(args.inputs))
    return run_batch(args, cfg, config_for=lambda folder: effective_config(args, folder))


COMMANDS = {"check": _cmd_check, "annotate": _cmd_annotate, "fix": _cmd_fix, "batch": _cmd_batch, "rules": _cmd_rules,
            "config": _cmd_config}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with _forgiving_streams():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except (InputError, ConfigError) as exc:
        if args.debug:
            raise
        print(f"refcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("refcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - one line for users, traceback with --debug
        if args.debug:
            raise
        print(f"refcheck: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
