"""Running builds for the preview: one at a time, after each burst of changes.

The loop knows nothing of the site: it calls `rebuild(changed_sources)` (None
means a full build) and hands the result to `on_built`. The `Gate` lets the web
server hold requests while a build is wanted or running, so no half-built page
is ever served (the counters MkDocs uses for the same purpose).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Protocol

from generator.errors import Problem
from generator.watch import Debouncer


class Result(Protocol):
    """What the preview needs of a build result (generator.build.BuildResult)."""

    problems: list[Problem]
    changed: set[str]
    seconds: float

    @property
    def ok(self) -> bool: ...


Rebuild = Callable[[set[str] | None], Result]


class Gate:
    """Counts changes wanted and builds finished; readers wait until they are equal."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.wanted = 0  # bumped for every relevant change noticed
        self.done = 0  # the `wanted` value the last finished build covered
        self.building = False

    def want(self) -> None:
        with self._cond:
            self.wanted += 1

    def start(self) -> int:
        with self._cond:
            self.building = True
            return self.wanted

    def finish(self, covered: int) -> None:
        with self._cond:
            self.building = False
            self.done = max(self.done, covered)
            self._cond.notify_all()

    def wait_ready(self, timeout: float) -> bool:
        """Block while a build is wanted or running; False when `timeout` ran out."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self.building and self.done >= self.wanted, timeout
            )


class BuildLoop:
    """A thread that turns batches of changed sources into builds, one at a time."""

    def __init__(
        self,
        rebuild: Rebuild,
        on_built: Callable[[Result, set[str] | None], None],
        gate: Gate | None = None,
        debouncer: Debouncer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.rebuild = rebuild
        self.on_built = on_built
        self.gate = gate or Gate()
        self.debouncer = debouncer or Debouncer()
        self.clock = clock
        self.builds = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="preview-build", daemon=True)

    def build_now(self, changed: set[str] | None = None) -> Result:
        """A build in the calling thread (the first, full build before serving)."""
        covered = self.gate.start()
        try:
            result = self._call(changed)
        finally:
            self.gate.finish(covered)
        self.on_built(result, changed)
        return result

    def start(self) -> None:
        self._thread.start()

    def notify(self, changed: set[str]) -> None:
        """Called by the watcher (any thread) with source paths that changed."""
        if not changed:
            return
        with self._cond:
            self.debouncer.add(changed, self.clock())
            self.gate.want()
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _next_batch(self) -> set[str] | None:
        """Wait for a due batch; None when stopping."""
        with self._cond:
            while not self._stopping:
                wait = self.debouncer.wait_time(self.clock())
                if wait == 0.0:
                    return self.debouncer.take(self.clock())
                self._cond.wait(wait)
            return None

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            # Changes arriving from here on stay pending in the debouncer and
            # cause one more build after this one.
            covered = self.gate.start()
            try:
                result = self._call(batch)
            finally:
                self.gate.finish(covered)
            self.on_built(result, batch)

    def _call(self, changed: set[str] | None) -> Result:
        try:
            result = self.rebuild(changed)
        except Exception as error:  # an engine bug must not end the preview
            traceback.print_exc()
            result = _Crashed(error)
        self.builds += 1
        return result


class _Crashed:
    """Stands in for the result of a build that raised: shown as an error, nothing changed."""

    def __init__(self, error: Exception):
        self.problems = [
            Problem(
                "(generator)", 0, f"interne fout bij het bouwen: {type(error).__name__}: {error}"
            )
        ]
        self.changed: set[str] = set()
        self.seconds = 0.0

    @property
    def ok(self) -> bool:
        return False
