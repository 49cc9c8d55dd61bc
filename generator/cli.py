"""The `portfolio` command: argument parsing and exit statuses only; the work is in `pipeline`.

Exit status: 0 nothing at error level; 1 errors (or, with --strict, warnings); 2 the command
itself was used wrongly.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import time
from pathlib import Path

from . import __version__, report
from .failures import Failure, os_error
from .outdir import UnsafeOutput


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: use a number from 1 to 65535 (0 picks a free one)")
    return port


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE",
                   help="the date the date-dependent rules count from (default: today)")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    report.add_options(p)
    _cache_options(p)


def _cache_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="where to keep the incremental-build cache (default: SOURCE/.cache/portfolio)")
    p.add_argument("--no-cache", action="store_true", help="parse and render everything afresh")


def _cache(args):
    if getattr(args, "no_cache", True):
        return None
    from .cache import Cache
    return Cache(_cache_dir(args))


def _cache_dir(args) -> Path:
    from .outdir import default_dir
    return args.cache or default_dir(args.source)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="portfolio", description="Check and publish an evidence portfolio.")
    ap.add_argument("--version", action="version", version=f"portfolio {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("check", help="validate the records and report every gap")
    _common(p)
    p.add_argument("--fix", action="store_true",
                   help="pin missing evidence references (ref: E012) and rewrite each name of a contact who has "
                        "not consented as their @contact-id mention (writes into the record files; prints the diff)")
    p = sub.add_parser("build", help="check, then render the site (refuses while errors stand)")
    _common(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: SOURCE/site)")
    p = sub.add_parser("serve", help="build, serve on localhost, rebuild on save and reload the browser")
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    p.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="as for check (default: today)")
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="cache folder; the served site is built in DIR/serve (default: SOURCE/.cache/portfolio)")
    p = sub.add_parser("new", help="create a new entry or contact file from a template")
    p.add_argument("kind", choices=["entry", "contact"], help="what to create")
    p.add_argument("title", help="the entry's title, or the contact's name (it names the file)")
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    p.add_argument("--date", type=_date, default=None, help="the entry's date (default: today)")
    _init_parser(sub)
    p = sub.add_parser("export", help="write the portfolio as one archive (site, portfolio.json, evidence, matrix.csv)")
    _common(p)
    p.add_argument("--out", type=Path, default=None, help="folder for the archive (default: SOURCE/export), or the archive's own path when it ends in .zip")
    p.add_argument("--pdf", action="store_true",
                   help="also write the submission document as a PDF (needs the pdf extra: WeasyPrint)")
    p = sub.add_parser("erase", help="erase a contact who asked to be forgotten: delete their file, remove every "
                                     "reference and keep a tombstone of hashes so check catches later mentions")
    p.add_argument("contact", metavar="CONTACT-ID", help="the contact's file name without .yaml")
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    _assessment_commands(sub)
    p = sub.add_parser("caseload", help="a static dashboard across many learners' portfolio.json (docs/centre.md)",
                       description="Read learners' portfolio.json files (site folders, .json files, `portfolio "
                                   "export` archives, or folders of them) and write a dashboard for a centre. "
                                   "An input that cannot be read is reported and left out. Exit status: 0 the "
                                   "dashboard was written; 1 no input could be read (nothing written), or --strict "
                                   "and some input was left out (the dashboard is still written); 2 misuse.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="site folders, .json or .zip files, or "
                   "folders holding them")
    p.add_argument("--out", type=Path, default=Path("caseload"), help="output folder (default: ./caseload)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE",
                   help="the date days left and days since last activity count from (default: today)")
    p.add_argument("--theme", type=Path, default=None, metavar="DIR",
                   help="a theme folder whose templates/caseload/*.html override the default theme's")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input was left out")
    return ap


def _caseload(args) -> int:
    from .caseload import run
    result = run(args.paths, args.out, args.as_of or dt.date.today(), args.theme)
    for s in result.skipped:
        print(f"portfolio: {s.line()}", file=sys.stderr)
    if result.written is None:
        print("portfolio: no learner's portfolio.json could be read: nothing written", file=sys.stderr)
        return 1
    left = f"; {len(result.skipped)} input(s) left out" if result.skipped else ""
    print(f"portfolio: caseload of {result.learners} learner(s) written to {result.written}{left}", file=sys.stderr)
    return 1 if args.strict and result.skipped else 0


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _assessment_commands(sub) -> None:
    p = sub.add_parser("assess", help="record an assessor's decision (or, with --status, list what awaits one)",
                       description="Record one decision under assessments/, bound by hash to the evidence judged.")
    p.add_argument("refs", nargs="*", metavar="CRITERION-OR-UNIT", help="criteria (UNIT:CRITERION) or units decided")
    p.add_argument("--status", action="store_true", help="list claims awaiting a decision and stale decisions")
    p.add_argument("--outcome", choices=["met", "not-yet", "referred"], help="the decision")
    p.add_argument("--method", type=_csv, default=[], metavar="M[,M]", help="assessment method(s) used")
    p.add_argument("--evidence", type=_csv, default=[], metavar="PATH[,PATH]", help="entries or attachments judged")
    p.add_argument("--feedback", default=None, metavar="TEXT", help="feedback to the learner (Markdown)")
    p.add_argument("--assessor", default=None, metavar="ID", help="the assessor (default: the only one listed)")
    p.add_argument("--location", default=None, help="where the assessment took place")
    p.add_argument("--date", type=_date, default=None, help="the decision's date (default: today)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="with --status: count ages from DATE")
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")
    p = sub.add_parser("iqa", help="internal quality assurance: propose a sample (`iqa plan`)")
    p.add_argument("action", choices=["plan"], help="plan: propose a sample and report compliance with the policy")
    p.add_argument("--rate", type=float, default=None, metavar="R",
                   help="share of decisions to sample, 0..1 (default: the sampling policy's)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the random draw (default 0)")
    p.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="as for check (default: today)")
    p.add_argument("--source", type=Path, default=Path("."), help="the portfolio folder (default: current folder)")


def _assess(args) -> int:
    from .assessment import commands
    try:
        if args.status:
            return commands.status(args.source, args.as_of or dt.date.today())
        if args.outcome is None:
            raise commands.Refused("say the decision with --outcome met|not-yet|referred (or use --status)")
        path = commands.record(args.source, args.refs, args.outcome, args.method, args.evidence, args.feedback,
                               args.assessor, args.date, args.location)
    except commands.Refused as exc:
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _iqa(args) -> int:
    from .assessment import commands, plan
    if args.rate is not None and not 0 <= args.rate <= 1:
        print("portfolio: error: --rate is a share between 0 and 1, e.g. 0.25", file=sys.stderr)
        return 2
    as_of = args.as_of or dt.date.today()
    try:
        model = commands._model(args.source, as_of)
    except commands.Refused as exc:
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 2
    plan.report(plan.plan(model, as_of, args.rate, args.seed), sys.stdout)
    return 0


def _report(result, args) -> None:
    report.report(result, args)


def _stage_times(result) -> None:
    """PORTFOLIO_STAGE_TIMES=1: each stage's wall time on stderr (docs/performance.md), for `make bench`."""
    if os.environ.get("PORTFOLIO_STAGE_TIMES"):
        stream = getattr(sys.stderr, "stream", sys.stderr)   # past the Tee: a replayed run has its own times
        for name, seconds in result.stages.items():
            print(f"portfolio: stage {name}: {seconds:.3f} s", file=stream)


def leave(status: int) -> None:
    """End the one-shot process with `status` once its output is flushed, without tearing the heap
    down object by object (half a second after a large build: everything is written and closed).
    Under a profiler or a tracer (cProfile, coverage) it exits normally, so they can write their report."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


def main(argv=None, started: float | None = None) -> int:
    """`started` (perf_counter) is when the process began importing: the stage times count from it."""
    args = parser().parse_args(argv)
    args.started = started
    try:
        return _run(args)
    except UnsafeOutput as exc:
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 2
    except Failure as exc:
        sys.stderr.write(exc.render())
        return exc.status
    except OSError as exc:
        sys.stderr.write(os_error(exc).render())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:   # a bug in the generator: say so in one line, not a traceback
        if os.environ.get("PORTFOLIO_DEBUG"):
            raise
        print(f"portfolio: internal error: {type(exc).__name__}: {exc}\n"
              "  hint: this is a fault in the generator, not in your records: run again with PORTFOLIO_DEBUG=1 "
              "to see where it happened, and report it", file=sys.stderr)
        return 1


def _run(args) -> int:
    if args.command == "init":   # its folder may not exist yet: init makes it
        return _init(args)
    if args.command == "caseload":   # reads sites, not a portfolio folder
        return _caseload(args)
    if not args.source.is_dir():
        what = "is a file, not a folder" if args.source.exists() else "does not exist"
        print(f"portfolio: error: source folder '{args.source}' {what}", file=sys.stderr)
        return 2
    if args.command == "new":
        return _new(args)
    if args.command == "erase":
        from .privacy.erase import erase
        erase(args.source, args.contact, sys.stdout)
        return 0
    if args.command == "assess":
        return _assess(args)
    if args.command == "iqa":
        return _iqa(args)
    if args.command != "serve":
        # one short run over objects that all live to its end: collecting cycles every 700 allocations
        # (the default) costs as much as the check itself on a large portfolio; `serve` keeps the default
        gc.set_threshold(200_000, 20, 100)
    if args.command == "serve":
        from .serve import serve
        try:
            return serve(args.source, args.port, args.as_of, args.cache)
        except (OSError, OverflowError) as exc:   # e.g. the port is taken
            reason = getattr(exc, "strerror", None) or str(exc)
            print(f"portfolio: error: cannot serve on port {args.port}: {reason}\n"
                  "  hint: choose another port: make serve ARGS=\"--port N\" (or portfolio serve --port N; "
                  "--port 0 picks a free one)", file=sys.stderr)
            return 2
    as_of = args.as_of or dt.date.today()
    stamp = _stamp(args, as_of)
    if stamp is None:
        return _checked(args, as_of)
    status = stamp.answer()
    if status is not None:   # nothing changed since the last run that succeeded: say what it said
        if os.environ.get("PORTFOLIO_STAGE_TIMES") and args.started is not None:
            print(f"portfolio: stage up to date: {time.perf_counter() - args.started:.3f} s", file=sys.stderr)
        return status
    stamp.forget()
    from .uptodate import Tee
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Tee(streams[0]), Tee(streams[1])
    try:
        status = _checked(args, as_of)
    finally:
        printed = sys.stdout.getvalue(), sys.stderr.getvalue()
        sys.stdout, sys.stderr = streams
    model = getattr(args, "model", None)
    if model is not None:
        from .render.environment import theme_dirs
        stamp.record(status, *printed, extra_dirs=theme_dirs(model))
    return status


def _stamp(args, as_of):
    """The up-to-date look (generator/uptodate.py) for `build` and `check`, unless the cache is off or
    the run writes records (`check --fix`)."""
    if args.command not in ("build", "check") or args.no_cache or getattr(args, "fix", False):
        return None
    from .uptodate import Stamp
    out = (args.out or args.source / "site") if args.command == "build" else None
    parts = {"command": args.command, "version": __version__, "source": str(args.source.resolve()),
             "out": str(Path(out).resolve()) if out else "", "as_of": as_of.isoformat(), "strict": args.strict,
             "cache": str(Path(_cache_dir(args)).resolve()),
             "report": [args.format, args.quiet, args.only, args.min_severity]}
    return Stamp(_cache_dir(args), args.command, parts, args.source, out)


def _checked(args, as_of) -> int:
    """`check`, `build` or `export`, run in full."""
    from . import pipeline
    cache = _cache(args)
    try:
        if args.command == "check":
            result = pipeline.check(args.source, as_of, cache)
            if args.fix and result.model is not None:
                from . import evidence_refs
                from .privacy.fix import fix
                changed = evidence_refs.fix(args.source, result.model, sys.stdout)
                if changed:
                    result = pipeline.check(args.source, as_of, cache)
                if fix(args.source, result.sources, result.model.checks, sys.stdout) or changed:
                    result = pipeline.check(args.source, as_of, cache)
            if cache is not None:
                cache.save()
            args.model = result.model
            _report(result, args)
            _stage_times(result)
            return 1 if result.failed(args.strict) else 0
        if args.command == "export":
            return _export(args, as_of, cache)
        out = args.out or args.source / "site"
        began = time.perf_counter()
        result = pipeline.build(args.source, out, as_of, args.strict, cache)
        args.model = result.model
        # every second of the process is in one stage: imports, arguments and opening the cache
        # before the pipeline ("start"), printing the findings after it ("report")
        started = began if args.started is None else args.started
        result.stages = {"start": began - started, **result.stages}
        reported = time.perf_counter()
        _report(result, args)
        result.stages["report"] = time.perf_counter() - reported
        result.stages["total"] = time.perf_counter() - started
        _stage_times(result)
        if not result.published:
            print("portfolio: site not published: fix the errors above (the previous site is untouched)",
                  file=sys.stderr)
            return 1
        print(f"portfolio: site written to {out}", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        return 130


def _init_parser(sub) -> None:
    p = sub.add_parser("init", help="start a new learner's portfolio (in a fork: replace the example records)")
    p.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the portfolio folder (default: current)")
    p.add_argument("--name", default=None, help="the learner's name")
    p.add_argument("--framework", default=None, help="the qualification's criteria file, without .yaml "
                   "(default: proqual-l4-nvq-diploma-management)")
    p.add_argument("--units", default=None, metavar="REF[,REF]",
                   help="the units chosen, e.g. J/506/1949,L/506/1953 (default: the mandatory units)")
    p.add_argument("--registered", type=_date, default=None, metavar="DATE", help="registration date (YYYY-MM-DD)")
    p.add_argument("--role", default=None, help="the learner's job title")
    p.add_argument("--organisation", default=None, help="the learner's employer")
    p.add_argument("--force", action="store_true", help="replace existing records without asking")


def _init(args) -> int:
    from . import init
    a = init.Answers(args.name, args.framework, None if args.units is None else
                     [u.strip() for u in args.units.split(",") if u.strip()], args.registered, args.role,
                     args.organisation)
    tty = sys.stdin.isatty()
    try:
        if tty:
            init.ask_missing(a, args.dir, input)
        p = init.plan(args.dir, a)
        if p.remove and not args.force:
            listed = ", ".join(init._describe(path) for path in p.remove)
            if not tty:
                raise init.Refused(f"{args.dir} already holds records ({listed}); init replaces them only when "
                                   "you say so: run it again with --force (make init ARGS=--force), or in an "
                                   "empty folder")
            if input(f"This moves {listed} aside into {init.BACKUP}/ and writes a new portfolio for {a.name}. "
                     "Go ahead? [y/N] "
                     ).strip().lower() not in ("y", "yes"):
                print("portfolio: nothing changed", file=sys.stderr)
                return 1
    except (init.Refused, EOFError) as exc:
        print(f"portfolio: error: {exc or 'no answer'}", file=sys.stderr)
        return 2
    init.carry_out(p)
    check = "make check" if p.fork else f"portfolio check --source {args.dir}"
    print(f"portfolio: a new portfolio for {a.name} in {args.dir}: next, run {check} "
          "(docs/getting-started.md says what to add first)", file=sys.stderr)
    return 0


def _new(args) -> int:
    from .new import BadLedger, Exists, create
    try:
        path = create(args.source, args.kind, args.title, args.date)
    except Exists as exc:   # a usage error like any other: the command asked for a name that is taken
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 2
    except BadLedger as exc:
        print(f"portfolio: error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def _export(args, as_of, cache) -> int:
    from .export import export
    result, archive = export(args.source, args.out or args.source / "export", as_of, args.strict, cache, args.pdf)
    _report(result, args)
    if archive is None:
        print("portfolio: not exported: fix the errors above", file=sys.stderr)
        return 1
    from .outdir import names_archive
    also = [] if names_archive(args.out or args.source / "export") else [archive.parent / "matrix.csv"]
    if args.pdf and also:
        also.append(archive.with_suffix(".pdf"))
    print(f"portfolio: exported {archive}" + (f" (and {', '.join(map(str, also))})" if also else ""),
          file=sys.stderr)
    return 0
