"""Use both cores where it pays: Markdown bodies and pages rendered in forked worker processes.

Workers are forked after the model and the shared site data exist, so they inherit them (copy on
write) and only page paths and bytes cross the process boundary. Output does not depend on how the
work is split: the parent yields results in page order. Small builds, platforms without `fork`, and
processes that run other threads (`serve`: forking them is unsafe) render serially.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import threading

MIN_PARALLEL = 150     # below this many items a worker pool costs more than it saves
CHUNK = 40

_STATE: tuple = ()     # (function, items) seen by forked workers


def workers() -> int:
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(2, os.cpu_count() or 1)


def _run(bounds):
    fn, items = _STATE
    start, stop = bounds
    return [fn(item) for item in items[start:stop]]


def map_ordered(fn, items: list, alone: int = 0):
    """Yield fn(item) for every item, in order; across forked workers when there are enough items.

    The first `alone` items are handed out one at a time (put the expensive ones there, so that one
    worker is not left with all of them at the end while the other idles)."""
    global _STATE
    n = workers()
    if n < 2 or len(items) < MIN_PARALLEL:
        for item in items:
            yield fn(item)
        return
    _STATE = (fn, items)
    try:
        bounds = [(i, i + 1) for i in range(min(alone, len(items)))]
        bounds += [(i, min(i + CHUNK, len(items))) for i in range(len(bounds), len(items), CHUNK)]
        # the workers share the parent's heap copy on write: a collection in a worker would write into the
        # header of every object it traverses, copying the page it sits on. Frozen, the objects the
        # parent made are never traversed in the workers (the `gc.freeze` recipe for fork)
        gc.freeze()
        try:
            # the expensive items (the pages that read every record) first, then fresh workers for the rest:
            # what a worker's heap gained rendering those (a copy of each parent page it touched) is not
            # carried through the thousands of small pages after them
            split = min(alone, len(items))
            for phase in (bounds[:split], bounds[split:]):
                if phase:
                    with multiprocessing.get_context("fork").Pool(n) as pool:
                        for chunk in pool.imap(_run, phase):
                            yield from chunk
        finally:
            gc.unfreeze()
    finally:
        _STATE = ()
