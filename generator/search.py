"""Full-text search without a server: a Pagefind index of the staged output.

Pagefind (a Rust binary shipped inside its PyPI wheel) splits the index into
small chunks that the browser fetches per query, and stems Dutch words
(Snowball), so "woonvoorzieningen" finds "woonvoorziening". It runs on the
staged output before the swap: a failing index fails the build and leaves the
published folder as it was. Its files go through the writer like every other
output, so unchanged chunks keep their mtime.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from generator.errors import Problem

BUNDLE = "pagefind"
TIMEOUT = 600  # seconds; 10,000 pages index in a few
# Pagefind's own ready-made interfaces; our search page has a small one of its own.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def _executable() -> Path | None:
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            package = __import__(module)
        except ImportError:
            continue
        try:
            return package.get_executable()
        except FileNotFoundError:
            continue
    return None


def index_output(writer) -> list[Problem]:
    """Index the HTML the writer has staged; nothing to do when nothing is written (check)."""
    stage = getattr(writer, "stage", None)
    if stage is None:
        return []
    binary = _executable()
    if binary is None:
        return [
            Problem(
                "pyproject.toml",
                0,
                "de zoekfunctie kan niet worden gebouwd: Pagefind ontbreekt; "
                "installeer het project opnieuw (pip install -e .)",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="kb-pagefind-") as bundle:
        command = [
            str(binary),
            "--site",
            str(stage),
            "--output-path",
            bundle,
            "--silent",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return [Problem("build", 0, f"de zoekindex bouwen mislukte: {error}")]
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["onbekende fout"]
            return [Problem("build", 0, f"de zoekindex bouwen mislukte: {detail[0]}")]
        for path in sorted(Path(bundle).rglob("*")):
            if path.is_file() and not path.name.startswith(UNUSED):
                writer.copy(path, f"{BUNDLE}/{path.relative_to(bundle).as_posix()}")
    return []
