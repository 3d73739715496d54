"""Spread work over processes. Forked workers inherit the parent's memory (the site
model, compiled templates), so only small task indexes and results cross pipes."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable

from generator.collector import collect_if_grown

# Below this many items a pool costs more than it saves.
MIN_PARALLEL_ITEMS = 200

_task: Callable | None = None


def worker_count(requested: int | None = None) -> int:
    if requested:
        return max(1, requested)
    env = os.environ.get("KENNISBANK_JOBS")
    if env and env.isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _worker_start() -> None:
    # Ctrl-C goes to the whole process group; the parent alone decides what happens.
    # And a worker ends quietly when the pool terminates it, whatever handler it inherited.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_chunk(bounds: tuple[int, int]) -> list:
    assert _task is not None
    results = _task(range(*bounds))
    collect_if_grown()
    return results


def map_chunks(
    task: Callable[[range], list],
    count: int,
    workers: int,
    on_chunk: Callable[[int], None] | None = None,
) -> list:
    """Run `task(range)` over 0..count in chunks; results concatenated in order.

    `task` is inherited by the forked workers, never pickled, so it may be a
    closure over the whole site. `on_chunk(n)` is told as chunks finish.
    """
    global _task
    if count == 0:
        return []
    parallel = (
        workers > 1
        and count >= MIN_PARALLEL_ITEMS
        and "fork" in multiprocessing.get_all_start_methods()
    )
    # Small chunks keep both workers busy to the end (the last one to finish is short)
    # and let the parent take in results while the workers go on.
    chunks = min(workers * 32, count // 25) if parallel else max(1, min(20, count // 50))
    size = -(-count // chunks)
    bounds = [(start, min(start + size, count)) for start in range(0, count, size)]
    results: list = []
    if not parallel:
        for start, stop in bounds:
            results.extend(task(range(start, stop)))
            collect_if_grown()
            if on_chunk:
                on_chunk(stop - start)
        return results
    _task = task
    # The inherited site model is never garbage: frozen, the workers' collections
    # skip it instead of walking (and copying) all its memory again and again.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
            for (start, stop), part in zip(
                bounds, pool.imap(_run_chunk, bounds, chunksize=1), strict=True
            ):
                results.extend(part)
                collect_if_grown()
                if on_chunk:
                    on_chunk(stop - start)
    finally:
        _task = None
        gc.unfreeze()
    return results
