"""Command line: ``refcheck check | annotate | fix | batch | rules``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings; 2 usage error or a
manuscript that could not be read.  Errors are one line; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from refcheck.config import Config, ConfigError, load_config
from refcheck.model import InputError, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="configuration file (default: nearest refcheck.toml or pyproject.toml)")
    p.add_argument("--select", type=_codes, help="only these rule codes or prefixes, e.g. RC1,RC301")
    p.add_argument("--ignore", type=_codes, help="skip these rule codes or prefixes")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], help="lowest severity that fails (default warning)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    from refcheck import __version__

    parser = argparse.ArgumentParser(prog="refcheck", description="Check the citations and claims of scientific manuscripts.")
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="check manuscripts and report findings")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="text", help="text (default), json, sarif, or a plugin's format")
    p.add_argument("--annotate", action="store_true", help="also write NAME.refcheck.docx/.md beside each input")
    p.add_argument("--force", action="store_true", help="overwrite existing annotated outputs")
    _common(p)

    p = sub.add_parser("annotate", help="write a copy with the findings as Word comments or CriticMarkup")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", type=Path, help="output path (default NAME.refcheck.EXT beside the input)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--no-summary", action="store_true", help="no summary comment at the title")
    _common(p)

    p = sub.add_parser("fix", help="rewrite a copy: --renumber puts references in order of first citation")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--renumber", action="store_true", required=True, help="renumber citations and reorder the reference list")
    p.add_argument("-o", "--output", type=Path, help="output path (default NAME.renumbered.EXT beside the input)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    _common(p)

    p = sub.add_parser("batch", help="check a folder of submissions: annotated copies, JSON, summary.csv, report.html")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders, files or glob patterns")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--force", action="store_true", help="redo manuscripts that are unchanged since the last run")
    p.add_argument("--executor", choices=["local", "dask"], default="local")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786")
    _common(p)

    p = sub.add_parser("rules", help="list the rules, or print one rule's documentation")
    p.add_argument("code", nargs="?", help="a rule code (RC101) or name")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def effective_config(args: argparse.Namespace, start: Path | None) -> Config:
    cfg = load_config(getattr(args, "config", None), start)
    if getattr(args, "select", None):
        cfg.select = args.select
    if getattr(args, "ignore", None):
        cfg.ignore = cfg.ignore + args.ignore
    if getattr(args, "fail_on", None):
        cfg.fail_on = Severity(args.fail_on)
    return cfg


def _cmd_rules(args: argparse.Namespace) -> int:
    from refcheck.docs import rule_doc, rules_table
    from refcheck.engine import all_rules

    rules = all_rules()
    if not args.code:
        print(rules_table(rules))
        return EXIT_OK
    wanted = args.code.upper()
    for cls in rules:
        if cls.code == wanted or cls.name == args.code.lower():
            print(rule_doc(cls))
            return EXIT_OK
    print(f"refcheck: error: no rule {args.code!r}; `refcheck rules` lists them", file=sys.stderr)
    return EXIT_ERROR


def _exit_code(results: list, fail_on: Severity) -> int:
    if any(r.error for r in results):
        return EXIT_ERROR
    if any(f.severity.rank >= fail_on.rank for r in results for f in r.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from refcheck.engine import check_file
    from refcheck.plugins import get_plugin_manager

    reporters: dict = {}
    for r in get_plugin_manager().hook.refcheck_get_reporters():
        reporters.update(r)
    if args.format not in reporters:
        raise ConfigError(f"unknown format {args.format!r}; choose from {', '.join(sorted(reporters))}")
    results = []
    for name in args.files:
        cfg = effective_config(args, Path(name))
        result = check_file(name, cfg, raise_errors=args.debug)
        results.append(result)
        if args.annotate and result.manuscript is not None:
            from refcheck.annotate import annotate_result

            out = annotate_result(result, cfg, force=args.force)
            print(f"wrote {out}", file=sys.stderr)
    color = args.format == "text" and sys.stdout.isatty()
    output = reporters[args.format](results, None, color=color) if args.format == "text" else reporters[args.format](results, None)
    if color:
        from rich.console import Console

        Console(highlight=False, soft_wrap=True).print(output)
    else:
        print(output)
    for r in results:  # always on stderr too, so scripts see the reason whatever the format
        if r.error:
            print(f"refcheck: error: {r.error}", file=sys.stderr)
    return _exit_code(results, effective_config(args, Path(args.files[0])).fail_on)


def _cmd_annotate(args: argparse.Namespace) -> int:
    from refcheck.annotate import annotate_file, title_block

    cfg = effective_config(args, Path(args.file))
    out, result = annotate_file(args.file, args.output, cfg, force=args.force, summary=not args.no_summary)
    n = len(result.findings)
    titled = result.manuscript is not None and title_block(result.manuscript) is not None
    summary = " and a summary on the title" if not args.no_summary and titled else ""
    print(f"wrote {out} ({n} finding{'s' if n != 1 else ''} as comments{summary})")
    return EXIT_OK


def _cmd_fix(args: argparse.Namespace) -> int:
    from refcheck.fix import renumber_file

    cfg = effective_config(args, Path(args.file))
    out, mapping = renumber_file(args.file, args.output, cfg, force=args.force)
    changed = {o: n for o, n in mapping.items() if o != n}
    print(f"wrote {out}")
    if changed:
        print("old → new: " + ", ".join(f"{o}→{n}" for o, n in sorted(changed.items())))
    else:
        print("references were already in order of first citation")
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace) -> int:
    from refcheck.batch import run_batch

    cfg = effective_config(args, Path.cwd())
    return run_batch(args, cfg)


COMMANDS = {"check": _cmd_check, "annotate": _cmd_annotate, "fix": _cmd_fix, "batch": _cmd_batch, "rules": _cmd_rules}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
