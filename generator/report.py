"""How `check` (and `build`, `export`) print their findings: which ones, and in what shape.

The filters (`--only`, `--min-severity`, `--quiet`) change what is printed, never the exit status:
a hidden error still fails the run, and the summary line always counts every finding.
"""
from __future__ import annotations

import argparse
import difflib
import sys

from .diagnostics import REPORTERS, SEVERITIES


def _rule_names(text: str) -> list[str]:
    from . import rules  # noqa: F401  (registers every rule)
    from .registry import AUTO_RULES, RULES
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one rule, e.g. --only unevidenced-criterion")
    for name in names:
        if name not in RULES:
            close = difflib.get_close_matches(name, list(RULES), n=1)
            more = f" (did you mean '{close[0]}'?)" if close else " (the rules are listed in docs/checks.md)"
            if name in AUTO_RULES:
                more = " (it is an automatic rule: its findings are reported as unevidenced-criterion)"
            raise argparse.ArgumentTypeError(f"no rule '{name}'{more}")
    return names


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=sorted(REPORTERS), default="text", help="how to print findings")
    p.add_argument("--quiet", "-q", action="store_true", help="print the errors and the summary only")
    p.add_argument("--only", type=_rule_names, default=None, metavar="RULE[,RULE]",
                   help="print only these rules' findings (the exit status still counts every finding)")
    p.add_argument("--min-severity", choices=SEVERITIES, default="info",
                   help="print only findings at this level or above: error, warning or info (default: info)")


def _group_over(result) -> int:
    from .registry import default_checks
    checks = getattr(result.model, "checks", None) or default_checks()
    value = checks.get("group_over", default_checks()["group_over"])
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def shown(diagnostics, args) -> list:
    rank = {s: i for i, s in enumerate(SEVERITIES)}    # error 0, warning 1, info 2
    limit = rank["error" if args.quiet else args.min_severity]
    only = set(args.only or ())
    return [d for d in diagnostics if rank[d.severity] <= limit and (not only or d.rule in only)]


def report(result, args) -> None:
    coverage = result.coverage   # the analysis's figures: the qualification, and each framework apart
    stream = sys.stdout if args.command == "check" or args.format != "text" else sys.stderr
    # asked for by name, a rule's findings are listed one by one, never folded into a count
    group_over = 0 if args.only else _group_over(result)
    stream.write(REPORTERS[args.format](result.diagnostics, coverage, shown=shown(result.diagnostics, args),
                                        group_over=group_over, quiet=args.quiet))
