"""Writing the output without ever leaving it half-written.

Two writers, one interface:

- `StagedOutput` (first build, or no trustworthy record of the previous one):
  everything goes to a staging folder beside the output, unchanged files are
  hard-linked from the previous output (they keep their mtime), and the
  staging folder is swapped in with one atomic rename.
- `InPlaceOutput` (the previous output is known from its manifest): only
  changed files are staged; on commit a journal is written and they are
  renamed into place, vanished outputs removed. A build killed during the
  commit is rolled forward by the next one.

Nothing is touched before `commit()`, so a failed build leaves the previous
output exactly as it was.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.digest import hash_bytes
from generator.slotstate import quick_state

STAGING_MARK = ".kb-staging-"
JOURNAL = ".kb-commit.json"
RENAME_EXCHANGE = 2
AT_FDCWD = -100


@quick_state
@dataclass(frozen=True, slots=True)
class FileState:
    digest: str
    size: int
    mtime_ns: int


def _libc_renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
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
    return _renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _intact(path: Path | str, state: FileState) -> bool:
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_size == state.size and stat.st_mtime_ns == state.mtime_ns


def _state(path: Path | str, digest: str) -> FileState:
    stat = os.stat(path)
    return FileState(digest, stat.st_size, stat.st_mtime_ns)


def _write_new(path: str, data: bytes, digest: str) -> FileState:
    """Write `data` to a new file; its state read from the open file (no second lookup)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        stat = os.fstat(fd)  # closing changes no time stamp
    finally:
        os.close(fd)
    return FileState(digest, stat.st_size, stat.st_mtime_ns)


class _Output:
    def __init__(self, out: Path, previous: dict[str, FileState] | None = None):
        self.out = out.absolute()
        self.previous = previous or {}
        self.stage = self.out.parent / f".{self.out.name}{STAGING_MARK}{os.getpid()}"
        self.produced: dict[str, FileState] = {}
        self.changed: set[str] = set()
        self._folders: set[str] = set()  # staging folders known to exist (per process)

    @property
    def written(self) -> int:
        return len(self.changed & self.produced.keys())

    def begin(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._recover_abandoned()
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir()
        self._folders.clear()

    def _recover_abandoned(self) -> None:
        """Finish the commit of a killed build, or throw its half-made staging away."""
        prefix = f".{self.out.name}{STAGING_MARK}"
        for entry in self.out.parent.iterdir():
            if not entry.name.startswith(prefix):
                continue
            pid = entry.name[len(prefix) :].removeprefix("old-")
            if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
                continue
            if (entry / JOURNAL).is_file():
                _roll_forward(entry, self.out)
            shutil.rmtree(entry, ignore_errors=True)

    def accept(self, rel: str, state: FileState, changed: bool) -> None:
        self.produced[rel] = state
        if changed:
            self.changed.add(rel)

    def write(self, rel: str, data: bytes) -> None:
        self.accept(*self.write_file(rel, data))

    def trust(self, rel: str) -> None:
        """Keep an output known to be unchanged, without looking at it."""
        if rel in self.previous:
            self.produced[rel] = self.previous[rel]
        elif not self.keep(rel):
            raise KeyError(rel)

    def copy(self, source: Path, rel: str) -> None:
        self.write(rel, source.read_bytes())

    def manifest(self) -> dict[str, FileState]:
        return dict(self.produced)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    def _intact_previous(self, rel: str) -> FileState | None:
        """The previous build's record of `rel`, if the file is still as it left it."""
        known = self.previous.get(rel)
        # A text path, not a Path: a rebuild looks at every output it keeps (10,000s).
        return known if known is not None and _intact(f"{self.out}/{rel}", known) else None

    def _staged_path(self, rel: str) -> str:
        # Plain strings and os calls: this runs for every output file.
        path = f"{self.stage}/{rel}"
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            try:  # mostly one new folder in a known one: one call, not os.makedirs' walk
                os.mkdir(folder)
            except OSError:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return path


class StagedOutput(_Output):
    _had_output = True  # until begin() looks: is there a previous output to reuse files of?

    def begin(self) -> None:
        super().begin()
        self._had_output = self.out.exists()

    def write_file(self, rel: str, data: bytes) -> tuple[str, FileState, bool]:
        digest = hash_bytes(data)
        target = self._staged_path(rel)
        if self._had_output and self._same_as_before(rel, data, digest):
            try:
                previous_path = self.out / rel
                os.link(previous_path, target)
                return rel, _state(target, digest), False
            except OSError:
                pass
        return rel, _write_new(target, data, digest), True

    def _same_as_before(self, rel: str, data: bytes, digest: str) -> bool:
        previous_path = self.out / rel
        known = self.previous.get(rel)
        if known is not None:
            return known.digest == digest and _intact(previous_path, known)
        try:  # no manifest: compare with the file itself
            return previous_path.stat().st_size == len(data) and previous_path.read_bytes() == data
        except OSError:
            return False

    def keep(self, rel: str) -> bool:
        known = self._intact_previous(rel)
        if known is None:
            return False
        try:
            os.link(f"{self.out}/{rel}", self._staged_path(rel))
        except OSError:
            return False
        self.produced[rel] = known
        return True

    def trust(self, rel: str) -> None:
        if not self.keep(rel):  # a staged output must hold the file itself
            raise KeyError(rel)

    def commit(self) -> None:
        if self.out.exists():
            self.changed |= _all_files(self.out) - self.produced.keys()
            if exchange(self.stage, self.out):
                shutil.rmtree(self.stage, ignore_errors=True)
                return
            old = self.out.parent / f".{self.out.name}{STAGING_MARK}old-{os.getpid()}"
            os.rename(self.out, old)
            os.rename(self.stage, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.stage, self.out)


class InPlaceOutput(_Output):
    def write_file(self, rel: str, data: bytes) -> tuple[str, FileState, bool]:
        digest = hash_bytes(data)
        known = self._intact_previous(rel)
        if known is not None and known.digest == digest:
            return rel, known, False
        return rel, _write_new(self._staged_path(rel), data, digest), True

    def keep(self, rel: str) -> bool:
        known = self._intact_previous(rel)
        if known is None:
            return False
        self.produced[rel] = known
        return True

    def commit(self) -> None:
        removed = sorted(self.previous.keys() - self.produced.keys())
        self.changed |= set(removed)
        staged = sorted(self.changed - set(removed))
        journal = {"replace": staged, "remove": removed}
        (self.stage / JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
        _roll_forward(self.stage, self.out)
        shutil.rmtree(self.stage, ignore_errors=True)


def _roll_forward(stage: Path, out: Path) -> None:
    """Apply a staged commit: rename staged files into place, remove vanished ones."""
    journal = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))
    for rel in journal["replace"]:
        source = stage / rel
        if source.exists():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in journal["remove"]:
        target = out / rel
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _all_files(root: Path) -> set[str]:
    found = set()
    for directory, _dirs, files in os.walk(root):
        base = Path(directory).relative_to(root).as_posix()
        found.update(name if base == "." else f"{base}/{name}" for name in files)
    return found


class DiscardOutput(_Output):
    """For `check`: renders everything, writes nothing."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent-kennisbank-check"))

    def begin(self) -> None:
        pass

    def write_file(self, rel: str, data: bytes) -> tuple[str, FileState, bool]:
        return rel, FileState(hash_bytes(data), len(data), 0), True

    def copy(self, source: Path, rel: str) -> None:
        self.accept(rel, FileState("", 0, 0), True)

    def keep(self, rel: str) -> bool:
        return False

    def trust(self, rel: str) -> None:
        pass

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


def output_writer(out: Path | None, manifest: dict) -> _Output:
    """How a build writes `out` (None: nowhere, a check): files changed in place where
    `manifest` describes the output there, else a staged folder swapped in whole."""
    if out is None:
        return DiscardOutput()
    if manifest and out.is_dir():
        return InPlaceOutput(out, manifest)
    return StagedOutput(out, manifest)
