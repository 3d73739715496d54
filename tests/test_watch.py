"""Which file changes start a build, how bursts merge, and when polling replaces inotify."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator.watch import Debouncer, Watcher, needs_polling, relevant
from tests.previewkit import wait_until


def test_a_burst_of_changes_becomes_one_batch_once_quiet():
    debouncer = Debouncer(quiet=0.05, max_wait=1.0)
    for number in range(300):  # a git checkout: hundreds of files within 0.03 s
        debouncer.add({f"content/artikelen/{number}.md"}, 10.0 + number * 0.0001)
    assert debouncer.take(10.05) is None  # still within the quiet period of the last change
    batch = debouncer.take(10.03 + 0.05 + 0.001)
    assert batch is not None and len(batch) == 300
    assert debouncer.take(20.0) is None and debouncer.wait_time(20.0) is None


def test_a_steady_stream_of_changes_is_built_after_max_wait():
    debouncer = Debouncer(quiet=0.05, max_wait=0.5)
    now = 0.0
    while now < 0.49:
        debouncer.add({"content/a.md"}, now)
        assert debouncer.take(now) is None
        now += 0.01
    debouncer.add({"content/b.md"}, 0.5)
    assert debouncer.take(0.5) == {"content/a.md", "content/b.md"}


def test_repeated_saves_of_one_file_are_one_change():
    debouncer = Debouncer(quiet=0.05)
    for step in range(5):
        debouncer.add({"content/a.md"}, step * 0.01)
    assert debouncer.wait_time(0.04) == pytest.approx(0.05)
    assert debouncer.take(0.1) == {"content/a.md"}


@pytest.mark.parametrize(
    "path",
    [
        "content/artikelen/.a.md.swp",  # vim
        "content/artikelen/.a.md.swx",
        "content/artikelen/a.md~",  # backup files
        "content/artikelen/4913",  # vim's write test
        "content/artikelen/#a.md#",  # emacs auto-save
        "content/artikelen/.#a.md",  # emacs lock
        "content/artikelen/.a.md.kb-save-1234",  # hidden temp of an atomic save
        "content/artikelen/a.md.tmp",
        "content/.git/index",
        "templates/.base.html.swp",
        ".preview/index.html",  # our own output
        "build/index.html",
        "README.md",
        ".venv/lib/x.py",
    ],
)
def test_editor_temp_files_and_other_folders_are_ignored(path):
    assert not relevant(path)


@pytest.mark.parametrize(
    "path",
    [
        "content/artikelen/a.md",
        "content/artikelen/bundel/foto.jpg",
        "templates/partials/card.html",
        "static/css/site.css",
        "site.yaml",
        "content/artikelen",  # a folder deleted or renamed
    ],
)
def test_sources_are_relevant(path):
    assert relevant(path)


MOUNTS = """\
sysfs /sys sysfs rw 0 0
/dev/sda1 / ext4 rw,relatime 0 0
C:\\134 /mnt/c 9p rw,dirsync,aname=drvfs 0 0
server:/export /srv/nfs nfs4 rw 0 0
user@host: /home/ed/remote fuse.sshfs rw 0 0
/dev/sdb1 /home/ed/data\\040disk ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "polls"),
    [
        ("/home/ed/site", False),
        ("/mnt/c/Users/ed/site", True),  # WSL2's Windows drive over 9p
        ("/srv/nfs/site", True),
        ("/srv/nfsx/site", False),  # a prefix of a mount name is not that mount
        ("/home/ed/remote/site", True),
        ("/home/ed/data disk/site", False),
    ],
)
def test_polling_is_chosen_where_inotify_events_do_not_arrive(path, polls):
    assert (needs_polling(Path(path), MOUNTS, "Linux version 6.1") is not None) == polls


def test_windows_drives_under_wsl_poll_even_when_mounted_as_drvfs_elsewhere():
    kernel = "Linux version 5.15.153.1-microsoft-standard-WSL2"
    assert needs_polling(Path("/mnt/d/site"), "/dev/sda1 / ext4 rw 0 0\n", kernel)
    assert needs_polling(Path("/home/ed/site"), "/dev/sda1 / ext4 rw 0 0\n", kernel) is None


@pytest.fixture(params=[False, True], ids=["inotify", "poll"])
def watched(tmp_path, request):
    root = tmp_path / "site"
    (root / "content" / "artikelen").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "content" / "artikelen" / "a.md").write_text("a", encoding="utf-8")
    seen: list[set[str]] = []
    lock = threading.Lock()

    def on_change(changed: set[str]) -> None:
        with lock:
            seen.append(set(changed))

    watcher = Watcher(root, on_change, poll=request.param)
    watcher.start()
    yield root, seen
    watcher.stop()


def _all(seen: list[set[str]]) -> set[str]:
    return set().union(*seen) if seen else set()


def test_atomic_save_reports_the_file_and_never_the_temp_file(watched):
    root, seen = watched
    folder = root / "content" / "artikelen"
    temp = folder / ".a.md.kb-save-1"
    temp.write_text("nieuw", encoding="utf-8")
    os.replace(temp, folder / "a.md")
    wait_until(lambda: "content/artikelen/a.md" in _all(seen), 10, "the saved file")
    assert all(not relevant(path) or ".kb-save" not in path for path in _all(seen))
    assert not any(".kb-save" in path for path in _all(seen))


def test_deletion_rename_and_new_folder_are_reported(watched):
    root, seen = watched
    folder = root / "content" / "artikelen"
    (folder / "a.md").rename(folder / "b.md")
    wait_until(
        lambda: {"content/artikelen/a.md", "content/artikelen/b.md"} <= _all(seen), 10, "rename"
    )
    (folder / "b.md").unlink()
    (root / "site.yaml").write_text("title: x\n", encoding="utf-8")
    (root / "templates" / "base.html").write_text("<html>", encoding="utf-8")
    (root / "README.md").write_text("niet van belang", encoding="utf-8")
    wait_until(
        lambda: {"site.yaml", "templates/base.html"} <= _all(seen), 10, "site.yaml and template"
    )
    wait_until(lambda: "content/artikelen/b.md" in _all(seen), 10, "the deletion")
    assert "README.md" not in _all(seen)
