"""One build, start to finish: the entry point the command line and tests use."""

from __future__ import annotations

from pathlib import Path

from generator.buildtypes import BuildOptions, BuildResult
from generator.engine import SiteBuilder

__all__ = ["BuildOptions", "BuildResult", "build"]


def build(
    root: Path,
    out: Path | None,
    options: BuildOptions,
    workers: int | None = None,
    persistent_cache: bool = True,
    progress=None,
) -> BuildResult:
    """Build the site in `root` into `out` (None: check only, nothing written)."""
    builder = SiteBuilder(
        root, out, options, workers, persistent_cache, progress, builds_again=False
    )
    return builder.build()
