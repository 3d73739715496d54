"""Find the sources under content/ and sort them into pages, texts and assets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import Problem
from generator.i18n import text
from generator.suggest import closest

CONTENT_DIR = "content"
_NAME = attrgetter("name")
INTRO_NAME = "_index.md"  # text for a generated list page (home, section)


def is_ignored(name: str) -> bool:
    """Hidden files and the temp/swap/backup files editors leave behind."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".part", ".crdownload"))
        or name.startswith("4913")  # vim's write test file
    )


@dataclass(slots=True)
class PageSource:
    source: str  # relative to the site root, posix
    section: str | None
    bundle_assets: tuple[str, ...] = ()
    name: str = ""  # file name without .md, or the bundle folder's name


@dataclass(slots=True)
class Discovery:
    pages: list[PageSource] = field(default_factory=list)
    intros: dict[str | None, str] = field(default_factory=dict)  # section (None=home) -> source
    term_texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (tax key, slug) -> src
    assets: list[tuple[str, str]] = field(default_factory=list)  # (source, output target)
    problems: list[Problem] = field(default_factory=list)


def discover(root: Path, config: SiteConfig) -> Discovery:
    found = Discovery()
    content = root / CONTENT_DIR
    if not content.is_dir():
        found.problems.append(
            Problem(CONTENT_DIR, 0, "de map content/ ontbreekt; maak hem aan en zet er pagina's in")
        )
        return found
    real_content = content.resolve()
    for entry in _entries(content, real_content, found):
        rel = f"{CONTENT_DIR}/{entry.name}"
        if entry.is_dir():
            _discover_dir(root, Path(entry.path), entry.name, config, found, real_content)
        elif entry.name == INTRO_NAME:
            found.intros[None] = rel
        elif entry.name.endswith(".md"):
            found.pages.append(PageSource(rel, None, name=entry.name[:-3]))
        else:
            found.assets.append((rel, entry.name))
    return found


def _entries(directory: Path, real_content: Path, found: Discovery) -> list[os.DirEntry]:
    """Sorted, non-ignored entries; symlinks leaving content/ are refused, never followed."""
    kept = []
    with os.scandir(directory) as it:
        for entry in it:
            if is_ignored(entry.name):
                continue
            if entry.is_symlink():
                problem = _symlink_problem(Path(entry.path), real_content)
                if problem is not None:
                    found.problems.append(problem)
                    continue
            kept.append(entry)
    kept.sort(key=_NAME)
    return kept


def _symlink_problem(link: Path, real_content: Path) -> Problem | None:
    """A link out of content/ (or one that never ends) is an error: content from many
    hands must not publish /etc/passwd or a private folder by a symlink."""
    inside = (link.parent.resolve() / link.name).relative_to(real_content)
    rel = f"{CONTENT_DIR}/{inside.as_posix()}"
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop, or pointing at nothing
        return Problem(
            rel,
            0,
            "deze snelkoppeling (symlink) wijst nergens heen of naar zichzelf; "
            "haal hem weg of zet het bestand zelf in content/",
        )
    if target.is_relative_to(real_content):
        return None
    return Problem(
        rel,
        0,
        "deze snelkoppeling (symlink) wijst naar een plek buiten content/ en wordt "
        "niet gepubliceerd; haal hem weg en zet het bestand zelf in content/",
    )


def _discover_dir(
    root: Path, path: Path, name: str, config: SiteConfig, found: Discovery, real_content: Path
) -> None:
    taxonomy = config.taxonomy_by_path(name)
    if taxonomy is not None:
        for entry in _entries(path, real_content, found):
            if entry.is_file() and entry.name.endswith(".md"):
                found.term_texts[(taxonomy.key, entry.name[:-3])] = (
                    f"{CONTENT_DIR}/{name}/{entry.name}"
                )
        return
    if name not in config.sections:
        known = ", ".join(sorted(config.sections)) or "geen"
        guess = closest(name, config.sections)
        message = (
            text("unknown-section-suggest", name=name, suggestion=guess)
            if guess
            else text("unknown-section", name=name, known=known)
        )
        found.problems.append(Problem(f"{CONTENT_DIR}/{name}", 0, message))
        return
    folder = f"{CONTENT_DIR}/{name}/"
    for entry in _entries(path, real_content, found):
        file_name = entry.name
        rel = folder + file_name
        if entry.is_dir():
            bundle = Path(entry.path)
            if (bundle / "index.md").is_file():
                assets = tuple(
                    sorted(
                        p.relative_to(root).as_posix()
                        for p in _bundle_files(bundle, real_content, found)
                        if p.name != "index.md" or p.parent != bundle
                    )
                )
                found.pages.append(PageSource(f"{rel}/index.md", name, assets, entry.name))
            else:
                found.problems.append(
                    Problem(
                        rel,
                        0,
                        f"de map '{entry.name}' in sectie '{name}' heeft geen index.md; "
                        "een paginamap (bundle) heeft een index.md nodig",
                    )
                )
        elif file_name == INTRO_NAME:
            found.intros[name] = rel
        elif file_name.endswith(".md"):
            found.pages.append(PageSource(rel, name, (), file_name[:-3]))
        else:
            found.assets.append((rel, f"{name}/{entry.name}"))


def _bundle_files(bundle: Path, real_content: Path, found: Discovery) -> list[Path]:
    files: list[Path] = []
    stack = [bundle]
    while stack:
        directory = stack.pop()
        for entry in _entries(directory, real_content, found):
            if entry.is_dir():
                stack.append(Path(entry.path))
            else:
                files.append(Path(entry.path))
    return files
