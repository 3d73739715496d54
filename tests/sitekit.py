"""Tiny sites written inline, Hugo style, and helpers to build them.

    write_site(tmp_path, '''
    -- content/artikelen/a.md --
    ---
    title: A
    ---
    Tekst.
    ''')

A site without its own `-- site.yaml --` block gets DEFAULT_SITE_YAML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from generator.cli import main

DEFAULT_SITE_YAML = """\
title: Testkennisbank
base_url: https://test.example.nl/
language: nl
timezone: Europe/Amsterdam
sections:
  artikelen:   {title: Artikelen}
  projecten:   {title: Projecten, required: [city, organisation]}
  evenementen: {title: Evenementen, kind: events}
  auteurs:     {title: Auteurs, kind: authors}
taxonomies:
  tags:          {path: tags, title: Onderwerpen}
  city:          {path: steden, title: Steden}
  organisation:  {path: organisaties, title: Organisaties}
  target_groups: {path: doelgroepen, title: Doelgroepen}
"""

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STATIC = PROJECT / "static"
_BLOCK = re.compile(r"^-- (.+?) --$", re.M)


def write_site(root: Path, spec: str, templates: bool = True) -> Path:
    """Write the `-- path --` blocks of `spec` under `root`; returns root."""
    spec = textwrap.dedent(spec).lstrip("\n")
    parts = _BLOCK.split(spec)
    files = {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}
    files.setdefault("site.yaml", DEFAULT_SITE_YAML)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    if templates and not (root / "templates").exists():
        (root / "templates").symlink_to(TEMPLATES, target_is_directory=True)
    if templates and not (root / "static").exists():
        (root / "static").symlink_to(STATIC, target_is_directory=True)
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys, *args: str) -> Run:
    """Run the command line in-process, like `python -m generator ARGS`."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def build_site(capsys, root: Path, *flags: str) -> Run:
    return run(capsys, "build", "--source", str(root), "--now", "2024-06-01T12:00", *flags)


def read(root: Path, rel: str) -> str:
    return (root / "build" / rel).read_text(encoding="utf-8")


def fresh_python(code: str, *args: str) -> str:
    """What `code` prints when run in a new interpreter (with `args` as sys.argv[1:]):
    for what a process loads or does from its start, which this one is long past."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: two builds compared whole."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def benchmark_corpus(root: Path, articles: int) -> Path:
    """A corpus from the benchmark's generator (events, tags, links) with the project's
    templates and static files: big enough for the worker pool and the cache's shards."""
    subprocess.run(
        [sys.executable, str(PROJECT / "benchmarks/make_corpus.py"), str(root)]
        + ["--articles", str(articles)],
        check=True,
        capture_output=True,
    )
    shutil.copy(PROJECT / "benchmarks/corpus_site.yaml", root / "site.yaml")
    shutil.copytree(TEMPLATES, root / "templates")
    shutil.copytree(STATIC, root / "static")
    return root
