"""What a build is asked to do and what it reports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from generator.errors import Problem, errors_only


@dataclass(frozen=True, slots=True)
class BuildOptions:
    now: datetime | None = None  # None: the current time
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    mark_unpublished: bool = False  # the preview marks drafts and future pages
    strict: bool = False  # warnings count as errors
    external: bool = False  # also check links to other sites (slow: network)
    # Pagefind index (search.py; never in the preview). Off for benchmarks against
    # generators that build no search index.
    search: bool = True


@dataclass(slots=True)
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    files: int = 0  # files in the output
    written: int = 0  # files whose bytes changed
    rendered: int = 0  # outputs rendered (the rest were known to be unchanged)
    changed: set[str] = field(default_factory=set)  # output paths added, changed or removed
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # Per template (or feed file name): [outputs made, seconds], all processes summed.
    render_costs: dict[str, list] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors_only(self.problems)


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
