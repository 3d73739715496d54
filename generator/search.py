"""Full-text search without a server: a Pagefind index of the finished HTML.

Pagefind (a Rust binary shipped inside its PyPI wheel) splits the index into
small chunks that the browser fetches per query, and stems Dutch words
(Snowball), so "woonvoorzieningen" finds "woonvoorziening". It runs before the
writer commits: a failing index fails the build and leaves the published
folder as it was. Its files go through the writer like every other output, so
unchanged chunks keep their mtime; when no HTML changed the previous index is
kept without running Pagefind at all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.errors import Problem

BUNDLE = "pagefind"
TIMEOUT = 600  # seconds; 10,000 pages index in a few
# Pagefind's ready-made interfaces; our search page has a small one of its own.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
WORK = ".kb-search"  # inside the writer's staging folder; removed before commit


def _executable() -> Path | None:
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            package = __import__(module)
            return package.get_executable()
        except (ImportError, FileNotFoundError):
            continue
    return None


def wanted(options) -> bool:
    """Index unless switched off; never in the preview, where every save would re-index
    every page (seconds at 10,000 pages) and editors expect a reload in milliseconds."""
    return options.search and not options.mark_unpublished


def _keep_previous(writer) -> bool:
    """No HTML changed: the previous bundle is still right, if it is all still there."""
    if any(rel.endswith(".html") for rel in writer.changed):
        return False
    previous = [rel for rel in writer.previous if rel.startswith(BUNDLE + "/")]
    return bool(previous) and all(writer.keep(rel) for rel in previous)


def _gather_html(writer, view: Path) -> None:
    """The finished HTML in one folder: staged files where changed, else the published ones."""
    for rel in writer.produced:
        if not rel.endswith(".html"):
            continue
        staged = writer.stage / rel
        source = staged if staged.exists() else writer.out / rel
        target = view / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def _run(binary: Path, view: Path, bundle: Path) -> str | None:
    import subprocess  # 3 ms of every start; most builds make no index (--no-search)

    command = [str(binary), "--site", str(view), "--output-path", str(bundle), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit code {done.returncode}"
    return None


def index_output(writer, enabled: bool = True) -> list[Problem]:
    """Index the HTML of this build into /pagefind/; nothing when nothing is written (check)."""
    stage = getattr(writer, "stage", None)
    if not enabled or stage is None or not stage.is_dir() or _keep_previous(writer):
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
    work = stage / WORK
    try:
        _gather_html(writer, work / "site")
        failure = _run(binary, work / "site", work / "bundle")
        if failure:
            return [Problem("build", 0, f"de zoekindex bouwen mislukte: {failure}")]
        for path in sorted((work / "bundle").rglob("*")):
            if path.is_file() and not path.name.startswith(UNUSED):
                rel = path.relative_to(work / "bundle").as_posix()
                writer.write(f"{BUNDLE}/{rel}", path.read_bytes())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return []
