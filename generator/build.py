"""One build, start to finish: the entry point the command line and tests use."""

from __future__ import annotations

import gc
from pathlib import Path

from generator.buildtypes import BuildOptions, BuildResult
from generator.engine import SiteBuilder

__all__ = ["BuildOptions", "BuildResult", "build"]

# The builders of builds whose process ends right after (os._exit in __main__): freeing
# a site model object by object takes 40 ms (140 ms in one process) at 10,000 pages; the
# system frees it at once.
_LEFT_FOR_EXIT: list[SiteBuilder] = []


def build(
    root: Path,
    out: Path | None,
    options: BuildOptions,
    workers: int | None = None,
    persistent_cache: bool = True,
    progress=None,
    process_ends: bool = False,
) -> BuildResult:
    """Build the site in `root` into `out` (None: check only, nothing written);
    `process_ends`: the process ends right after, so what it made is never collected
    or freed."""
    if process_ends:
        # A catch-up collection once the build re-enabled the collector would walk all
        # it made: 0.5 s after a one-process 10k build.
        gc.disable()
    builder = SiteBuilder(
        root, out, options, workers, persistent_cache, progress, builds_again=False
    )
    result = builder.build()
    if process_ends:
        _LEFT_FOR_EXIT.append(builder)
    return result
