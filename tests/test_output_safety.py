"""--out may never wreck sources or a folder Kennisbank did not make; kills lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.outguard import MARKER
from tests.sitekit import PROJECT, build_site, write_site

GOOD = """
-- content/artikelen/goed.md --
---
title: Goed
---
Tekst.
"""


def _tree(top: Path) -> dict[str, bytes | str]:
    """Every file (bytes) and symlink (its target) under `top`, without following links."""
    found: dict[str, bytes | str] = {}
    for directory, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(directory) / name
            rel = path.relative_to(top).as_posix()
            if path.is_symlink():
                found[rel] = os.readlink(path)
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = "<dir>"
    return found


OUTS = {
    "the source tree": lambda site: site,
    "content": lambda site: site / "content",
    "inside content": lambda site: site / "content" / "artikelen",
    "templates": lambda site: site / "templates",
    "a parent of the source": lambda site: site.parent,
    "a file": lambda site: site / "site.yaml",
    "a foreign non-empty folder": lambda site: site.parent / "documenten",
}


@pytest.mark.parametrize("name", sorted(OUTS))
def test_dangerous_out_is_refused_before_anything_is_written(tmp_path, capsys, name):
    site = write_site(tmp_path / "site", GOOD)
    (tmp_path / "documenten").mkdir()
    (tmp_path / "documenten/belangrijk.txt").write_text("niet weggooien")
    before = _tree(tmp_path)
    out = OUTS[name](site)
    result = build_site(capsys, site, "--out", str(out))
    assert result.code == 2, result.err
    assert f"\n{out}: fout: deze uitvoermap wordt niet gebruikt: " in result.err
    assert "kies met --out een eigen map" in result.err
    assert "Traceback" not in result.err
    assert _tree(tmp_path) == before


def test_root_is_refused(tmp_path, capsys):
    site = write_site(tmp_path, GOOD)
    before = sorted(os.listdir("/"))
    result = build_site(capsys, site, "--out", "/")
    assert result.code == 2
    assert "de hoofdmap van het systeem" in result.err
    assert sorted(os.listdir("/")) == before


def test_foreign_default_build_folder_is_refused(tmp_path, capsys):
    """A build/ left by another tool (setuptools, say) is not Kennisbank's to replace."""
    site = write_site(tmp_path, GOOD)
    (site / "build/lib").mkdir(parents=True)
    (site / "build/lib/module.py").write_text("x = 1\n")
    result = build_site(capsys, site)
    assert result.code == 2
    assert "niet door Kennisbank gemaakt" in result.err
    assert (site / "build/lib/module.py").read_text() == "x = 1\n"


def test_own_output_and_empty_folders_are_fine(tmp_path, capsys):
    site = write_site(tmp_path / "site", GOOD)
    out = tmp_path / "publiek"
    out.mkdir()  # empty: fine
    assert build_site(capsys, site, "--out", str(out)).code == 0
    assert (out / MARKER).is_file()
    assert (out / "artikelen/goed/index.html").is_file()
    (site / "content/artikelen/goed.md").write_text("---\ntitle: Beter\n---\n")
    assert build_site(capsys, site, "--out", str(out)).code == 0  # ours: rebuilt
    assert "Beter" in (out / "artikelen/goed/index.html").read_text()
    assert build_site(capsys, site).code == 0  # default build/ inside the source is fine
    assert (site / "build" / MARKER).is_file()


def _big_site(root: Path, pages: int) -> None:
    """A site whose every page changes when `VERSIE` in the template text changes."""
    write_site(root, GOOD)
    body = "\n\n".join(f"Alinea {i} met wat tekst over gemengd wonen." for i in range(30))
    for i in range(pages):
        (root / f"content/artikelen/a{i:04}.md").write_text(
            f"---\ntitle: Artikel {i}\ndate: 2019-01-01\ntags: [t{i % 50}]\n---\n{body}\n",
            encoding="utf-8",
        )


def _files(build: Path) -> dict[str, bytes]:
    return {
        p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*") if p.is_file()
    }


def _command(site: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--source",
        str(site),
        "--now",
        "2024-06-01",
    ]


def test_killed_build_leaves_previous_build_complete(tmp_path):
    site = tmp_path / "site"
    _big_site(site, 400)
    first = subprocess.run(_command(site), cwd=PROJECT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = _files(site / "build")
    # change every page (the site title is on all of them), then kill the rebuild mid-way
    yaml = (site / "site.yaml").read_text()
    (site / "site.yaml").write_text(yaml.replace("Testkennisbank", "Nieuwe titel"))
    proc = subprocess.Popen(
        _command(site), cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    staging = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        staging = next((p for p in site.iterdir() if "kb-staging" in p.name), None)
        if staging is not None and sum(1 for _ in staging.rglob("index.html")) >= 20:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert staging is not None and staging.exists()  # the kill really left a half build
    assert _files(site / "build") == before  # complete and byte-identical
    again = subprocess.run(_command(site), cwd=PROJECT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in site.iterdir() if "kb-staging" in p.name] == []
    assert "Nieuwe titel" in (site / "build/artikelen/a0000/index.html").read_text()
