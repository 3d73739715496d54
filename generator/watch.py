"""Watching the site's sources: which changes matter, bursts merged, polling where needed.

Nothing here knows how the site is built; it turns file-system events into
sets of changed source paths (relative to the site root, posix) for a callback.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

from generator.content import is_ignored

WATCHED_DIRS = ("content", "templates", "static")
WATCHED_FILES = ("site.yaml",)
# File systems on which inotify events do not arrive (or not for changes made on
# the other side): WSL2's Windows drives, VM shares, network and FUSE mounts.
NO_INOTIFY_TYPES = {
    "9p",
    "drvfs",
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "vboxsf",
    "virtiofs",
    "fuse",
    "fuseblk",
    "prl_fs",
    "vmhgfs",
}


def relevant(rel: str) -> bool:
    """Does a change to this path (relative to the site root) concern the site?"""
    parts = rel.split("/")
    if not parts or any(is_ignored(part) for part in parts):
        return False
    return parts[0] in WATCHED_DIRS or rel in WATCHED_FILES


@dataclass(slots=True)
class Debouncer:
    """Merges a burst of changes into one batch. Pure: the caller passes the clock.

    A batch is due once no change arrived for `quiet` seconds, or `max_wait`
    seconds after its first change, so a steady stream still gets built.
    """

    quiet: float = 0.03
    max_wait: float = 1.0
    pending: set[str] = field(default_factory=set)
    first: float | None = None
    last: float | None = None

    def add(self, paths: set[str] | list[str], now: float) -> None:
        if not paths:
            return
        self.pending.update(paths)
        if self.first is None:
            self.first = now
        self.last = now

    def wait_time(self, now: float) -> float | None:
        """Seconds until the batch is due (0: due now); None when nothing is pending."""
        if self.first is None or self.last is None:
            return None
        due = min(self.last + self.quiet, self.first + self.max_wait)
        return max(0.0, due - now)

    def take(self, now: float) -> set[str] | None:
        """The batch if it is due, else None."""
        if self.wait_time(now) != 0.0:
            return None
        batch, self.pending = self.pending, set()
        self.first = self.last = None
        return batch


def mount_type(path: Path, mounts: str) -> str:
    """File-system type of the mount holding `path`, from /proc/mounts text."""
    target = str(path)
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def needs_polling(path: Path, mounts: str, kernel: str) -> str | None:
    """Why inotify cannot be trusted for `path`, or None when it can."""
    kind = mount_type(path, mounts)
    if kind in NO_INOTIFY_TYPES or kind.startswith("fuse."):
        return f"bestandssysteem {kind}"
    parts = path.parts
    wsl = "microsoft" in kernel.lower() or "wsl" in kernel.lower()
    if wsl and len(parts) > 2 and parts[1] == "mnt" and len(parts[2]) == 1:
        return "Windows-schijf onder WSL"
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def polling_reason(root: Path) -> str | None:
    return needs_polling(root.resolve(), _read("/proc/mounts"), _read("/proc/version"))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return  # opened/closed events carry no change
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime changes with every file in it: noise
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.watcher.seen([os.fsdecode(p) for p in paths if p])


class Watcher:
    """Watches content/, templates/, static/ and site.yaml under `root`."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None], poll: bool):
        self.root = root
        self.on_change = on_change
        self.poll = poll
        self.observer = PollingObserver(timeout=0.25) if poll else Observer()
        self.observer.daemon = True
        self._handler = _Handler(self)
        self._scheduled: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.observer.schedule(self._handler, str(self.root), recursive=False)
        for name in WATCHED_DIRS:
            self._follow_dir(name)
        self.observer.start()

    def _follow_dir(self, name: str) -> None:
        """Watch a top folder that appeared; forget one that went (its watch died with it)."""
        path = self.root / name
        with self._lock:
            watch = self._scheduled.get(name)
            if watch is None and path.is_dir():
                self._scheduled[name] = self.observer.schedule(
                    self._handler, str(path), recursive=True
                )
            elif watch is not None and not path.is_dir():
                del self._scheduled[name]
                with contextlib.suppress(KeyError, OSError):
                    self.observer.unschedule(watch)

    def seen(self, paths: list[str]) -> None:
        changed = set()
        for path in paths:
            try:
                rel = Path(path).relative_to(self.root).as_posix()
            except ValueError:
                continue
            if rel in WATCHED_DIRS:
                self._follow_dir(rel)  # created, removed or replaced while we run
            if relevant(rel):
                changed.add(rel)
        if changed:
            self.on_change(changed)

    def stop(self) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)


def start_watcher(
    root: Path, on_change: Callable[[set[str]], None], poll: bool
) -> tuple[Watcher, str | None]:
    """A running watcher, and a note when it had to fall back to polling."""
    note = None
    if not poll:
        reason = polling_reason(root)
        if reason:
            poll, note = True, f"{reason}: wijzigingen worden gepeild (--poll)"
    watcher = Watcher(root, on_change, poll)
    try:
        watcher.start()
    except OSError as error:  # e.g. the inotify watch limit is reached
        watcher.stop()
        watcher = Watcher(root, on_change, poll=True)
        watcher.start()
        note = f"inotify werkt hier niet ({error.strerror}): wijzigingen worden gepeild (--poll)"
    return watcher, note
