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
import select
import signal
import struct
from collections.abc import Callable
from functools import partial
from typing import NoReturn

from generator.collector import collect_if_grown

# Below this many items a pool costs more than it saves.
MIN_PARALLEL_ITEMS = 200
# Chunks of work the caller leaves to us: this many items each, taken in runs of
# 1/GUIDED_SHARE of what is left (see _claim).
GUIDED_CHUNK = 12
GUIDED_SHARE = 8


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
    # And a worker ends quietly when the parent stops it, whatever handler it inherited.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _claim(untaken, from_end: bool = False, guided: bool = False) -> tuple[int, int] | None:
    """A run of chunks no process has taken yet, as (first, stop) indexes (None: none is
    left): from the front, or for the workers from the back. One chunk at a time, or
    with `guided` an eighth of what is left (at least one): long runs while much is
    left, single chunks at the end, so that neither process waits long for the other's
    last run (a run of 64ths of the outputs kept one idle up to 48 ms at 10k).

    The parent works from the front and the workers from the back, so each process
    renders a run of neighbouring outputs rather than every other chunk. Lists of one
    kind then mostly fall to one process, which renders each card once for all of them
    (partials.py): taken in turns, both rendered nearly every card, 44% more cards."""
    with untaken.get_lock():
        front, back = untaken[0], untaken[1]
        if front >= back:
            return None
        size = max(1, (back - front) // GUIDED_SHARE) if guided else 1
        if from_end:
            untaken[1] = back - size
            return back - size, back
        untaken[0] = front + size
        return front, front + size


def _span(bounds: list[tuple[int, int]], first: int, stop: int) -> tuple[int, int]:
    """(start, stop) of the items in the run of chunks first..stop."""
    return bounds[first][0], bounds[stop - 1][1]


def _place(parts: list, first: int, stop: int, results: list) -> None:
    """A run's results: all in its first chunk's place, the others' left empty."""
    parts[first] = results
    parts[first + 1 : stop] = [[]] * (stop - first - 1)


class _SharedResults:
    """Where workers leave their chunks' results for the parent: an anonymous shared
    mapping made before the fork, so a result crosses no pipe. Through a pipe (64 KiB at
    a time, each read waiting for the busy parent's GIL) a worker sat blocked for most
    of a stage of big results, such as parsed pages."""

    SIZE = 1 << 30  # address space only: pages are taken as they are written

    def __init__(self, context) -> None:
        try:
            self.area: mmap.mmap | None = mmap.mmap(-1, self.SIZE)
        except OSError:  # no room for the mapping (strict overcommit): the pipe it is
            self.area = None
        self.used = context.Value("q", 0)

    def put(self, results: list) -> tuple[int, int] | bytes:
        """In a worker: (offset, length) of the pickled results, or the bytes themselves
        when the area is full or missing (they are then sent through the pipe)."""
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

    def take(self, start: int, length: int, on_pickled=None) -> list:
        """In the parent: the results a worker left at `start`; `on_pickled` is shown
        their bytes while they are there."""
        assert self.area is not None  # put() sent them through the pipe otherwise
        with memoryview(self.area)[start : start + length] as view:
            if on_pickled is not None:
                on_pickled(view)
            return pickle.loads(view)  # noqa: S301 - from our own forked worker

    def close(self) -> None:
        if self.area is not None:
            self.area.close()


# A worker's message: the run of chunks (first, stop), kind, then offset and length in the
# shared area (a result left there) or 0 and the length of the bytes that follow (a result
# that did not fit, or an error). Headers are far below PIPE_BUF: written whole.
_HEADER = struct.Struct("<iiiqq")
_SHARED, _INLINE, _ERROR = 0, 1, 2


def _worker(
    task: Callable[[range], list], bounds, guided: bool, untaken, shared, out: int
) -> NoReturn:
    """A forked worker: runs untaken chunks until none is left, then ends."""
    code = 0
    try:
        _worker_start()
        while (run := _claim(untaken, from_end=True, guided=guided)) is not None:
            try:
                results = task(range(*_span(bounds, *run)))
                collect_if_grown()
                where = shared.put(results)
            except BaseException as error:  # the parent raises it
                _send(out, run, _ERROR, _pickled_error(error))
                break
            if isinstance(where, bytes):
                _send(out, run, _INLINE, where)
            else:
                _send(out, run, _SHARED, b"", *where)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no cleanup of the parent's that this copy of it inherited


def _send(
    out: int, run: tuple[int, int], kind: int, data: bytes, offset: int = 0, length: int = 0
) -> None:
    view = memoryview(_HEADER.pack(*run, kind, offset, length or len(data)) + data)
    while view:
        view = view[os.write(out, view) :]


def _pickled_error(error: BaseException) -> bytes:
    try:
        return pickle.dumps(error)
    except Exception:  # an exception that cannot be pickled: its text, at least
        return pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))


class _Inbox:
    """The parent's end of one worker's pipe: messages as they arrive, read without
    blocking between the parent's own chunks."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.open = True
        self._buffer = bytearray()
        os.set_blocking(fd, False)

    def messages(self) -> list[tuple[int, int, int, int, int, bytes]]:
        while self.open:
            try:
                data = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                self.open = False  # the worker has ended
            self._buffer += data
        found = []
        while len(self._buffer) >= _HEADER.size:
            first, stop, kind, offset, length = _HEADER.unpack_from(self._buffer)
            size = _HEADER.size + (0 if kind == _SHARED else length)
            if len(self._buffer) < size:
                break
            data = bytes(self._buffer[_HEADER.size : size])
            found.append((first, stop, kind, offset, length, data))
            del self._buffer[:size]
        return found


_unreaped: list[int] = []  # ended workers not yet waited for
# What a worker not yet waited for may still use of what it shares with the parent (its
# stage's chunk counters), kept until it is: freed sooner, multiprocessing gives that
# shared memory to the next stage's counters, and a worker that looks for work once
# more before it ends would take chunks of that stage, which nobody then runs.
_held: dict[int, object] = {}


def _reap(block: bool = False) -> None:
    """Wait for ended workers; without `block`, only those already gone. The last
    workers of a build are left to end on their own: freeing a copy of the site
    model takes them tens of milliseconds, which the parent need not wait out."""
    for pid in list(_unreaped):
        try:
            done, _status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.remove(pid)
            _held.pop(pid, None)


def map_chunks(
    task: Callable[[range], list],
    count: int,
    workers: int,
    on_chunk: Callable[[int], None] | None = None,
    bounds: list[tuple[int, int]] | None = None,
    on_pickled: Callable[[int, bytes | memoryview], None] | None = None,
    beside: Callable[[], None] | None = None,
) -> list:
    """Run `task(range)` over 0..count in chunks; results concatenated in order.

    `task` is inherited by the forked workers, never pickled, so it may be a
    closure over the whole site. `on_chunk(n)` is told as chunks finish.
    `bounds`: the chunks, (start, stop) covering 0..count in order, when the caller
    wants them so; each is then run by itself. Otherwise chunks are small and taken in
    runs that shrink towards the end (see _claim). `on_pickled(chunk index, data)` is
    shown each chunk's results pickled: a worker's as they crossed to the parent, the
    parent's own pickled where they were made (the build cache stores them as they
    are). The data is only valid during the call; with it, `bounds` must be given.

    The parent takes chunks too, beside `workers - 1` forked workers: on two cores
    a parent that only waited and unpickled made three processes share them, and
    what the parent runs itself never crosses to another process.

    `beside()`: work of the parent's own for later, done while the workers have started
    on the chunks (only when there are workers; without, it is left undone), so that
    they take on more of them: what it does then costs the build no time of its own.
    It must not raise.
    """
    if count == 0:
        return []
    parallel = (
        workers > 1
        and count >= MIN_PARALLEL_ITEMS
        and "fork" in multiprocessing.get_all_start_methods()
    )
    guided = bounds is None and parallel
    if bounds is None:
        # Small chunks keep every process busy to the end (the last one to finish is short).
        size = GUIDED_CHUNK if parallel else -(-count // max(1, min(20, count // 50)))
        bounds = [(start, min(start + size, count)) for start in range(0, count, size)]
    if not parallel:
        return _map_here(task, bounds, on_chunk, on_pickled)
    return _map_forked(task, bounds, guided, workers, on_chunk, on_pickled, beside)


def _map_here(task: Callable[[range], list], bounds: list, on_chunk, on_pickled) -> list:
    return [
        result
        for index, chunk in enumerate(bounds)
        for result in _run_here(task, chunk, on_chunk, on_pickled, index)
    ]


def _run_here(
    task: Callable[[range], list], chunk: tuple[int, int], on_chunk, on_pickled, index: int
) -> list:
    """One chunk in this (the parent) process."""
    start, stop = chunk
    results = task(range(start, stop))
    if on_pickled is not None:
        on_pickled(index, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    collect_if_grown()
    if on_chunk:
        on_chunk(stop - start)
    return results


def _map_forked(
    task: Callable[[range], list],
    bounds: list,
    guided: bool,
    workers: int,
    on_chunk,
    on_pickled,
    beside: Callable[[], None] | None = None,
) -> list:
    context = multiprocessing.get_context("fork")
    parts: list[list | None] = [None] * len(bounds)
    shared = _SharedResults(context)
    untaken = context.Array("i", [0, len(bounds)])  # the chunks from front to back
    _reap()

    def take_in(inbox: _Inbox) -> None:
        for first, stop, kind, offset, length, data in inbox.messages():
            if kind == _ERROR:
                raise pickle.loads(data)  # noqa: S301 - from our own forked worker
            shown = None if on_pickled is None else partial(on_pickled, first)
            if kind == _SHARED:
                results = shared.take(offset, length, shown)
            else:
                if shown is not None:
                    shown(data)
                results = pickle.loads(data)  # noqa: S301 - from our own forked worker
            _place(parts, first, stop, results)
            if on_chunk:
                start, end = _span(bounds, first, stop)
                on_chunk(end - start)

    # The inherited site model is never garbage: frozen, the workers' collections
    # skip it instead of walking (and copying) all its memory again and again.
    gc.freeze()
    pids: list[int] = []
    inboxes: list[_Inbox] = []
    finished = False
    try:
        for _ in range(workers - 1):
            pid, inbox = _fork_worker(task, bounds, guided, untaken, shared)
            pids.append(pid)
            inboxes.append(inbox)
        if beside is not None:
            beside()
        while (run := _claim(untaken, guided=guided)) is not None:
            first, stop = run
            results = _run_here(task, _span(bounds, first, stop), on_chunk, on_pickled, first)
            _place(parts, first, stop, results)
            for inbox in inboxes:  # what the workers finished meanwhile
                take_in(inbox)
        # Until every result is in, not until the workers have ended: a worker's exit
        # (unmapping its copy of the site model) took 10-15 ms at 10k.
        while None in parts and any(inbox.open for inbox in inboxes):
            select.select([inbox.fd for inbox in inboxes if inbox.open], [], [])
            for inbox in inboxes:
                take_in(inbox)
        if None in parts:
            raise RuntimeError("a worker process ended without giving its results")
        finished = True
    finally:
        gc.unfreeze()
        _let_go(pids, inboxes, stop=not finished, held=(untaken, shared.used))
        shared.close()
    return [result for part in parts for result in part]  # type: ignore[union-attr]


def _fork_worker(task, bounds, guided, untaken, shared) -> tuple[int, _Inbox]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _worker(task, bounds, guided, untaken, shared, write_end)
    os.close(write_end)
    return pid, _Inbox(read_end)


def _let_go(pids: list[int], inboxes: list[_Inbox], stop: bool, held: object = None) -> None:
    """Done with the workers. After an error or Ctrl-C they are stopped and waited for;
    otherwise they are ending by themselves, and are reaped later."""
    for inbox in inboxes:
        os.close(inbox.fd)
    for pid in pids:
        if stop:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        _unreaped.append(pid)
        _held[pid] = held
    _reap(block=stop)
