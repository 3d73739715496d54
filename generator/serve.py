"""Preview server (minimal): build with drafts and future pages into .preview/ and serve it."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
from datetime import datetime
from pathlib import Path

from generator.build import BuildOptions, build

PREVIEW_DIR = ".preview"


def serve(root: Path, host: str, port: int, now: datetime | None = None) -> int:
    out = root / PREVIEW_DIR
    options = BuildOptions(
        now=now, drafts=True, future=True, base_url=f"http://{host}:{port}/", mark_unpublished=True
    )
    result = build(root, out, options)
    for problem in result.problems:
        print(problem.format(), file=sys.stderr)
    if not result.ok and not out.exists():
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"Kennisbank draait op http://{host}:{port}/ (Ctrl-C om te stoppen)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
