"""Spread work over processes. Forked workers inherit the parent's memory (the site
model, compiled templates), so no task is sent; the parent takes chunks of work
beside them, and they leave their results in memory shared with it."""

from __future__ import annotations

import contextlib
import gc
import mmap
import multiprocessing
import os
import pickle
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


def _claim(next_chunk) -> int:
    """The index of the next chunk no process has taken yet."""
    with next_chunk.get_lock():
        index = next_chunk.value
        next_chunk.value = index + 1
    return index


class _SharedResults:
    """Where workers leave their chunks' results for the parent: an anonymous shared
    mapping made before the fork, so a result crosses no pipe. Through the pool's pipe
    (64 KiB at a time, each read waiting for the busy parent's GIL) a worker sat blocked
    for most of a stage of big results, such as parsed pages."""

    SIZE = 1 << 30  # address space only: pages are taken as they are written

    def __init__(self, context) -> None:
        try:
            self.area: mmap.mmap | None = mmap.mmap(-1, self.SIZE)
        except OSError:  # no room for the mapping (strict overcommit): the pipe it is
            self.area = None
        self.used = context.Value("q", 0)

    def put(self, results: list) -> tuple[int, int] | bytes:
        """In a worker: (offset, length) of the pickled results, or the bytes when full."""
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        if self.area is None:
            return data
        with self.used.get_lock():
            start = self.used.value
            if start + len(data) > self.SIZE:
                return data
            self.used.value = start + len(data)
        self.area[start : start + len(data)] = data
        return start, len(data)

    def take(self, where: tuple[int, int] | bytes) -> list:
        if isinstance(where, bytes) or self.area is None:
            return pickle.loads(where)  # noqa: S301 - from our own forked worker
        start, length = where
        with memoryview(self.area)[start : start + length] as view:
            return pickle.loads(view)  # noqa: S301 - from our own forked worker

    def close(self) -> None:
        if self.area is not None:
            self.area.close()


def _run_claimed(_ticket: int) -> tuple[int, tuple[int, int] | bytes] | None:
    """In a worker: run the next untaken chunk, if any is left."""
    assert _task is not None and _shared is not None
    index = _claim(_next_chunk)
    if index >= len(_bounds):
        return None
    results = _task(range(*_bounds[index]))
    collect_if_grown()
    return index, _shared.put(results)


_next_chunk = None
_shared: _SharedResults | None = None
_bounds: list[tuple[int, int]] = []


def map_chunks(
    task: Callable[[range], list],
    count: int,
    workers: int,
    on_chunk: Callable[[int], None] | None = None,
) -> list:
    """Run `task(range)` over 0..count in chunks; results concatenated in order.

    `task` is inherited by the forked workers, never pickled, so it may be a
    closure over the whole site. `on_chunk(n)` is told as chunks finish.

    The parent takes chunks too, beside `workers - 1` forked workers: on two cores
    a parent that only waited and unpickled made three processes share them, and
    what the parent runs itself never crosses to another process.
    """
    global _task, _next_chunk, _bounds, _shared
    if count == 0:
        return []
    parallel = (
        workers > 1
        and count >= MIN_PARALLEL_ITEMS
        and "fork" in multiprocessing.get_all_start_methods()
    )
    # Small chunks keep every process busy to the end (the last one to finish is short).
    chunks = min(workers * 32, count // 25) if parallel else max(1, min(20, count // 50))
    size = -(-count // chunks)
    bounds = [(start, min(start + size, count)) for start in range(0, count, size)]
    if not parallel:
        results: list = []
        for start, stop in bounds:
            results.extend(task(range(start, stop)))
            collect_if_grown()
            if on_chunk:
                on_chunk(stop - start)
        return results
    context = multiprocessing.get_context("fork")
    parts: list[list | None] = [None] * len(bounds)
    shared = _SharedResults(context)
    _task, _bounds, _next_chunk, _shared = task, bounds, context.Value("i", 0), shared

    def take(done: tuple | None) -> None:
        if done is not None:
            index, where = done
            parts[index] = shared.take(where)
            if on_chunk:
                on_chunk(bounds[index][1] - bounds[index][0])

    # The inherited site model is never garbage: frozen, the workers' collections
    # skip it instead of walking (and copying) all its memory again and again.
    gc.freeze()
    try:
        with context.Pool(workers - 1, initializer=_worker_start) as pool:
            # One ticket per chunk: a worker's ticket runs whichever chunk is next.
            claimed = pool.imap_unordered(_run_claimed, range(len(bounds)))
            while (index := _claim(_next_chunk)) < len(bounds):
                start, stop = bounds[index]
                parts[index] = task(range(start, stop))
                collect_if_grown()
                if on_chunk:
                    on_chunk(stop - start)
                # Take in what the workers finished meanwhile (all of it: StopIteration).
                with contextlib.suppress(multiprocessing.TimeoutError, StopIteration):
                    while True:
                        take(claimed.next(timeout=0))
            for done in claimed:
                take(done)
    finally:
        _task, _bounds, _next_chunk, _shared = None, [], None, None
        gc.unfreeze()
        shared.close()
    return [result for part in parts for result in part]  # type: ignore[union-attr]
