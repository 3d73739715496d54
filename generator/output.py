"""Writing the output: build in a staging folder beside it, then swap in one step.

Unchanged files are hard-linked from the previous output instead of rewritten,
so they keep their mtime (cheap rsync deploys); files no longer produced are
simply absent from the new folder. A build that fails or is killed never
touches the previous output.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

STAGING_MARK = ".kb-staging-"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _libc_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    return function


_renameat2 = _libc_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux); False where the system cannot."""
    if _renameat2 is None:
        return False
    result = _renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StagedOutput:
    def __init__(self, out: Path):
        self.out = out.absolute()
        self.stage = self.out.parent / f".{self.out.name}{STAGING_MARK}{os.getpid()}"
        self.written = 0  # files whose bytes changed
        self.kept = 0  # files linked unchanged from the previous output
        self.produced: set[str] = set()  # every output path of this build
        self.changed: set[str] = set()  # paths added, changed or removed vs. the previous output

    def begin(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned()
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir()

    def _remove_abandoned(self) -> None:
        """Staging folders of builds that were killed (their process is gone)."""
        prefix = f".{self.out.name}{STAGING_MARK}"
        for entry in self.out.parent.iterdir():
            if entry.name.startswith(prefix):
                pid = entry.name[len(prefix) :]
                if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                    shutil.rmtree(entry, ignore_errors=True)

    def _target(self, rel: str) -> Path:
        self.produced.add(rel)
        path = self.stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _keep(self, previous: Path, target: Path) -> bool:
        try:
            os.link(previous, target)
        except OSError:
            return False
        self.kept += 1
        return True

    def write(self, rel: str, data: bytes) -> None:
        target = self._target(rel)
        previous = self.out / rel
        try:
            same = previous.stat().st_size == len(data) and previous.read_bytes() == data
        except OSError:
            same = False
        if same and self._keep(previous, target):
            return
        target.write_bytes(data)
        self.written += 1
        self.changed.add(rel)

    def copy(self, source: Path, rel: str) -> None:
        target = self._target(rel)
        previous = self.out / rel
        try:
            old, new = previous.stat(), source.stat()
            same = old.st_size == new.st_size and previous.read_bytes() == source.read_bytes()
        except OSError:
            same = False
        if same and self._keep(previous, target):
            return
        shutil.copyfile(source, target)
        self.written += 1
        self.changed.add(rel)

    def _note_removed(self) -> None:
        for directory, _dirs, files in os.walk(self.out):
            base = Path(directory).relative_to(self.out).as_posix()
            for name in files:
                rel = name if base == "." else f"{base}/{name}"
                if rel not in self.produced:
                    self.changed.add(rel)

    def commit(self) -> None:
        if self.out.exists():
            self._note_removed()
            if exchange(self.stage, self.out):
                shutil.rmtree(self.stage, ignore_errors=True)
                return
            old = self.out.parent / f".{self.out.name}{STAGING_MARK}old-{os.getpid()}"
            os.rename(self.out, old)
            os.rename(self.stage, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.stage, self.out)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


class DiscardOutput:
    """For `check`: renders everything, writes nothing."""

    written = 0
    kept = 0
    changed: set[str] = set()

    def begin(self) -> None:
        pass

    def write(self, rel: str, data: bytes) -> None:
        self.written += 1

    def copy(self, source: Path, rel: str) -> None:
        self.written += 1

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass
