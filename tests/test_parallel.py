"""Work spread over processes: results in order, every item once, the parent working
beside its forked workers."""

import multiprocessing
import os
import pickle
import time

import pytest

from generator import parallel
from generator.parallel import MIN_PARALLEL_ITEMS, map_chunks


def _who(indexes: range) -> list[tuple[int, int]]:
    return [(index, os.getpid()) for index in indexes]


def _both_run(in_parent, in_worker):
    """A task that surely runs in the parent and in a worker: each one's first chunk
    waits (with a deadline) until the other has started one. With chunks this small,
    one process could otherwise take them all before the other starts."""
    parent = os.getpid()
    context = multiprocessing.get_context("fork")
    parent_ran, worker_ran = context.Event(), context.Event()

    def task(indexes: range) -> list:
        if os.getpid() == parent:
            parent_ran.set()
            worker_ran.wait(timeout=30)
            return in_parent(indexes)
        worker_ran.set()
        parent_ran.wait(timeout=30)
        return in_worker(indexes)

    return task


def test_results_come_in_order_and_the_parent_works_too():
    count = MIN_PARALLEL_ITEMS * 5
    who_waiting = _both_run(_who, _who)
    told: list[int] = []
    results = map_chunks(who_waiting, count, workers=2, on_chunk=told.append)
    assert [index for index, _pid in results] == list(range(count))
    pids = {pid for _index, pid in results}
    assert os.getpid() in pids  # the parent took chunks itself
    assert len(pids) == 2  # and one forked worker the others
    assert sum(told) == count


def test_the_parent_takes_chunks_from_the_front_and_the_worker_from_the_back():
    """Each process gets a run of neighbouring items, not every other chunk: lists put
    together at the back are then rendered by one process (see rendering.py)."""
    results = map_chunks(_both_run(_who, _who), MIN_PARALLEL_ITEMS * 5, workers=2)
    parent = [index for index, pid in results if pid == os.getpid()]
    worker = [index for index, pid in results if pid != os.getpid()]
    assert parent and worker
    assert parent == list(range(len(parent)))  # a prefix
    assert worker == list(range(len(parent), len(results)))  # and the rest


def test_work_beside_is_done_by_the_parent_while_a_worker_takes_chunks():
    """The parent's own later work (`beside`) overlaps the workers' chunks: the worker
    has begun before it, and every chunk is still run once, in order."""
    parent = os.getpid()
    worker_ran = multiprocessing.get_context("fork").Event()

    def task(indexes: range) -> list:
        if os.getpid() != parent:
            worker_ran.set()
        return _who(indexes)

    waited: list[bool] = []
    count = MIN_PARALLEL_ITEMS * 5
    results = map_chunks(
        task, count, workers=2, beside=lambda: waited.append(worker_ran.wait(timeout=30))
    )
    assert waited == [True]  # once, and a worker was at work meanwhile
    assert [index for index, _pid in results] == list(range(count))


def test_work_beside_is_left_undone_without_workers():
    """Without workers nothing would overlap it: the caller does the work where it
    needs it, as it would have."""
    called: list[int] = []
    map_chunks(_who, 1_000, workers=1, beside=lambda: called.append(1))
    map_chunks(_who, MIN_PARALLEL_ITEMS - 1, workers=2, beside=lambda: called.append(2))
    assert called == []


def test_one_worker_or_few_items_stay_in_the_parent():
    assert {pid for _i, pid in map_chunks(_who, 1_000, workers=1)} == {os.getpid()}
    small = map_chunks(_who, MIN_PARALLEL_ITEMS - 1, workers=2)
    assert [index for index, _pid in small] == list(range(MIN_PARALLEL_ITEMS - 1))
    assert {pid for _i, pid in small} == {os.getpid()}


@pytest.mark.parametrize("area", ["shared", "full"])
def test_chunks_as_asked_and_their_results_pickled_where_they_were_made(monkeypatch, area):
    """The cache stores these bytes as they are: each chunk's, the parent's and the
    worker's, whether it crossed in shared memory or through the pipe."""
    if area == "full":
        monkeypatch.setattr(parallel._SharedResults, "SIZE", 64)
    count = MIN_PARALLEL_ITEMS * 3
    bounds = [(0, 7), (7, 300), (300, 301), (301, count)]
    seen: list[range] = []

    def who(indexes: range) -> list:
        seen.append(indexes)
        return _who(indexes)

    pickled: dict[int, bytes] = {}

    def keep(index: int, data) -> None:
        pickled[index] = bytes(data)  # only valid during the call

    results = map_chunks(_both_run(who, who), count, 2, bounds=bounds, on_pickled=keep)
    assert [index for index, _pid in results] == list(range(count))
    assert len({pid for _index, pid in results}) == 2
    assert [pickle.loads(pickled[index]) for index in range(len(bounds))] == [
        results[start:stop] for start, stop in bounds
    ]
    assert all(len(chunk) in (stop - start for start, stop in bounds) for chunk in seen)


def test_a_failing_task_in_the_parent_stops_the_workers_and_raises():
    def fail(_indexes: range) -> list:
        raise ValueError("stuk")

    with pytest.raises(ValueError, match="stuk"):
        map_chunks(_both_run(fail, list), 1_000, workers=2)


def _big(indexes: range) -> list[str]:
    return [f"{index}:" + "x" * 100_000 for index in indexes]


def test_big_results_arrive_whole_and_in_order():
    count = MIN_PARALLEL_ITEMS * 2
    results = map_chunks(_big, count, workers=2)
    assert results == _big(range(count))


def test_results_left_in_shared_memory_or_sent_when_it_is_full(monkeypatch):
    shared = parallel._SharedResults(multiprocessing.get_context("fork"))
    try:
        where = shared.put(["een", "twee"])
        assert where == (0, where[1])  # an offset and a length: nothing went through a pipe
        seen: list[bytes] = []
        assert shared.take(*where, lambda view: seen.append(bytes(view))) == ["een", "twee"]
        assert pickle.loads(seen[0]) == ["een", "twee"]
        monkeypatch.setattr(parallel._SharedResults, "SIZE", where[1] + 10)
        spilled = shared.put(["drie"] * 10)
        assert isinstance(spilled, bytes) and pickle.loads(spilled) == ["drie"] * 10
    finally:
        shared.close()


def test_a_full_shared_area_still_gives_every_result(monkeypatch):
    monkeypatch.setattr(parallel._SharedResults, "SIZE", 300_000)  # room for a few chunks
    count = MIN_PARALLEL_ITEMS * 2
    assert map_chunks(_big, count, workers=2) == _big(range(count))


def test_without_room_for_the_shared_area_results_go_through_the_pipe(monkeypatch):
    # Only the results area is refused: multiprocessing maps its own shared memory (the
    # chunk counters) with mmap too, and a first test run alone has none mapped yet.
    real = parallel.mmap.mmap

    def refused(fileno, length, *args, **kwargs):
        if length == parallel._SharedResults.SIZE:
            raise OSError(12, "Cannot allocate memory")
        return real(fileno, length, *args, **kwargs)

    monkeypatch.setattr(parallel.mmap, "mmap", refused)
    count = MIN_PARALLEL_ITEMS * 2
    assert map_chunks(_big, count, workers=2) == _big(range(count))


def test_an_error_in_a_worker_is_raised_in_the_parent():
    def fail(_indexes: range) -> list:
        raise ValueError("stuk in een werker")

    with pytest.raises(ValueError, match="stuk in een werker"):
        map_chunks(_both_run(list, fail), 1_000, workers=2)


def test_an_error_that_cannot_be_pickled_still_arrives_as_text():
    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("not picklable")

    def fail(_indexes: range) -> list:
        raise Odd("vreemd")

    with pytest.raises(RuntimeError, match="Odd: vreemd"):
        map_chunks(_both_run(list, fail), 1_000, workers=2)


def test_a_worker_that_dies_gives_an_error_not_a_hang():
    def die(_indexes: range) -> list:
        os._exit(3)

    with pytest.raises(RuntimeError, match="without giving its results"):
        map_chunks(_both_run(list, die), 1_000, workers=2)


def test_no_worker_is_left_running_after_a_failure():
    def fail(_indexes: range) -> list:
        raise ValueError("stuk")

    with pytest.raises(ValueError):
        map_chunks(_both_run(list, fail), 1_000, workers=3)
    assert parallel._unreaped == []  # stopped and waited for


def test_runs_are_an_eighth_of_what_is_left_and_single_chunks_at_the_end():
    """Long runs while much is left, one chunk at a time at the end: neither process
    then waits long for the other's last run."""
    untaken = multiprocessing.get_context("fork").Array("i", [0, 100])
    runs = []
    while (run := parallel._claim(untaken, from_end=len(runs) % 2 == 1, guided=True)) is not None:
        runs.append(run)
    sizes = [stop - first for first, stop in runs]
    assert sizes[:2] == [100 // 8, 88 // 8]
    assert sizes == sorted(sizes, reverse=True) and sizes[-8:] == [1] * 8
    taken = sorted(index for first, stop in runs for index in range(first, stop))
    assert taken == list(range(100))  # every chunk once
    untaken[:] = [0, 100]
    assert parallel._claim(untaken) == (0, 1)  # without `guided`: a chunk at a time


def test_results_are_taken_without_waiting_for_the_workers_to_end(monkeypatch):
    """A worker's exit takes time (at 10k, 10-15 ms to unmap its copy of the site
    model): the parent goes on once every result is in, and the worker ends alone."""
    context = multiprocessing.get_context("fork")
    released = context.Event()
    real_exit = os._exit

    def held_exit(code: int) -> None:  # what the forked worker calls when it is done
        released.wait(timeout=30)
        real_exit(code)

    monkeypatch.setattr(os, "_exit", held_exit)
    parallel._reap(block=True)
    try:
        results = map_chunks(_both_run(_who, _who), MIN_PARALLEL_ITEMS * 2, workers=2)
        assert len({pid for _index, pid in results}) == 2
        (worker,) = parallel._unreaped
        assert os.waitpid(worker, os.WNOHANG) == (0, 0)  # still there, held at its exit
    finally:
        released.set()
        parallel._reap(block=True)
    assert parallel._unreaped == []


def test_a_worker_still_ending_takes_no_work_of_the_next_stage(monkeypatch):
    """The parent goes on once every result is in; a worker then looks for work once more
    before it ends. Its stage's chunk counters must still be its own by then: freed, the
    next stage's counters were made in the same shared memory, the late look took one of
    that stage's chunks, and the stage failed ("ended without giving its results")."""
    context = multiprocessing.get_context("fork")
    next_stage = context.Event()
    parent = os.getpid()
    real_claim = parallel._claim
    looked: list[int] = []  # in each worker: how often it looked for work

    def late_claim(untaken, from_end=False, guided=False):
        if os.getpid() != parent:
            looked.append(1)
            if len(looked) > 1:  # its last look, after its only run: once the next stage runs
                next_stage.wait(timeout=30)
        return real_claim(untaken, from_end, guided)

    monkeypatch.setattr(parallel, "_claim", late_claim)
    parallel._reap(block=True)
    first = map_chunks(_both_run(_who, _who), MIN_PARALLEL_ITEMS * 2, workers=2)
    assert [index for index, _pid in first] == list(range(MIN_PARALLEL_ITEMS * 2))
    (ending,) = parallel._unreaped
    assert os.waitpid(ending, os.WNOHANG) == (0, 0)  # still there, about to look again

    def waits_for_the_late_look(indexes: range) -> list:
        if os.getpid() == parent and not next_stage.is_set():
            next_stage.set()
            deadline = time.monotonic() + 30
            while os.waitpid(ending, os.WNOHANG) == (0, 0) and time.monotonic() < deadline:
                time.sleep(0.005)  # polling its exit, with a deadline
        return _who(indexes)

    second = map_chunks(waits_for_the_late_look, MIN_PARALLEL_ITEMS * 2, workers=2)
    assert [index for index, _pid in second] == list(range(MIN_PARALLEL_ITEMS * 2))
    parallel._reap(block=True)
