"""The personal-data check of many entries on both cores (issue 14, item 2).

Each entry is scanned on its own (its findings depend on the entry and on what the `Scanner` seeks, made
once from every contact before): the entries not recalled from the memo are cut in two runs, in order; a
forked child scans the second while this process scans the first, and the child's findings, `--fix`
rewrites, memo rows and work counts are appended after this process's own — so every list ends exactly
as the serial loop leaves it, and the findings are the same bytes (tests/test_scan_parallel.py).

The child is forked, not started: it inherits the scanner and the Sources as they are (nothing large is
pickled on the way there; only findings come back). Objects alive before the fork are frozen out of the
garbage collector (`gc.freeze`), so the child's collections do not touch, and so copy, the parent's pages.
Serial when there is little to scan (a fork costs more than it saves), when other threads run (`serve`:
forking a threaded process is unsafe) or where fork is unavailable.
"""
from __future__ import annotations

import gc
import os
import threading
from collections import Counter

PARALLEL_MIN = 2500     # entries to scan (not recalled from the memo): a fork costs ~0.1 s, an entry ~0.2 ms
FORKS: Counter = Counter()   # forked scans started in this process: tests count the work here


def run_entries(sc, units, tasks: list, work) -> None:
    """`work(sc, units, task)` for each task, in order, as if serially; on two cores when worth it."""
    store = units.store or {}
    todo = [t for t in tasks if (store.get(t[0].file) or (None,))[0] != _key(sc, t)]   # as _Memo.run decides
    if len(todo) < PARALLEL_MIN or (os.cpu_count() or 1) < 2 or threading.active_count() > 1 \
            or not _can_fork():
        for task in tasks:
            work(sc, units, task)
        return
    import concurrent.futures as cf
    import multiprocessing
    half = _halfway(tasks, todo)
    FORKS["scan"] += 1
    gc.freeze()   # the child's collections leave every object made so far (and its page) alone
    try:
        with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                    initializer=_adopt, initargs=(sc, units, tasks, work)) as pool:
            theirs = pool.submit(_second, half)
            for task in tasks[:half]:
                work(sc, units, task)
            diagnostics, fixes, used, counted = theirs.result()
    finally:
        gc.unfreeze()
    sc.diagnostics.extend(diagnostics)
    sc.fixes.extend(fixes)
    units.used.update(used)
    from .scan import SCANNED
    SCANNED.update(counted)


def _key(sc, task) -> tuple:
    s, attached, _ = task
    return (s.digest, sc.fingerprint, attached)


def _halfway(tasks: list, todo: list) -> int:
    """Where to cut `tasks` so each side has about half of the entries to scan."""
    wanted = {id(t) for t in todo[len(todo) // 2:]}
    return next(i for i, t in enumerate(tasks) if id(t) in wanted)


def _can_fork() -> bool:
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()


_JOB: tuple = ()


def _adopt(*job) -> None:
    """In the child: the job as the parent had it (passed at the fork, so never pickled)."""
    global _JOB
    _JOB = job


def _second(half: int):
    """In the child: scan the tasks from `half` on; return what they added, for the parent to append."""
    from .scan import SCANNED
    sc, units, tasks, work = _JOB
    d, f = len(sc.diagnostics), len(sc.fixes)
    units.used = {}
    before = Counter(SCANNED)
    for task in tasks[half:]:
        work(sc, units, task)
    return sc.diagnostics[d:], sc.fixes[f:], units.used, SCANNED - before
