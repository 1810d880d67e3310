"""Both cores: when a batch of work is worth a process pool, and the pool itself.

A fork pool starts in ~0.1 s and a case costs ~2.5 ms of CPU to load, so a
pool pays from roughly 100 cases on an idle machine; :data:`PARALLEL_MIN_CASES`
is a conservative threshold (docs/performance.md, "Both cores"). Used by the
uncached loader (:func:`careerpath.loader.load`) and by the pipeline's cached
runs; read the constants through the module (tests set them).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator

PARALLEL_MIN_CASES = 400  # below this, one process is faster than starting a pool (measured)
WORKERS = max(1, min(2, os.cpu_count() or 1))


def worth_a_pool(cases: int) -> bool:
    """Whether ``cases`` cases are enough work to start a pool of :data:`WORKERS` processes."""
    return cases >= PARALLEL_MIN_CASES and WORKERS > 1


def pool_map(fn: Callable[[Any], Any], tasks: Iterable[Any]) -> list:
    """``[fn(t) for t in tasks]`` on :data:`WORKERS` processes (fork where there is one), in order."""
    return list(pool_each(fn, tasks))


def pool_each(fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
    """``fn(t)`` for each of ``tasks`` on :data:`WORKERS` processes, yielded in order as they come: the caller
    holds only the results it has not taken yet (a cold run's results, all at once, cost it hundreds of MiB)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        yield from pool.map(fn, tasks, chunksize=1)
