"""The `portfolio` command: argument parsing and exit statuses only; the work is in `pipeline`.

Exit status: 0 nothing at error level; 1 errors (or, with --strict, warnings); 2 the command
itself was used wrongly.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from . import __version__, pipeline
from .diagnostics import REPORTERS
from .write import UnsafeOutput


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE",
                   help="the date the date-dependent rules count from (default: today)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--format", choices=sorted(REPORTERS), default="text", help="how to print findings")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="portfolio", description="Check and publish an evidence portfolio.")
    ap.add_argument("--version", action="version", version=f"portfolio {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("check", help="validate the records and report every gap")
    _common(p)
    p = sub.add_parser("build", help="check, then render the site (refuses while errors stand)")
    _common(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: SOURCE/site)")
    return ap


def _report(result, args) -> None:
    coverage = result.coverage.as_dict() if result.coverage else None
    stream = sys.stdout if args.command == "check" or args.format != "text" else sys.stderr
    stream.write(REPORTERS[args.format](result.diagnostics, coverage))


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if not args.source.is_dir():
        print(f"portfolio: error: source folder '{args.source}' does not exist", file=sys.stderr)
        return 2
    as_of = args.as_of or dt.date.today()
    try:
        if args.command == "check":
            result = pipeline.check(args.source, as_of)
            _report(result, args)
            return 1 if result.failed(args.strict) else 0
        out = args.out or args.source / "site"
        result = pipeline.build(args.source, out, as_of, args.strict)
        _report(result, args)
        if not result.published:
            print("portfolio: site not published: fix the errors above (the previous site is untouched)",
                  file=sys.stderr)
            return 1
        print(f"portfolio: site written to {out}", file=sys.stderr)
        return 0
    except UnsafeOutput as exc:
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
